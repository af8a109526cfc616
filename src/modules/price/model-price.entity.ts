import { OptionalProps } from '@mikro-orm/core';
import { Entity, Enum, Index, PrimaryKey, Property, Unique } from '@mikro-orm/decorators/legacy';
import { newId } from '../../platform/ids.js';
import { CurrencyCode } from '../../platform/money.js';

export enum ModelTier {
  ECONOMY = 'ECONOMY',
  STANDARD = 'STANDARD',
  PREMIUM = 'PREMIUM',
}

/** MikroORM keeps (and mutates) each property's options object: one per property. */
const rate = () => ({ type: 'decimal', precision: 24, scale: 10 }) as const;

/**
 * One version of a model's price in one currency, in force from `effectiveFrom` until the next
 * version's `effectiveFrom` (`effectiveTo`, null while it is the latest). Rates are never edited:
 * a change is a new version; only `effectiveTo` is set when a later version supersedes it.
 */
@Entity({ tableName: 'model_price' })
@Unique({ properties: ['model', 'currency', 'effectiveFrom'] })
export class ModelPrice {
  [OptionalProps]?: 'createdAt';

  @PrimaryKey({ type: 'text' })
  id: string = newId('ModelPrice');

  @Property({ type: 'text' })
  model!: string;

  @Enum({ items: () => ModelTier, nativeEnumName: 'model_tier' })
  tier!: ModelTier;

  @Enum({ items: () => CurrencyCode, nativeEnumName: 'currency_code' })
  currency!: CurrencyCode;

  @Property(rate())
  inputPerMillion!: string;

  @Property(rate())
  outputPerMillion!: string;

  @Property(rate())
  cachedInputPerMillion!: string;

  @Property(rate())
  perImage!: string;

  @Property(rate())
  perVideoSecond!: string;

  @Property(rate())
  perRequest!: string;

  /** What usageReserve holds for a call of this model when the gateway sends no estimate; null: an estimate is required. */
  @Property({ ...rate(), nullable: true })
  defaultEstimate?: string | null;

  @Property({ type: 'timestamptz' })
  @Index()
  effectiveFrom!: Date;

  @Property({ type: 'timestamptz', nullable: true })
  effectiveTo?: Date | null;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ type: 'text', nullable: true })
  createdByTokenId?: string | null;
}
