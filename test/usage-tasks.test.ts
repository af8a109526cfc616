import { randomUUID } from 'node:crypto';
import { FixedClock } from '../src/platform/clock.js';
import {
  AlertsDocument,
  BalanceTopUpDocument,
  BudgetsDocument,
  BudgetSetDocument,
  ContractCreateDocument,
  NodeDocument,
  TenantUpdateDocument,
  UsageRecordDocument,
  UsageTaskCompleteDocument,
  UsageTasksDocument,
  UsageTaskSubmitDocument,
  type UsageTaskCompleteInput,
  type UsageTaskSubmitInput,
} from './generated/graphql.js';
import type { World } from './support/fixtures.js';
import type { GraphQLClient, TestApp } from './support/harness.js';
import { PRICES, startUsageTest, toUnits } from './support/usage-fixtures.js';

/*
 * Image and video tasks (issue 17, item 3): a task's estimate is held while it runs, like a
 * reservation; completing it records its usage, charged by the tenant's failed-request policy; its
 * state and history are queryable; budgets limit DRAFT and FINAL work apart. Tenant a does not
 * charge failed requests (the default); tenant b, prepaid, does.
 */
const clock = new FixedClock(new Date('2026-11-30T02:00:00.000Z'));
let test: TestApp;
let world: World;
let gateway: GraphQLClient;
/** Tenant a's hard daily budgets on its child department: 0.20 CNY for DRAFT tasks, 10 CNY for FINAL ones. */
let draftBudgetId: string;

async function submit(input: Partial<UsageTaskSubmitInput> & Pick<UsageTaskSubmitInput, 'stage'>, secret = world.a.apiKeySecret) {
  const { usageTaskSubmit } = await gateway.data(UsageTaskSubmitDocument, {
    input: { apiKeySecret: secret, requestId: `task-${randomUUID()}`, model: PRICES.image.model, kind: 'IMAGE', parameters: { count: 1 }, ...input },
  });
  return usageTaskSubmit;
}

/** A task submitted and allowed: its id. */
async function submitted(input: Parameters<typeof submit>[0], secret?: string): Promise<string> {
  const answer = await submit(input, secret);
  expect(answer.userErrors).toEqual([]);
  expect(answer.authorization?.denial ?? null).toBeNull();
  return answer.task!.id;
}

async function complete(input: UsageTaskCompleteInput) {
  return (await gateway.data(UsageTaskCompleteDocument, { input })).usageTaskComplete;
}

async function taskOf(client: GraphQLClient, id: string, tenantId?: string) {
  const { usageTasks } = await client.data(UsageTasksDocument, { filter: { tenantId }, first: 20 });
  return usageTasks.nodes.find((task) => task.id === id) ?? null;
}

async function holdOf(requestId: string) {
  const { rows } = await test.sql.query<{ amount: string; scope_ids: string[] }>('select amount::text, scope_ids from spend_hold where request_id = $1', [
    requestId,
  ]);
  return rows[0] ?? null;
}

async function balanceOf(tenantId: string): Promise<string> {
  const { rows } = await test.sql.query<{ balance: string }>('select balance::text from balance_account where tenant_id = $1', [tenantId]);
  return rows[0].balance;
}

async function stageSpent(scopeId: string, stage: string): Promise<string> {
  const { rows } = await test.sql.query<{ spent: string }>(
    `select coalesce(sum(spent), 0)::text as spent from stage_spend_counter where scope_id = $1 and stage = $2 and period = 'DAILY'`,
    [scopeId, stage],
  );
  return rows[0].spent;
}

async function tableCounts() {
  const { rows } = await test.sql.query<{ tasks: number; events: number; records: number; holds: number }>(
    `select (select count(*)::int from usage_task) as tasks, (select count(*)::int from usage_task_event) as events,
            (select count(*)::int from usage_record) as records, (select count(*)::int from spend_hold) as holds`,
  );
  return rows[0];
}

beforeAll(async () => {
  ({ test, world, gateway } = await startUsageTest({ clock }));
  const budget = async (stage: 'DRAFT' | 'FINAL', limit: string, tenantId = world.a.id, departmentId = world.a.childDepartmentId, isHard = true) => {
    const { budgetSet } = await world.admin.data(BudgetSetDocument, {
      input: { scope: departmentId ? { departmentId } : { tenantId }, period: 'DAILY', limit, isHard, stage },
    });
    expect(budgetSet.userErrors).toEqual([]);
    return budgetSet.budget!.id;
  };
  draftBudgetId = await budget('DRAFT', '0.20');
  await budget('FINAL', '10');
  // Tenant b charges failed requests and pays from a prepaid balance.
  expect((await world.admin.data(TenantUpdateDocument, { input: { tenantId: world.b.id, failedRequestPolicy: 'CHARGED' } })).tenantUpdate.userErrors).toEqual(
    [],
  );
  const { contractCreate } = await world.admin.data(ContractCreateDocument, {
    input: { tenantId: world.b.id, type: 'PAY_AS_YOU_GO', startPeriod: '2026-11', terms: { billingMode: 'PREPAID' } },
  });
  expect(contractCreate.userErrors).toEqual([]);
  await world.admin.data(BalanceTopUpDocument, {
    input: { tenantId: world.b.id, amount: '100.00', paymentMethod: 'BANK_TRANSFER', reference: 'slip 1', idempotencyKey: randomUUID() },
  });
});
afterAll(() => test.stop());

describe('a task', () => {
  let taskId: string;
  const requestId = `img-${randomUUID()}`;

  it('holds its estimate while it runs', async () => {
    const answer = await submit({ requestId, stage: 'DRAFT', parameters: { count: 4, resolution: '1024x1024', ratio: '16:9' } });
    expect(answer.userErrors).toEqual([]);
    expect(answer.authorization).toMatchObject({ isAllowed: true, denial: null });
    // 4 images at 0.04 CNY each.
    expect(answer.task).toMatchObject({ status: 'RUNNING', stage: 'DRAFT', estimate: { amount: '0.16', currency: 'CNY' } });
    expect(answer.task!.holdExpiresAt).toBe('2026-11-30T03:00:00.000Z');
    taskId = answer.task!.id;
    const hold = await holdOf(requestId);
    expect(toUnits(hold!.amount)).toBe(toUnits('0.16'));
    // Held against what limits it: only the child department's DRAFT budget (tenant a has no other limit).
    expect(hold!.scope_ids).toEqual([`${world.a.childDepartmentId}/DRAFT`]);
  });

  it('records its usage when it succeeds, and ends the hold', async () => {
    const { task, userErrors } = await complete({ taskId, outcome: 'SUCCEEDED', imageCount: 3 });
    expect(userErrors).toEqual([]);
    expect(task).toMatchObject({
      id: taskId,
      status: 'SUCCEEDED',
      imageCount: 3,
      videoSeconds: null,
      chargedAmount: { amount: '0.12', currency: 'CNY' },
      chargeReason: 'SUCCEEDED',
      failureReason: null,
      completedAt: clock.now().toISOString(),
    });
    expect(await holdOf(requestId)).toBeNull();
    expect(toUnits(await stageSpent(world.a.childDepartmentId, 'DRAFT'))).toBe(toUnits('0.12'));
    expect(toUnits(await stageSpent(world.a.childDepartmentId, 'FINAL'))).toBe(0n);
  });

  it('is found with its state, history and usage record, by the tenant and the operator', async () => {
    for (const client of [test.client(world.a.tokens.TENANT_FINANCE), world.admin]) {
      const task = await taskOf(client, taskId, client === world.admin ? world.a.id : undefined);
      expect(task).toMatchObject({
        requestId,
        model: PRICES.image.model,
        kind: 'IMAGE',
        parameters: { ratio: '16:9', resolution: '1024x1024', durationSeconds: null, count: 4 },
        usageRecord: { requestId, taskId, status: 'SUCCEEDED', chargeReason: 'SUCCEEDED', isCharged: true, chargedAmount: { amount: '0.12' } },
        apiKey: { id: world.a.apiKeyId },
        department: { id: world.a.grandchildDepartmentId },
        tenant: { id: world.a.id },
      });
      expect(task!.apiKey.secretPrefix.length).toBeLessThan(world.a.apiKeySecret.length);
      expect(task!.history.map((event) => event.type)).toEqual(['SUBMITTED', 'SUCCEEDED']);
      expect(task!.history[0].message).toBe('Submitted as DRAFT: 4 images at 1024x1024, 16:9; held 0.16 CNY until 2026-11-30T03:00:00.000Z.');
      expect(task!.history[1].message).toBe('Succeeded: 3 images; charged 0.12 CNY.');
    }
    const filtered = await world.admin.data(UsageTasksDocument, { filter: { tenantId: world.a.id, requestId, stage: 'DRAFT', status: 'SUCCEEDED' } });
    expect(filtered.usageTasks.nodes.map((task) => task.id)).toEqual([taskId]);
  });

  it('answers a repeated submission with the same task, holding nothing again', async () => {
    const again = await submit({ requestId, stage: 'DRAFT', parameters: { count: 4 } });
    expect(again.userErrors).toEqual([]);
    expect(again.task).toMatchObject({ id: taskId, status: 'SUCCEEDED' });
    expect(await holdOf(requestId)).toBeNull();
    const repeatedComplete = await complete({ taskId, outcome: 'SUCCEEDED', imageCount: 3 });
    expect(repeatedComplete.userErrors).toEqual([]);
    const task = await taskOf(world.admin, taskId, world.a.id);
    expect(task!.history.map((event) => event.type)).toEqual(['SUBMITTED', 'SUCCEEDED', 'SUBMIT_REPEATED', 'COMPLETE_REPEATED']);
    expect(toUnits(await stageSpent(world.a.childDepartmentId, 'DRAFT'))).toBe(toUnits('0.12'));
    // Another outcome for a completed task is refused, and changes nothing.
    const before = await tableCounts();
    const refused = await complete({ taskId, outcome: 'FAILED', failureReason: 'late failure' });
    expect(refused.userErrors).toEqual([expect.objectContaining({ code: 'INVALID_STATE', field: ['input', 'outcome'] })]);
    expect(await tableCounts()).toEqual(before);
  });
});

describe('budgets of DRAFT and FINAL work', () => {
  it('refuse a task past its stage budget, counting the stage’s running tasks, and not the other stage', async () => {
    // 0.12 of the 0.20 DRAFT budget is spent: 4 more images (0.16) are too many, 2 (0.08) fit exactly.
    const refused = await submit({ stage: 'DRAFT', parameters: { count: 4 } });
    expect(refused.task).toBeNull();
    expect(refused.authorization!.denial).toMatchObject({
      code: 'BUDGET_EXCEEDED',
      httpStatus: 402,
      scope: { type: 'DEPARTMENT', id: world.a.childDepartmentId },
    });
    expect(refused.authorization!.denial!.message).toBe(
      `The daily DRAFT budget of department ${world.a.childDepartmentId} (0.20 CNY) has 0.08 left, less than the estimated cost of 0.16.`,
    );
    // The same work as FINAL output is within its own budget.
    const final = await submitted({ stage: 'FINAL', parameters: { count: 4 } });
    const running = await submitted({ stage: 'DRAFT', parameters: { count: 2 } });
    // The running DRAFT task holds what was left: one more draft image is refused, a final one is not.
    expect((await submit({ stage: 'DRAFT', parameters: { count: 1 } })).authorization!.denial!.message).toBe(
      `The daily DRAFT budget of department ${world.a.childDepartmentId} (0.20 CNY) is used up.`,
    );
    await submitted({ stage: 'FINAL', parameters: { count: 1 } });
    expect((await complete({ taskId: running, outcome: 'SUCCEEDED', imageCount: 2 })).userErrors).toEqual([]);
    expect((await complete({ taskId: final, outcome: 'SUCCEEDED', imageCount: 4 })).userErrors).toEqual([]);
    expect(toUnits(await stageSpent(world.a.childDepartmentId, 'DRAFT'))).toBe(toUnits('0.20'));
    expect(toUnits(await stageSpent(world.a.childDepartmentId, 'FINAL'))).toBe(toUnits('0.16'));
  });

  it('show the stage’s spend, apart from all spend, and alert on it', async () => {
    const { budgets } = await world.admin.data(BudgetsDocument, { filter: { tenantId: world.a.id, scope: { departmentId: world.a.childDepartmentId } } });
    expect(budgets.nodes.map((budget) => [budget.stage, budget.spend.spent.amount, budget.limit.amount])).toEqual([
      ['DRAFT', '0.20', '0.20'],
      ['FINAL', '0.16', '10.00'],
    ]);
    const { alerts } = await world.admin.data(AlertsDocument, {
      filter: { tenantId: world.a.id, scope: { departmentId: world.a.childDepartmentId } },
      first: 10,
    });
    expect(alerts.nodes.map((alert) => [alert.type, alert.threshold, alert.budget?.id]).sort()).toEqual([
      ['BUDGET_EXHAUSTED', 100, draftBudgetId],
      ['BUDGET_THRESHOLD', 50, draftBudgetId],
      ['BUDGET_THRESHOLD', 80, draftBudgetId],
    ]);
    expect(alerts.nodes.find((alert) => alert.threshold === 100)!.message).toBe(
      'Spend of department "Platform" on DRAFT tasks reached its daily budget of 0.20 CNY (spent 0.20 CNY).',
    );
  });

  it('hold under concurrency: 20 drafts at once against room for 5', async () => {
    const { budgetSet } = await world.admin.data(BudgetSetDocument, {
      input: { scope: { departmentId: world.b.rootDepartmentId }, period: 'MONTHLY', limit: '0.20', isHard: true, stage: 'DRAFT' },
    });
    expect(budgetSet.userErrors).toEqual([]);
    const answers = await Promise.all(Array.from({ length: 20 }, () => submit({ stage: 'DRAFT', parameters: { count: 1 } }, world.b.apiKeySecret)));
    expect(answers.filter((answer) => answer.task).length).toBe(5);
    expect(new Set(answers.filter((answer) => !answer.task).map((answer) => answer.authorization!.denial!.code))).toEqual(new Set(['BUDGET_EXCEEDED']));
  });

  it('are refusals on record, under the check that made them', async () => {
    const deadline = Date.now() + 10_000;
    let rows: { code: string; count: number }[] = [];
    // Each server writes its counts once a second: wait until both refusals are written.
    const written = () => rows.reduce((sum, row) => sum + row.count, 0);
    while (written() < 2 && Date.now() < deadline) {
      ({ rows } = await test.sql.query(`select code, count::int as count from usage_denial where "check" = 'TASK_SUBMIT' and tenant_id = $1`, [world.a.id]));
      if (written() < 2) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(rows).toEqual([{ code: 'BUDGET_EXCEEDED', count: 2 }]);
  });
});

describe('a failed FINAL task', () => {
  const video = {
    model: PRICES.video.model,
    kind: 'VIDEO' as const,
    stage: 'FINAL' as const,
    parameters: { count: 2, durationSeconds: 5, resolution: '1080p' },
  };
  /** 2 videos of 5 s at 0.3333333333 CNY a second. */
  const estimate = '3.333333333';

  it('is not charged when the tenant’s policy charges no failed requests', async () => {
    const taskId = await submitted(video);
    const { task, userErrors } = await complete({ taskId, outcome: 'FAILED', failureReason: 'moderation refused the prompt' });
    expect(userErrors).toEqual([]);
    expect(task).toMatchObject({
      status: 'FAILED',
      videoSeconds: 10,
      chargedAmount: { amount: '0.00' },
      chargeReason: 'FAILED_NOT_CHARGED_BY_POLICY',
      failureReason: 'moderation refused the prompt',
    });
    const found = await taskOf(test.client(world.a.tokens.TENANT_ADMIN), taskId);
    expect(found!.usageRecord).toMatchObject({ status: 'FAILED', isCharged: false, chargeReason: 'FAILED_NOT_CHARGED_BY_POLICY' });
    expect(found!.history.at(-1)!.message).toBe(
      "Failed: moderation refused the prompt; not charged: the tenant's failed-request policy does not charge failed requests.",
    );
    expect(await holdOf(found!.requestId)).toBeNull();
    // FINAL spend is what the earlier tasks' charges came to: nothing was added.
    expect(toUnits(await stageSpent(world.a.childDepartmentId, 'FINAL'))).toBe(toUnits('0.16'));
  });

  it('is charged what it was asked to make when the tenant’s policy charges failed requests', async () => {
    const before = await balanceOf(world.b.id);
    const taskId = await submitted(video, world.b.apiKeySecret);
    const { task, userErrors } = await complete({ taskId, outcome: 'FAILED', failureReason: 'upstream timeout after 600 s' });
    expect(userErrors).toEqual([]);
    expect(task).toMatchObject({ status: 'FAILED', videoSeconds: 10, chargeReason: 'FAILED_CHARGED_BY_POLICY' });
    expect(task!.chargedAmount).toEqual({ amount: estimate, currency: 'CNY' });
    const found = await taskOf(test.client(world.b.tokens.TENANT_ADMIN), taskId);
    expect(found!.usageRecord).toMatchObject({ status: 'FAILED', isCharged: true, chargeReason: 'FAILED_CHARGED_BY_POLICY' });
    expect(found!.history.at(-1)!.message).toBe(
      `Failed: upstream timeout after 600 s; charged ${estimate} CNY for 10 s of video: the tenant's failed-request policy charges failed requests.`,
    );
    // The prepaid balance pays the exact charge, and FINAL spend counts it.
    expect(toUnits(before) - toUnits(await balanceOf(world.b.id))).toBe(toUnits(estimate));
    expect(toUnits(await stageSpent(world.b.id, 'FINAL'))).toBe(toUnits(estimate));
    // A retry of the report charges nothing again.
    expect((await complete({ taskId, outcome: 'FAILED', failureReason: 'upstream timeout after 600 s' })).userErrors).toEqual([]);
    expect(toUnits(before) - toUnits(await balanceOf(world.b.id))).toBe(toUnits(estimate));
  });

  it('reported with what it made before failing is charged that', async () => {
    const taskId = await submitted(video, world.b.apiKeySecret);
    const { task } = await complete({ taskId, outcome: 'FAILED', failureReason: 'second video failed', videoSeconds: 5 });
    expect(task).toMatchObject({ videoSeconds: 5, chargeReason: 'FAILED_CHARGED_BY_POLICY' });
    expect(task!.chargedAmount!.amount).toBe('1.6666666665');
  });
});

describe('bad input', () => {
  it('is refused naming the field and the rule, writing nothing', async () => {
    const before = await tableCounts();
    const refusals: [Parameters<typeof submit>[0], string[], string][] = [
      [{ stage: 'FINAL', kind: 'VIDEO', model: PRICES.video.model, parameters: { count: 1 } }, ['input', 'parameters', 'durationSeconds'], 'BLANK'],
      [{ stage: 'FINAL', parameters: { count: 1, durationSeconds: 5 } }, ['input', 'parameters', 'durationSeconds'], 'INVALID'],
      [{ stage: 'DRAFT', kind: 'CHAT' }, ['input', 'kind'], 'INVALID'],
      [{ stage: 'DRAFT', parameters: { count: 0 } }, ['input', 'parameters', 'count'], 'TOO_SMALL'],
      [{ stage: 'DRAFT', parameters: { count: 1, ratio: 'wide' } }, ['input', 'parameters', 'ratio'], 'INVALID'],
      [{ stage: 'DRAFT', parameters: { count: 1, resolution: 'huge' } }, ['input', 'parameters', 'resolution'], 'INVALID'],
      [{ stage: 'DRAFT', requestId: ' ' }, ['input', 'requestId'], 'BLANK'],
    ];
    for (const [input, field, code] of refusals) {
      const answer = await submit(input);
      expect(answer.task).toBeNull();
      expect(answer.userErrors).toEqual([expect.objectContaining({ field, code })]);
    }
    const taskId = await submitted({ stage: 'FINAL', model: PRICES.image.model, parameters: { count: 1 } }, world.b.apiKeySecret);
    const running = await tableCounts();
    const completions: [UsageTaskCompleteInput, string[], string][] = [
      [{ taskId, outcome: 'SUCCEEDED' }, ['input', 'imageCount'], 'BLANK'],
      [{ taskId, outcome: 'SUCCEEDED', imageCount: 1, videoSeconds: 3 }, ['input', 'videoSeconds'], 'INVALID'],
      [{ taskId, outcome: 'FAILED' }, ['input', 'failureReason'], 'BLANK'],
      [{ taskId, outcome: 'SUCCEEDED', imageCount: 1, failureReason: 'x' }, ['input', 'failureReason'], 'INVALID'],
      [{ taskId, outcome: 'SUCCEEDED', imageCount: -1 }, ['input', 'imageCount'], 'TOO_SMALL'],
      [{ taskId: 'tsk_01KB0000000000000000000001', outcome: 'SUCCEEDED', imageCount: 1 }, ['input', 'taskId'], 'NOT_FOUND'],
      [{ taskId: 'use_01KB0000000000000000000001', outcome: 'SUCCEEDED', imageCount: 1 }, ['input', 'taskId'], 'INVALID_ID'],
    ];
    for (const [input, field, code] of completions) {
      const answer = await complete(input);
      expect(answer.task).toBeNull();
      expect(answer.userErrors).toEqual([expect.objectContaining({ field, code })]);
    }
    expect(await tableCounts()).toEqual(running);
    expect(running).toMatchObject({ tasks: before.tasks + 1, records: before.records });
  });

  it('refuses a requestId that usage was recorded with', async () => {
    const requestId = `chat-${randomUUID()}`;
    const { usageRecord } = await gateway.data(UsageRecordDocument, {
      input: {
        records: [
          {
            requestId,
            apiKeyId: world.a.apiKeyId,
            model: PRICES.image.model,
            kind: 'IMAGE',
            status: 'SUCCEEDED',
            inputTokens: 0,
            outputTokens: 0,
            cachedInputTokens: 0,
            imageCount: 1,
            videoSeconds: 0,
            occurredAt: clock.now().toISOString(),
          },
        ],
      },
    });
    expect(usageRecord.acceptedCount).toBe(1);
    expect((await submit({ stage: 'FINAL', requestId })).userErrors).toEqual([expect.objectContaining({ code: 'TAKEN', field: ['input', 'requestId'] })]);
  });
});

describe('another tenant', () => {
  it('sees none of a tenant’s tasks', async () => {
    const { usageTasks } = await world.admin.data(UsageTasksDocument, { filter: { tenantId: world.a.id }, first: 1 });
    const aTask = usageTasks.nodes[0];
    const otherAdmin = test.client(world.b.tokens.TENANT_ADMIN);
    const theirs = await otherAdmin.data(UsageTasksDocument, { first: 20 });
    expect(theirs.usageTasks.nodes.length).toBeGreaterThan(0);
    expect(theirs.usageTasks.nodes.every((task) => task.tenant.id === world.b.id)).toBe(true);
    // Naming a's tenant or key is NOT_FOUND, a's requestId finds nothing, and a's task id is not a node.
    for (const filter of [{ tenantId: world.a.id }, { apiKeyId: world.a.apiKeyId }]) {
      expect((await otherAdmin.execute(UsageTasksDocument, { filter })).errors?.[0].extensions?.code).toBe('NOT_FOUND');
    }
    expect((await otherAdmin.data(UsageTasksDocument, { filter: { requestId: aTask.requestId } })).usageTasks.totalCount).toBe(0);
    expect((await otherAdmin.data(NodeDocument, { id: aTask.id })).node).toBeNull();
    expect((await world.admin.data(NodeDocument, { id: aTask.id })).node).toEqual({ id: aTask.id, __typename: 'UsageTask' });
    // The operator names the tenant to find a requestId; ERP and the gateway read no tasks.
    const unnamed = await world.admin.execute(UsageTasksDocument, { filter: { requestId: aTask.requestId } });
    expect(unnamed.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    for (const token of [world.a.tokens.ERP, world.gatewayToken]) {
      expect((await test.client(token).execute(UsageTasksDocument, {})).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    }
    // A tenant token cannot submit or complete tasks: that is the gateway's.
    const submitAsTenant = await otherAdmin.execute(UsageTaskSubmitDocument, {
      input: { apiKeySecret: world.b.apiKeySecret, requestId: 'x', model: PRICES.image.model, kind: 'IMAGE', stage: 'DRAFT', parameters: { count: 1 } },
    });
    expect(submitAsTenant.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const completeAsTenant = await otherAdmin.execute(UsageTaskCompleteDocument, { input: { taskId: aTask.id, outcome: 'SUCCEEDED', imageCount: 1 } });
    expect(completeAsTenant.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });
});
