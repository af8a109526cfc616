import type { FilterQuery } from '@mikro-orm/postgresql';
import type pg from 'pg';
import { z } from 'zod';
import type { RequestContext } from '../../context.js';
import { requireRole, tenantScope } from '../../platform/auth/actor.js';
import { SPEND_READERS, USAGE_AUTHORIZERS } from '../../platform/auth/roles.js';
import { nativePool } from '../../platform/database/sql.js';
import { BadInputError } from '../../platform/errors.js';
import { OrderDirection, paginate, type PageArgs } from '../../platform/graphql/relay.js';
import { newId } from '../../platform/ids.js';
import { decimal, type Decimal } from '../../platform/money.js';
import { UserErrorCode, UserInputErrors } from '../../platform/user-errors.js';
import { argumentId, inputId, requiredText, validateInput } from '../../platform/validation.js';
import { raiseBudgetAlerts } from '../alert/alert.service.js';
import { budgetOccasions } from '../budget/budget-evaluation.js';
import { hardStageBudgetsOf, liveBudgetsOf } from '../budget/budget.repository.js';
import { usageCost } from '../price/rating.js';
import { addStageSpend } from '../spend/spend.repository.js';
import { resolveSpendScope } from '../spend/spend.service.js';
import { checkKeyToReserve, holdForRequest, standingAnswer } from '../usage/usage-authorization.service.js';
import { GatewayCheck } from '../usage/usage-denial.entity.js';
import { ChargeReason, UsageKind, UsageRequest, UsageStatus } from '../usage/usage-record.entity.js';
import type { PricedUsageRow } from '../usage/usage.repository.js';
import type { UsageAuthorization } from '../usage/usage.types.js';
import { appendTaskEvent, completeTask as writeCompletion, insertTask, lockTask, type LockedTask, type NewTask } from './task.repository.js';
import type { UsageTaskCompleteInput, UsageTaskFilterInput, UsageTaskSubmitInput } from './task.types.js';
import { TaskEventType, TaskStatus, UsageTask } from './usage-task.entity.js';

/**
 * How long a task's estimate is held when it does not complete: generation queues can take a
 * while, and a completion after that is still recorded (only the hold lapses).
 */
export const TASK_HOLD_TTL_MS = 60 * 60 * 1000;

const MAX_TEXT = 128;
const MAX_FAILURE_REASON = 500;
const MAX_COUNT = 100;
const MAX_DURATION_SECONDS = 3_600;
const MAX_MADE = 1_000_000;

const submitInput = z.object({
  requestId: requiredText(MAX_TEXT),
  model: requiredText(MAX_TEXT),
  kind: z.enum([UsageKind.IMAGE, UsageKind.VIDEO], { message: 'must be IMAGE or VIDEO: tasks are image and video generation' }),
  parameters: z.object({
    ratio: z
      .string()
      .regex(/^[1-9]\d{0,3}:[1-9]\d{0,3}$/, 'must be width:height in whole numbers, like "16:9"')
      .nullish(),
    resolution: z
      .string()
      .regex(/^([1-9]\d{1,4}x[1-9]\d{1,4}|[1-9]\d{2,3}p|[248]K)$/, 'must be WIDTHxHEIGHT ("1024x1024"), lines ("1080p") or 2K, 4K, 8K')
      .nullish(),
    durationSeconds: z.number().int('must be whole seconds').min(1, 'must be at least 1').max(MAX_DURATION_SECONDS, 'must be at most 3,600').nullish(),
    count: z.number().int('must be a whole number').min(1, 'must be at least 1').max(MAX_COUNT, `must be at most ${MAX_COUNT}`),
  }),
});

const made = z.number().int('must be a whole number').min(0, 'must not be negative').max(MAX_MADE, 'must be at most 1,000,000');
const completeInput = z.object({
  outcome: z.enum(UsageStatus),
  imageCount: made.nullish(),
  videoSeconds: made.nullish(),
  failureReason: requiredText(MAX_FAILURE_REASON).nullish(),
});

/** Tasks make images or video: their usage has no tokens. */
const NO_TOKENS = { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0 };

type Made = { imageCount: number; videoSeconds: number };

/** What a task asks for, priced: its images, or its videos' seconds. */
function asked(task: Pick<NewTask, 'kind' | 'count' | 'durationSeconds'>): Made {
  return task.kind === UsageKind.IMAGE
    ? { imageCount: task.count, videoSeconds: 0 }
    : { imageCount: 0, videoSeconds: task.count * (task.durationSeconds ?? 0) };
}

/** What a task asks for, in words: "4 images at 1024x1024, 16:9", "2 videos of 5 s at 1080p". */
function askedFor(task: Pick<NewTask, 'kind' | 'count' | 'durationSeconds' | 'resolution' | 'ratio'>): string {
  const what =
    task.kind === UsageKind.VIDEO
      ? `${task.count} video${task.count === 1 ? '' : 's'} of ${task.durationSeconds} s`
      : `${task.count} image${task.count === 1 ? '' : 's'}`;
  const shape = [task.resolution, task.ratio].filter(Boolean).join(', ');
  return shape ? `${what} at ${shape}` : what;
}

const money = (amount: Decimal | string, currency: string) => `${decimal(amount).toFixed()} ${currency}`;

/**
 * The gateway's submission of an image or video task: the key's checks, then its estimate (the
 * asked-for images or video seconds at the price in force) held against every limit of the key and
 * every hard budget of the task's stage on the key's scopes, exactly, as usageReserve holds. The
 * task is written with its hold, in one transaction. Submitting a requestId again answers its task.
 */
export async function submitTask(context: RequestContext, input: UsageTaskSubmitInput): Promise<{ authorization: UsageAuthorization; task: UsageTask | null }> {
  requireRole(context.actor, USAGE_AUTHORIZERS);
  const values = validateInput(submitInput, input);
  const { parameters } = values;
  if (values.kind === UsageKind.VIDEO && parameters.durationSeconds == null) {
    throw UserInputErrors.single(UserErrorCode.BLANK, ['input', 'parameters', 'durationSeconds'], 'durationSeconds is required for a VIDEO task');
  }
  if (values.kind === UsageKind.IMAGE && parameters.durationSeconds != null) {
    throw UserInputErrors.single(
      UserErrorCode.INVALID,
      ['input', 'parameters', 'durationSeconds'],
      'durationSeconds is for VIDEO tasks; an IMAGE task has none',
    );
  }
  const now = context.clock.now();
  const keyCheck = await checkKeyToReserve(context, GatewayCheck.TASK_SUBMIT, input.apiKeySecret, values.model, now);
  if (!keyCheck.facts) return { authorization: keyCheck.refusal, task: null };
  const { facts } = keyCheck;
  const { requestId } = values;
  const submitted = await context.em.findOne(UsageTask, { tenantId: facts.tenantId, requestId });
  if (submitted) return { authorization: standingAnswer(facts), task: await repeatedSubmission(context, submitted, values) };
  if (await context.em.findOne(UsageRequest, { tenantId: facts.tenantId, requestId })) {
    throw UserInputErrors.single(UserErrorCode.TAKEN, ['input', 'requestId'], 'requestId is taken: usage of a call with it is recorded already');
  }

  const durationSeconds = parameters.durationSeconds ?? null;
  const amount = usageCost(facts.price!, { ...NO_TOKENS, ...asked({ kind: values.kind, count: parameters.count, durationSeconds }) });
  const task: NewTask = {
    id: newId('UsageTask'),
    tenantId: facts.tenantId,
    departmentId: facts.departmentId,
    apiKeyId: facts.apiKeyId,
    requestId,
    model: values.model,
    kind: values.kind,
    stage: input.stage,
    ratio: parameters.ratio ?? null,
    resolution: parameters.resolution ?? null,
    durationSeconds,
    count: parameters.count,
    estimatedAmount: amount.toFixed(),
    currency: facts.billingCurrency,
    submittedAt: now,
    holdExpiresAt: new Date(now.getTime() + TASK_HOLD_TTL_MS),
  };
  const budgets = await hardStageBudgetsOf(await nativePool(context.em), facts.apiKeyId, input.stage, now);
  const { authorization, heldUntil } = await holdForRequest(context, GatewayCheck.TASK_SUBMIT, values.model, facts, {
    requestId,
    amount,
    estimatedTokens: 0,
    ttlMs: TASK_HOLD_TTL_MS,
    stage: { stage: input.stage, budgets },
    placed: async (client) => {
      const message = `Submitted as ${input.stage}: ${askedFor(task)}; held ${money(amount, task.currency)} until ${task.holdExpiresAt.toISOString()}.`;
      await insertTask(client, task, message);
    },
  });
  if (!heldUntil) return { authorization, task: null };
  // A concurrent submission of the same requestId may have written the task first: answer that one.
  return { authorization, task: await context.em.findOneOrFail(UsageTask, { tenantId: facts.tenantId, requestId }, { refresh: true }) };
}

/** A submission again of a task's requestId (a retry): the same task, with the repeat in its history; other terms are refused. */
async function repeatedSubmission(context: RequestContext, task: UsageTask, values: z.output<typeof submitInput>): Promise<UsageTask> {
  if (task.model !== values.model || task.kind !== values.kind) {
    throw UserInputErrors.single(
      UserErrorCode.TAKEN,
      ['input', 'requestId'],
      `requestId is taken by task ${task.id}, of ${task.kind} on model "${task.model}"`,
    );
  }
  await appendTaskEvent(await nativePool(context.em), {
    tenantId: task.tenantId,
    taskId: task.id,
    type: TaskEventType.SUBMIT_REPEATED,
    at: context.clock.now(),
    message: `Submitted again with requestId "${task.requestId}": answered with this task (${task.status}); nothing held again.`,
  });
  return task;
}

/** What the task's usage is: what was made when it succeeded; when it failed, what was made if given, else what was asked for. */
function usageMade(task: LockedTask, values: z.output<typeof completeInput>): Made {
  const [field, other] = task.kind === UsageKind.IMAGE ? (['imageCount', 'videoSeconds'] as const) : (['videoSeconds', 'imageCount'] as const);
  if (values[other] != null) throw UserInputErrors.single(UserErrorCode.INVALID, ['input', other], `${other} is not made by a ${task.kind} task`);
  const given = values[field];
  if (given == null && values.outcome === UsageStatus.SUCCEEDED) {
    throw UserInputErrors.single(UserErrorCode.BLANK, ['input', field], `${field} is required: what the ${task.kind} task made`);
  }
  return given == null ? asked(task) : { ...asked(task), [field]: given };
}

function completionMessage(task: LockedTask, status: TaskStatus, made: Made, charged: string, reason: ChargeReason, failureReason: string | null): string {
  const quantity = task.kind === UsageKind.IMAGE ? `${made.imageCount} image${made.imageCount === 1 ? '' : 's'}` : `${made.videoSeconds} s of video`;
  const amount = money(charged, task.currency);
  if (status === TaskStatus.SUCCEEDED) return `Succeeded: ${quantity}; charged ${amount}.`;
  const policy =
    reason === ChargeReason.FAILED_CHARGED_BY_POLICY
      ? `charged ${amount} for ${quantity}: the tenant's failed-request policy charges failed requests`
      : `not charged: the tenant's failed-request policy does not charge failed requests`;
  return `Failed: ${failureReason}; ${policy}.`;
}

/**
 * The gateway's report of how a task ended. In one transaction: the task is locked (one completion
 * at a time), its usage recorded by the ingestion steps (priced at submission, charged or not by
 * the tenant's failed-request policy; the hold ends, spend, balance and budgets move as for any
 * call), the spend of its stage moved and its stage budgets' alerts raised, and the task completed.
 * Completing it again with the same outcome answers the task; another outcome is refused.
 */
export async function completeTask(context: RequestContext, input: UsageTaskCompleteInput): Promise<UsageTask> {
  requireRole(context.actor, USAGE_AUTHORIZERS);
  const taskId = inputId('UsageTask', input.taskId, ['input', 'taskId']);
  const values = validateInput(completeInput, input);
  if (values.outcome === UsageStatus.FAILED && values.failureReason == null) {
    throw UserInputErrors.single(UserErrorCode.BLANK, ['input', 'failureReason'], 'failureReason is required when the task FAILED');
  }
  if (values.outcome === UsageStatus.SUCCEEDED && values.failureReason != null) {
    throw UserInputErrors.single(UserErrorCode.INVALID, ['input', 'failureReason'], 'failureReason is only for a FAILED task');
  }
  const now = context.clock.now();
  const isRecorded = await context.usageBatches.withRecording(async (client, record) => {
    const task = await lockTask(client, taskId);
    if (!task) throw UserInputErrors.single(UserErrorCode.NOT_FOUND, ['input', 'taskId'], 'taskId names no task');
    const status = values.outcome === UsageStatus.SUCCEEDED ? TaskStatus.SUCCEEDED : TaskStatus.FAILED;
    if (task.status !== TaskStatus.RUNNING) {
      if (task.status !== status) {
        throw UserInputErrors.single(UserErrorCode.INVALID_STATE, ['input', 'outcome'], `the task has ${task.status} already; it is not completed again`);
      }
      const message = `Completed again as ${status}: nothing recorded again.`;
      await appendTaskEvent(client, { tenantId: task.tenantId, taskId: task.id, type: TaskEventType.COMPLETE_REPEATED, at: now, message });
      return false;
    }
    const made = usageMade(task, values);
    const recorded = await record({
      requestId: task.requestId,
      apiKeyId: task.apiKeyId,
      model: task.model,
      kind: task.kind,
      status: values.outcome,
      ...NO_TOKENS,
      ...made,
      taskId: task.id,
      endUserTag: null,
      occurredAt: task.submittedAt,
    });
    if (!recorded.row) {
      const message = recorded.rejection?.message ?? 'its requestId was recorded by usageRecord already';
      throw UserInputErrors.single(UserErrorCode.INVALID_STATE, ['input', 'taskId'], `the task's usage cannot be recorded: ${message}`);
    }
    const { row } = recorded;
    if (row.is_charged && decimal(row.charged_amount).gt(0)) await moveStageSpend(client, task, row, now);
    const failureReason = values.failureReason ?? null;
    const completion = {
      status,
      completedAt: now,
      imageCount: task.kind === UsageKind.IMAGE ? made.imageCount : null,
      videoSeconds: task.kind === UsageKind.VIDEO ? made.videoSeconds : null,
      chargedAmount: row.charged_amount,
      chargeReason: row.charge_reason,
      failureReason,
    };
    await writeCompletion(client, task, completion, completionMessage(task, status, made, row.charged_amount, row.charge_reason, failureReason));
    return true;
  });
  if (isRecorded) context.metrics.usageRecords.inc({ outcome: 'accepted', code: '' });
  return context.em.findOneOrFail(UsageTask, { id: taskId }, { refresh: true });
}

/** The task's charge into its stage's spend (in the scopes its usage record counts in), and the stage budgets' alerts it brings about. */
async function moveStageSpend(client: pg.ClientBase, task: LockedTask, record: PricedUsageRow, now: Date): Promise<void> {
  const charge = {
    tenantId: record.tenant_id,
    departmentId: record.department_id,
    apiKeyId: record.api_key_id,
    stage: task.stage,
    occurredAt: task.submittedAt,
    spent: record.charged_amount,
  };
  const counters = await addStageSpend(client, charge, now);
  const budgets = await liveBudgetsOf(client, [...new Set(counters.map((counter) => counter.scopeId))], now, task.stage);
  if (budgets.length === 0) return;
  await raiseBudgetAlerts(client, budgetOccasions(counters, budgets), { [task.tenantId]: task.currency }, now);
}

/** Tasks, newest first. */
export async function listTasks(context: RequestContext, filter: UsageTaskFilterInput | null, page: PageArgs) {
  requireRole(context.actor, SPEND_READERS);
  const where: FilterQuery<UsageTask>[] = [];
  const tenantId = tenantScope(context.actor, filter?.tenantId ? argumentId('Tenant', filter.tenantId, 'filter.tenantId') : null);
  if (tenantId) where.push({ tenantId });
  if (filter?.apiKeyId) where.push({ apiKeyId: (await resolveSpendScope(context, { apiKeyId: filter.apiKeyId }, 'filter')).id });
  if (filter?.requestId != null) {
    if (!tenantId) throw new BadInputError('filter.requestId needs filter.tenantId: requestIds are unique per tenant.', ['filter', 'tenantId']);
    where.push({ requestId: filter.requestId });
  }
  if (filter?.stage) where.push({ stage: filter.stage });
  if (filter?.status) where.push({ status: filter.status });
  if (filter?.from && filter?.to && filter.to <= filter.from) throw new BadInputError('filter.to must be after filter.from.', ['filter', 'to']);
  if (filter?.from) where.push({ submittedAt: { $gte: filter.from } });
  if (filter?.to) where.push({ submittedAt: { $lt: filter.to } });
  return paginate({ em: context.em, entity: UsageTask, where: { $and: where }, sortField: 'submittedAt', direction: OrderDirection.DESC, page });
}

export async function findTask(context: RequestContext, id: string): Promise<UsageTask | null> {
  requireRole(context.actor, SPEND_READERS);
  return context.em.findOne(UsageTask, { id });
}
