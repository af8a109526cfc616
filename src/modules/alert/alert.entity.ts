import { OptionalProps } from '@mikro-orm/core';
import { Entity, Enum, Index, PrimaryKey, Property, Unique } from '@mikro-orm/decorators/legacy';
import { CurrencyCode } from '../../platform/money.js';
import { SpendPeriod, SpendScopeType } from '../spend/spend-counter.entity.js';
import { TenantOwned } from '../../platform/database/tenant-scope.js';

export enum AlertType {
  BUDGET_THRESHOLD = 'BUDGET_THRESHOLD',
  BUDGET_EXHAUSTED = 'BUDGET_EXHAUSTED',
  BALANCE_LOW = 'BALANCE_LOW',
  SPEND_SPIKE = 'SPEND_SPIKE',
  FORECAST_OVER_BUDGET = 'FORECAST_OVER_BUDGET',
  WEBHOOK_ENDPOINT_DISABLED = 'WEBHOOK_ENDPOINT_DISABLED',
}

/**
 * Something a tenant should know about its spend, raised once: `dedupeKey` names the occasion
 * (budget, threshold and period start; budget and period for a forecast) and a unique index on it
 * makes a second raise of the same occasion, by a concurrent batch or another server, a no-op.
 */
@Entity({ tableName: 'alert' })
@Unique({ name: 'alert_dedupe_key_unique', properties: ['tenantId', 'dedupeKey'] })
@Index({ properties: ['tenantId', 'raisedAt', 'id'] })
@TenantOwned('tenantId')
export class Alert {
  [OptionalProps]?: 'acknowledgedAt' | 'acknowledgedByTokenId';

  @PrimaryKey({ type: 'text' })
  id!: string;

  @Property({ type: 'text' })
  dedupeKey!: string;

  @PrimaryKey({ type: 'text' })
  tenantId!: string;

  @Enum({ items: () => AlertType, nativeEnumName: 'alert_type' })
  type!: AlertType;

  @Enum({ items: () => SpendScopeType, nativeEnumName: 'spend_scope_type' })
  scopeType!: SpendScopeType;

  @Property({ type: 'text' })
  scopeId!: string;

  @Property({ type: 'text', nullable: true })
  budgetId?: string | null;

  @Property({ type: 'integer', nullable: true })
  threshold?: number | null;

  @Enum({ items: () => SpendPeriod, nativeEnumName: 'spend_period', nullable: true })
  period?: SpendPeriod | null;

  @Property({ type: 'date', nullable: true })
  periodStart?: string | null;

  /** The scope's spend (or the balance, or the projection) when the alert was raised. */
  @Property({ type: 'decimal', precision: 30, scale: 16 })
  amount!: string;

  /** The limit it was measured against. */
  @Property({ type: 'decimal', precision: 24, scale: 10, nullable: true })
  limitAmount?: string | null;

  @Enum({ items: () => CurrencyCode, nativeEnumName: 'currency_code' })
  currency!: CurrencyCode;

  @Property({ type: 'text' })
  message!: string;

  @Property({ type: 'timestamptz' })
  raisedAt!: Date;

  @Property({ type: 'timestamptz', nullable: true })
  acknowledgedAt?: Date | null;

  @Property({ type: 'text', nullable: true })
  acknowledgedByTokenId?: string | null;
}
