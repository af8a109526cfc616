import { OptionalProps } from '@mikro-orm/core';
import { Entity, Enum, Index, PrimaryKey, Property, Unique } from '@mikro-orm/decorators/legacy';
import { newId } from '../../platform/ids.js';
import { BillingMode } from '../contract/contract.entity.js';
import { CurrencyCode, TaxMode } from '../../platform/money.js';
import { ModelTier } from '../price/model-price.entity.js';
import { TenantOwned } from '../../platform/database/tenant-scope.js';
import { countColumn } from '../../platform/database/columns.js';

export enum BillStatus {
  DRAFT = 'DRAFT',
  FINALIZED = 'FINALIZED',
  PARTIALLY_PAID = 'PARTIALLY_PAID',
  PAID = 'PAID',
  OVERDUE = 'OVERDUE',
  VOID = 'VOID',
}

/** Statuses in which a bill is owed: payments are taken, and it counts against a credit limit. */
export const OPEN_BILL_STATUSES = [BillStatus.FINALIZED, BillStatus.PARTIALLY_PAID, BillStatus.OVERDUE];

export enum BillLineKind {
  USAGE = 'USAGE',
  DISCOUNT = 'DISCOUNT',
  COMMITMENT_TRUE_UP = 'COMMITMENT_TRUE_UP',
  LATE_USAGE_ADJUSTMENT = 'LATE_USAGE_ADJUSTMENT',
}

export enum BillPaymentMethod {
  BANK_TRANSFER = 'BANK_TRANSFER',
  ALIPAY = 'ALIPAY',
  WECHAT_PAY = 'WECHAT_PAY',
  BALANCE = 'BALANCE',
}

const money = () => ({ type: 'decimal', precision: 20, scale: 2 }) as const;

/**
 * One tenant's bill for one period. Built and finalized in the settlement transaction, immutable
 * afterwards except for its payment status. At most one bill per tenant and period is not VOID,
 * enforced by a partial unique index. `syncVersion` orders every change for ERP pulls: it is taken
 * from one counter row as the last write of each transaction, so versions become visible in order.
 */
@Entity({ tableName: 'bill' })
@Unique({ name: 'bill_number_unique', properties: ['tenantId', 'number'] })
@Index({
  name: 'bill_one_per_tenant_period',
  expression: `create unique index "bill_one_per_tenant_period" on "bill" ("tenant_id", "period_start") where "status" <> 'VOID'`,
})
@Index({ name: 'bill_tenant_status_index', properties: ['tenantId', 'status'] })
@Index({ name: 'bill_updated_index', properties: ['updatedAt', 'syncVersion'] })
@Index({ name: 'bill_sync_index', properties: ['syncVersion', 'id'] })
@Index({ name: 'bill_due_index', expression: `create index "bill_due_index" on "bill" ("due_on") where "status" in ('FINALIZED', 'PARTIALLY_PAID')` })
@TenantOwned('tenantId')
export class Bill {
  [OptionalProps]?: 'number' | 'finalizedAt' | 'dueOn' | 'voidedAt' | 'voidReason' | 'contractId' | 'contractVersion' | 'settlementRunId' | 'amountInvoiced';

  @PrimaryKey({ type: 'text' })
  id: string = newId('Bill');

  @PrimaryKey({ type: 'text' })
  tenantId!: string;

  /** First local day of the period ("2026-10-01"). */
  @Property({ type: 'date' })
  periodStart!: string;

  @Enum({ items: () => BillStatus, nativeEnumName: 'bill_status' })
  status!: BillStatus;

  /** "2026-10-000001": gap-free within the period's series, assigned at finalization. */
  @Property({ type: 'text', nullable: true })
  number?: string | null;

  @Enum({ items: () => CurrencyCode, nativeEnumName: 'currency_code' })
  currency!: CurrencyCode;

  @Property({ type: 'text', nullable: true })
  contractId?: string | null;

  @Property({ type: 'integer', nullable: true })
  contractVersion?: number | null;

  @Enum({ items: () => BillingMode, nativeEnumName: 'billing_mode' })
  billingMode!: BillingMode;

  @Enum({ items: () => TaxMode, nativeEnumName: 'tax_mode' })
  taxMode!: TaxMode;

  @Property({ type: 'decimal', precision: 5, scale: 4 })
  taxRate!: string;

  @Property(money())
  netTotal!: string;

  @Property(money())
  taxTotal!: string;

  @Property(money())
  grossTotal!: string;

  @Property(money())
  amountPaid!: string;

  /** Sum of the amounts of the bill's VAT invoices (red-letter ones negative), in its priced terms. */
  @Property({ ...money(), default: 0 })
  amountInvoiced: string = '0.00';

  /** Usage rows up to this sequence number were settled into this bill (with earlier bills). */
  @Property(countColumn())
  usageWatermark!: number;

  @Property({ type: 'timestamptz', nullable: true })
  finalizedAt?: Date | null;

  @Property({ type: 'date', nullable: true })
  dueOn?: string | null;

  @Property({ type: 'timestamptz', nullable: true })
  voidedAt?: Date | null;

  @Property({ type: 'text', nullable: true })
  voidReason?: string | null;

  @Property({ type: 'text', nullable: true })
  settlementRunId?: string | null;

  @Property(countColumn())
  syncVersion!: number;

  @Property({ type: 'timestamptz' })
  createdAt!: Date;

  @Property({ type: 'timestamptz' })
  updatedAt!: Date;
}

/** A line of a bill, in order. Amounts are rounded half-up to the minor unit; tax is per line. */
@Entity({ tableName: 'bill_line' })
@TenantOwned('tenantId')
export class BillLine {
  [OptionalProps]?: 'departmentId' | 'model' | 'modelTier' | 'priceId' | 'adjustedPeriodStart';

  @PrimaryKey({ type: 'text' })
  billId!: string;

  @PrimaryKey({ type: 'integer' })
  lineNumber!: number;

  /** The bill's tenant: a tenant table keys on it (README, Scaling out). */
  @PrimaryKey({ type: 'text' })
  tenantId!: string;

  @Enum({ items: () => BillLineKind, nativeEnumName: 'bill_line_kind' })
  kind!: BillLineKind;

  @Property({ type: 'text' })
  description!: string;

  @Property({ type: 'text', nullable: true })
  departmentId?: string | null;

  @Property({ type: 'text', nullable: true })
  model?: string | null;

  @Enum({ items: () => ModelTier, nativeEnumName: 'model_tier', nullable: true })
  modelTier?: ModelTier | null;

  /** The price version the usage was rated with. */
  @Property({ type: 'text', nullable: true })
  priceId?: string | null;

  /** For late usage and its discount: the period the usage belongs to. */
  @Property({ type: 'date', nullable: true })
  adjustedPeriodStart?: string | null;

  @Property(countColumn())
  requestCount!: number;

  @Property(countColumn())
  inputTokens!: number;

  @Property(countColumn())
  outputTokens!: number;

  @Property(countColumn())
  cachedInputTokens!: number;

  @Property(countColumn())
  imageCount!: number;

  @Property(countColumn())
  videoSeconds!: number;

  /** The exact amount behind a line, before rounding (see BillLine.exactAmount in the schema). */
  @Property({ type: 'decimal', precision: 30, scale: 16 })
  exactAmount!: string;

  /** What the line prints: net for tax-exclusive terms, gross for tax-inclusive ones. */
  @Property(money())
  amount!: string;

  @Property(money())
  net!: string;

  @Property(money())
  tax!: string;

  @Property(money())
  gross!: string;
}

/**
 * Money received against a bill; never changed once recorded. `syncVersion` is the version the
 * bill took in the same transaction (see Bill), so an ERP paging payments by it sees each once.
 */
@Entity({ tableName: 'payment' })
@Unique({ name: 'payment_idempotency_unique', properties: ['tenantId', 'idempotencyKey'] })
@Index({ properties: ['billId', 'receivedAt'] })
@Index({ name: 'payment_sync_index', properties: ['syncVersion', 'id'] })
@Index({ name: 'payment_received_index', properties: ['receivedAt', 'id'] })
@TenantOwned('tenantId')
export class Payment {
  [OptionalProps]?: 'reference' | 'idempotencyKey' | 'inputFingerprint' | 'createdByTokenId' | 'syncVersion' | 'updatedAt';

  @PrimaryKey({ type: 'text' })
  id: string = newId('Payment');

  @Property({ type: 'text' })
  billId!: string;

  @PrimaryKey({ type: 'text' })
  tenantId!: string;

  @Enum({ items: () => BillPaymentMethod, nativeEnumName: 'bill_payment_method' })
  method!: BillPaymentMethod;

  @Property(money())
  amount!: string;

  @Enum({ items: () => CurrencyCode, nativeEnumName: 'currency_code' })
  currency!: CurrencyCode;

  @Property({ type: 'text', nullable: true })
  reference?: string | null;

  @Property({ type: 'timestamptz' })
  receivedAt!: Date;

  @Property({ type: 'text', nullable: true })
  idempotencyKey?: string | null;

  @Property({ type: 'text', nullable: true })
  inputFingerprint?: string | null;

  @Property({ type: 'text', nullable: true })
  createdByTokenId?: string | null;

  @Property({ type: 'timestamptz' })
  createdAt!: Date;

  @Property(countColumn())
  syncVersion!: number;

  @Property({ type: 'timestamptz' })
  updatedAt!: Date;
}

/** The last bill number of each series (one series per period): taken and bumped under its row lock. */
@Entity({ tableName: 'bill_number_counter' })
export class BillNumberCounter {
  @PrimaryKey({ type: 'text' })
  series!: string;

  @Property({ type: 'integer' })
  lastNumber!: number;
}

/** One row: the last bill change version and its time, for ERP pulls in commit order. */
@Entity({ tableName: 'bill_sync_counter' })
export class BillSyncCounter {
  @PrimaryKey({ type: 'integer', autoincrement: false })
  id!: number;

  @Property(countColumn())
  version!: number;

  @Property({ type: 'timestamptz' })
  updatedAt!: Date;
}

/**
 * A tenant's period that settlement closed with nothing to bill (no usage, no commitment). It is
 * settled as a billed period is: usage for it that arrives afterwards is late usage, on the next
 * bill; earlier periods are not settled after it, and contract terms up to it never change.
 */
@Entity({ tableName: 'settled_empty_period' })
@TenantOwned('tenantId')
export class SettledEmptyPeriod {
  [OptionalProps]?: 'settlementRunId';

  @PrimaryKey({ type: 'text' })
  tenantId!: string;

  /** First local day of the period ("2026-10-01"). */
  @PrimaryKey({ type: 'date' })
  periodStart!: string;

  /** Usage rows up to this sequence number were settled (into earlier bills, or there were none). */
  @Property(countColumn())
  usageWatermark!: number;

  @Property({ type: 'timestamptz' })
  settledAt!: Date;

  @Property({ type: 'text', nullable: true })
  settlementRunId?: string | null;
}

export enum SettlementRunStatus {
  RUNNING = 'RUNNING',
  COMPLETED = 'COMPLETED',
  FAILED = 'FAILED',
  INTERRUPTED = 'INTERRUPTED',
}

/** Why a settlement run could not bill a tenant. */
export enum SettlementFailureCode {
  PERIOD_NOT_ENDED = 'PERIOD_NOT_ENDED',
  LATER_PERIOD_BILLED = 'LATER_PERIOD_BILLED',
  EARLIER_PERIOD_UNSETTLED = 'EARLIER_PERIOD_UNSETTLED',
  INTERNAL_ERROR = 'INTERNAL_ERROR',
}

export interface SettlementFailure {
  tenantId: string;
  code: SettlementFailureCode;
  message: string;
}

/** One settlement of a period over many tenants, with its progress. */
@Entity({ tableName: 'settlement_run' })
@Unique({ name: 'settlement_run_idempotency_unique', properties: ['idempotencyKey'] })
export class SettlementRun {
  [OptionalProps]?: 'tenantIds' | 'finishedAt' | 'createdByTokenId' | 'failures';

  @PrimaryKey({ type: 'text' })
  id: string = newId('SettlementRun');

  /** "2026-10" */
  @Property({ type: 'text' })
  period!: string;

  /** The tenants asked for; null for every tenant. */
  @Property({ type: 'text[]', nullable: true })
  tenantIds?: string[] | null;

  @Property({ type: 'text' })
  idempotencyKey!: string;

  @Enum({ items: () => SettlementRunStatus, nativeEnumName: 'settlement_run_status' })
  status!: SettlementRunStatus;

  @Property({ type: 'integer' })
  tenantCount!: number;

  @Property({ type: 'integer' })
  billedCount!: number;

  @Property({ type: 'integer' })
  skippedCount!: number;

  @Property({ type: 'integer' })
  failedCount!: number;

  @Property({ type: 'jsonb' })
  failures: SettlementFailure[] = [];

  @Property({ type: 'timestamptz' })
  startedAt!: Date;

  /** Written with each progress step: a RUNNING run with an old heartbeat lost its process. */
  @Property({ type: 'timestamptz' })
  heartbeatAt!: Date;

  @Property({ type: 'timestamptz', nullable: true })
  finishedAt?: Date | null;

  @Property({ type: 'text', nullable: true })
  createdByTokenId?: string | null;
}
