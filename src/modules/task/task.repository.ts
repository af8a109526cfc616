import type pg from 'pg';
import { parseTimestamptz } from '../../platform/database/sql.js';
import type { CurrencyCode } from '../../platform/money.js';
import type { TaskStage } from '../spend/spend-counter.entity.js';
import type { ChargeReason, UsageKind } from '../usage/usage-record.entity.js';
import { TaskEventType, TaskStatus } from './usage-task.entity.js';

/*
 * usage_task and usage_task_event, written here only, in the transactions of the gateway's task
 * calls: a task is inserted with the hold its submission places, and completed with the usage it
 * records. Every change appends its step to the task's history.
 */

/** A task as submitted. */
export interface NewTask {
  id: string;
  tenantId: string;
  departmentId: string;
  apiKeyId: string;
  requestId: string;
  model: string;
  kind: UsageKind;
  stage: TaskStage;
  ratio: string | null;
  resolution: string | null;
  durationSeconds: number | null;
  count: number;
  estimatedAmount: string;
  currency: CurrencyCode;
  submittedAt: Date;
  holdExpiresAt: Date;
}

/** A history step to append. */
export interface TaskEvent {
  tenantId: string;
  taskId: string;
  type: TaskEventType;
  at: Date;
  message: string;
}

export async function appendTaskEvent(client: pg.ClientBase | pg.Pool, event: TaskEvent): Promise<void> {
  await client.query({
    name: 'task-event',
    text: 'insert into usage_task_event (tenant_id, task_id, type, at, message) values ($1, $2, $3, $4, $5)',
    values: [event.tenantId, event.taskId, event.type, event.at, event.message],
  });
}

/** Inserts a submitted task, RUNNING, with its first step; false when the tenant has a task of that requestId already. */
export async function insertTask(client: pg.ClientBase, task: NewTask, message: string): Promise<boolean> {
  const { rowCount } = await client.query({
    name: 'task-insert',
    text: `insert into usage_task (id, tenant_id, department_id, api_key_id, request_id, model, kind, stage, status, ratio, resolution,
                                   duration_seconds, count, estimated_amount, currency, submitted_at, hold_expires_at)
           values ($1, $2, $3, $4, $5, $6, $7, $8, 'RUNNING', $9, $10, $11, $12, $13, $14, $15, $16)
           on conflict (tenant_id, request_id) do nothing`,
    values: [
      task.id,
      task.tenantId,
      task.departmentId,
      task.apiKeyId,
      task.requestId,
      task.model,
      task.kind,
      task.stage,
      task.ratio,
      task.resolution,
      task.durationSeconds,
      task.count,
      task.estimatedAmount,
      task.currency,
      task.submittedAt,
      task.holdExpiresAt,
    ],
  });
  if (rowCount !== 1) return false;
  await appendTaskEvent(client, { tenantId: task.tenantId, taskId: task.id, type: TaskEventType.SUBMITTED, at: task.submittedAt, message });
  return true;
}

/** A task as completing reads it, locked until the transaction ends. */
export interface LockedTask extends NewTask {
  status: TaskStatus;
  imageCount: number | null;
  videoSeconds: number | null;
}

/** Locks a task for completion: one completion of a task at a time. Null when there is none. */
export async function lockTask(client: pg.ClientBase, taskId: string): Promise<LockedTask | null> {
  const { rows } = await client.query<Omit<LockedTask, 'submittedAt' | 'holdExpiresAt'> & { submittedAt: string; holdExpiresAt: string }>({
    name: 'task-lock',
    text: `select id, tenant_id as "tenantId", department_id as "departmentId", api_key_id as "apiKeyId", request_id as "requestId", model, kind, stage, status, ratio, resolution, duration_seconds as "durationSeconds", count,
                  estimated_amount::text as "estimatedAmount", currency, submitted_at as "submittedAt", hold_expires_at as "holdExpiresAt",
                  image_count as "imageCount", video_seconds as "videoSeconds"
             from usage_task where id = $1 for update`,
    values: [taskId],
  });
  const [row] = rows;
  return row ? { ...row, submittedAt: parseTimestamptz(row.submittedAt), holdExpiresAt: parseTimestamptz(row.holdExpiresAt) } : null;
}

/** How a task ended. */
export interface TaskCompletion {
  status: TaskStatus;
  completedAt: Date;
  /** What it made: images for an IMAGE task, video seconds for a VIDEO one; the other is null. */
  imageCount: number | null;
  videoSeconds: number | null;
  chargedAmount: string;
  chargeReason: ChargeReason;
  failureReason: string | null;
}

/** Completes a locked task, with its last step. */
export async function completeTask(client: pg.ClientBase, task: LockedTask, completion: TaskCompletion, message: string): Promise<void> {
  await client.query({
    name: 'task-complete',
    text: `update usage_task
              set status = $3, completed_at = $4, image_count = $5, video_seconds = $6, charged_amount = $7, charge_reason = $8, failure_reason = $9
            where id = $1 and tenant_id = $2`,
    values: [
      task.id,
      task.tenantId,
      completion.status,
      completion.completedAt,
      completion.imageCount,
      completion.videoSeconds,
      completion.chargedAmount,
      completion.chargeReason,
      completion.failureReason,
    ],
  });
  const type = completion.status === TaskStatus.SUCCEEDED ? TaskEventType.SUCCEEDED : TaskEventType.FAILED;
  await appendTaskEvent(client, { tenantId: task.tenantId, taskId: task.id, type, at: completion.completedAt, message });
}
