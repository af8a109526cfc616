import { Entity, Enum, Index, PrimaryKey, Property, Unique } from '@mikro-orm/decorators/legacy';
import { TenantOwned } from '../../platform/database/tenant-scope.js';
import { newId } from '../../platform/ids.js';
import { CurrencyCode } from '../../platform/money.js';
import { TaskStage } from '../spend/spend-counter.entity.js';
import { ChargeReason, UsageKind } from '../usage/usage-record.entity.js';

export enum TaskStatus {
  /** Submitted, its estimate held, not completed yet. */
  RUNNING = 'RUNNING',
  SUCCEEDED = 'SUCCEEDED',
  FAILED = 'FAILED',
}

/** What happened to a task, in its history. */
export enum TaskEventType {
  SUBMITTED = 'SUBMITTED',
  /** usageTaskSubmit again with the task's requestId: answered with the task, nothing held again. */
  SUBMIT_REPEATED = 'SUBMIT_REPEATED',
  SUCCEEDED = 'SUCCEEDED',
  FAILED = 'FAILED',
  /** usageTaskComplete again with the same outcome: answered with the task, nothing charged again. */
  COMPLETE_REPEATED = 'COMPLETE_REPEATED',
}

/**
 * An image or video generation task (usageTaskSubmit): its estimate is held against every limit
 * while it runs, like a reservation, and completing it records its usage (usageTaskComplete).
 * Written only by task.repository.ts. Unique per tenant by requestId, which its usage record keeps.
 */
@Entity({ tableName: 'usage_task' })
@Unique({ name: 'usage_task_request_unique', properties: ['tenantId', 'requestId'] })
@Index({ name: 'usage_task_tenant_submitted_index', properties: ['tenantId', 'submittedAt', 'id'] })
@TenantOwned('tenantId')
export class UsageTask {
  @PrimaryKey({ type: 'text' })
  id: string = newId('UsageTask');

  @PrimaryKey({ type: 'text' })
  tenantId!: string;

  /** The key's department when the task was submitted. */
  @Property({ type: 'text' })
  departmentId!: string;

  @Property({ type: 'text' })
  apiKeyId!: string;

  @Property({ type: 'text' })
  requestId!: string;

  @Property({ type: 'text' })
  model!: string;

  /** IMAGE or VIDEO. */
  @Enum({ items: () => UsageKind, nativeEnumName: 'usage_kind' })
  kind!: UsageKind;

  @Enum({ items: () => TaskStage, nativeEnumName: 'task_stage' })
  stage!: TaskStage;

  @Enum({ items: () => TaskStatus, nativeEnumName: 'task_status' })
  status!: TaskStatus;

  /** Aspect ratio asked for, "16:9". */
  @Property({ type: 'text', nullable: true })
  ratio?: string | null;

  /** Resolution asked for, "1024x1024" or "1080p". */
  @Property({ type: 'text', nullable: true })
  resolution?: string | null;

  /** Seconds of each video asked for (VIDEO). */
  @Property({ type: 'integer', nullable: true })
  durationSeconds?: number | null;

  /** Images or videos asked for. */
  @Property({ type: 'integer' })
  count!: number;

  @Property({ type: 'decimal', precision: 30, scale: 16 })
  estimatedAmount!: string;

  @Enum({ items: () => CurrencyCode, nativeEnumName: 'currency_code' })
  currency!: CurrencyCode;

  @Property({ type: 'timestamptz' })
  submittedAt!: Date;

  /** When the estimate stops counting against limits if the task has not completed. */
  @Property({ type: 'timestamptz' })
  holdExpiresAt!: Date;

  @Property({ type: 'timestamptz', nullable: true })
  completedAt?: Date | null;

  /** Images made, once completed. */
  @Property({ type: 'integer', nullable: true })
  imageCount?: number | null;

  /** Video seconds made, once completed. */
  @Property({ type: 'integer', nullable: true })
  videoSeconds?: number | null;

  /** Charged for it, once completed: its usage record's charged amount. */
  @Property({ type: 'decimal', precision: 30, scale: 16, nullable: true })
  chargedAmount?: string | null;

  @Enum({ items: () => ChargeReason, nativeEnumName: 'charge_reason', nullable: true })
  chargeReason?: ChargeReason | null;

  @Property({ type: 'text', nullable: true })
  failureReason?: string | null;
}

/** One step of a task's history. Written only by task.repository.ts, with the task's change. */
@Entity({ tableName: 'usage_task_event' })
@Index({ name: 'usage_task_event_task_index', properties: ['tenantId', 'taskId', 'id'] })
@TenantOwned('tenantId')
export class UsageTaskEvent {
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @PrimaryKey({ type: 'text' })
  tenantId!: string;

  @Property({ type: 'text' })
  taskId!: string;

  @Enum({ items: () => TaskEventType, nativeEnumName: 'task_event_type' })
  type!: TaskEventType;

  @Property({ type: 'timestamptz' })
  at!: Date;

  /** What happened, with its figures: the estimate held, the quantities and amount charged, the failure reason. */
  @Property({ type: 'text' })
  message!: string;
}
