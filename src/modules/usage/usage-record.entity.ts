import { BigIntType } from '@mikro-orm/core';
import { Entity, Enum, Index, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { CurrencyCode } from '../../platform/money.js';
import { TenantOwned } from '../../platform/database/tenant-scope.js';
import { countColumn } from '../../platform/database/columns.js';

export enum UsageKind {
  CHAT = 'CHAT',
  EMBEDDING = 'EMBEDDING',
  IMAGE = 'IMAGE',
  VIDEO = 'VIDEO',
  AUDIO = 'AUDIO',
}

export enum UsageStatus {
  SUCCEEDED = 'SUCCEEDED',
  FAILED = 'FAILED',
}

/** Why a record was or was not charged. */
export enum ChargeReason {
  SUCCEEDED = 'SUCCEEDED',
  FAILED_CHARGED_BY_POLICY = 'FAILED_CHARGED_BY_POLICY',
  FAILED_NOT_CHARGED_BY_POLICY = 'FAILED_NOT_CHARGED_BY_POLICY',
}

/**
 * One gateway request, priced when recorded. Written only by the set-based insert in
 * usage.repository.ts; this mapping serves reads. Tenant and department come from the key.
 * Ids are plain columns, not relations: the ingestion path never loads entities.
 *
 * The table is partitioned by month of occurredAt (UTC), declared in its migrations rather than
 * here (MikroORM leaves partitioning it is not told of alone): see usage-partitions.ts. A
 * partitioned table's keys must hold the partition key, so the primary key is (tenant, occurredAt,
 * id), which also serves a tenant's reads by time, and a requestId is kept unique per tenant, for
 * good, by UsageRequest instead.
 */
@Entity({ tableName: 'usage_record' })
@Index({ name: 'usage_record_id_index', properties: ['id'] })
@Index({
  name: 'usage_record_task_index',
  expression: 'create index "usage_record_task_index" on "usage_record" ("tenant_id", "task_id") where "task_id" is not null',
})
@TenantOwned('tenantId')
export class UsageRecord {
  @PrimaryKey({ type: 'text' })
  tenantId!: string;

  @PrimaryKey({ type: 'timestamptz' })
  occurredAt!: Date;

  @PrimaryKey({ type: 'text' })
  id!: string;

  @Property({ type: 'text' })
  departmentId!: string;

  @Property({ type: 'text' })
  apiKeyId!: string;

  @Property({ type: 'text' })
  requestId!: string;

  @Property({ type: 'text' })
  model!: string;

  /** The price version the record was priced with. */
  @Property({ type: 'text' })
  priceId!: string;

  @Enum({ items: () => UsageKind, nativeEnumName: 'usage_kind' })
  kind!: UsageKind;

  @Enum({ items: () => UsageStatus, nativeEnumName: 'usage_status' })
  status!: UsageStatus;

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

  /** Exact price of the usage at its version's rates, charged or not. */
  @Property({ type: 'decimal', precision: 30, scale: 16 })
  cost!: string;

  /** What the tenant pays: the cost, or 0 when not charged. */
  @Property({ type: 'decimal', precision: 30, scale: 16 })
  chargedAmount!: string;

  @Property({ type: 'boolean' })
  isCharged!: boolean;

  @Enum({ items: () => ChargeReason, nativeEnumName: 'charge_reason' })
  chargeReason!: ChargeReason;

  @Enum({ items: () => CurrencyCode, nativeEnumName: 'currency_code' })
  currency!: CurrencyCode;

  @Property({ type: 'text', nullable: true })
  endUserTag?: string | null;

  @Property({ type: 'text', nullable: true })
  taskId?: string | null;

  @Property({ type: 'timestamptz' })
  recordedAt!: Date;

  /** Order of recording, for settlement: a bill takes usage up to a watermark of it (see takeUsageWatermark). */
  @Property({ type: new BigIntType('number'), autoincrement: true })
  seq!: number;
}

/**
 * A requestId a tenant has recorded, kept for good (archiving usage partitions leaves it): the
 * dedupe of usage, which a partitioned usage_record cannot enforce itself across its months.
 * Written only by the usage ingestion: the insert, in the same statement as the record, and the
 * count of the duplicates that arrive after it.
 */
@Entity({ tableName: 'usage_request' })
@TenantOwned('tenantId')
export class UsageRequest {
  @PrimaryKey({ type: 'text' })
  tenantId!: string;

  @PrimaryKey({ type: 'text' })
  requestId!: string;

  /** The record's occurredAt: where (which month's partition) the record is. */
  @Property({ type: 'timestamptz' })
  occurredAt!: Date;

  /** Records with this requestId that arrived after the first, each refused as a duplicate. */
  @Property({ type: 'integer', default: 0 })
  duplicateCount!: number;

  @Property({ type: 'timestamptz', nullable: true })
  lastDuplicateAt?: Date | null;
}
