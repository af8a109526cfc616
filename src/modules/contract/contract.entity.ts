import { OptionalProps } from '@mikro-orm/core';
import { Entity, Enum, Index, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Timestamped } from '../../platform/database/timestamps.js';
import { newId } from '../../platform/ids.js';
import { TaxMode } from '../../platform/money.js';
import { ModelTier } from '../price/model-price.entity.js';
import { TenantOwned } from '../../platform/database/tenant-scope.js';

export enum ContractType {
  PAY_AS_YOU_GO = 'PAY_AS_YOU_GO',
  ANNUAL = 'ANNUAL',
  THREE_YEAR = 'THREE_YEAR',
}

export enum BillingMode {
  PREPAID = 'PREPAID',
  POSTPAID_MONTHLY = 'POSTPAID_MONTHLY',
}

export enum InvoiceType {
  SPECIAL = 'SPECIAL',
  NORMAL = 'NORMAL',
}

export interface TierDiscount {
  tier: ModelTier;
  percent: string;
}

/**
 * A tenant's commercial agreement over a range of whole periods: from `startsOn` (the first day of
 * its first month) up to, not including, `endsOn` (null: open-ended). Ranges of one tenant never
 * overlap: contract changes check it with the tenant row locked, so concurrent ones queue.
 */
@Entity({ tableName: 'contract' })
@Index({ name: 'contract_tenant_starts_index', properties: ['tenantId', 'startsOn'] })
@TenantOwned('tenantId')
export class Contract extends Timestamped<'endsOn' | 'terminatedAt' | 'terminationReason'> {
  @PrimaryKey({ type: 'text' })
  id: string = newId('Contract');

  @PrimaryKey({ type: 'text' })
  tenantId!: string;

  @Enum({ items: () => ContractType, nativeEnumName: 'contract_type' })
  type!: ContractType;

  @Property({ type: 'date' })
  startsOn!: string;

  @Property({ type: 'date', nullable: true })
  endsOn?: string | null;

  /** Days of notice a termination needs. */
  @Property({ type: 'integer' })
  cancellationNoticeDays!: number;

  @Property({ type: 'timestamptz', nullable: true })
  terminatedAt?: Date | null;

  @Property({ type: 'text', nullable: true })
  terminationReason?: string | null;
}

/**
 * The terms of a contract from a period on. Amendments add versions, never edit them: the terms in
 * force for a period are those of the newest version whose `effectiveFrom` is not after it.
 */
@Entity({ tableName: 'contract_version' })
@TenantOwned('tenantId')
export class ContractVersion {
  [OptionalProps]?: 'createdByTokenId';

  @PrimaryKey({ type: 'text' })
  contractId!: string;

  @PrimaryKey({ type: 'integer' })
  version!: number;

  @PrimaryKey({ type: 'text' })
  tenantId!: string;

  @Property({ type: 'date' })
  effectiveFrom!: string;

  @Enum({ items: () => BillingMode, nativeEnumName: 'billing_mode' })
  billingMode!: BillingMode;

  @Property({ type: 'decimal', precision: 5, scale: 2 })
  discountPercent!: string;

  /** Discounts that replace `discountPercent` for usage of one model tier. */
  @Property({ type: 'jsonb' })
  tierDiscounts!: TierDiscount[];

  @Property({ type: 'decimal', precision: 24, scale: 10 })
  monthlyCommitment!: string;

  @Property({ type: 'decimal', precision: 24, scale: 10, nullable: true })
  creditLimit?: string | null;

  @Property({ type: 'integer' })
  paymentTermsDays!: number;

  @Property({ type: 'decimal', precision: 5, scale: 4 })
  taxRate!: string;

  @Enum({ items: () => TaxMode, nativeEnumName: 'tax_mode' })
  taxMode!: TaxMode;

  @Enum({ items: () => InvoiceType, nativeEnumName: 'invoice_type' })
  preferredInvoiceType!: InvoiceType;

  @Property({ type: 'text', nullable: true })
  createdByTokenId?: string | null;

  @Property({ type: 'timestamptz' })
  createdAt!: Date;
}
