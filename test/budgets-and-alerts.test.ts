import { print } from 'graphql';
import { FixedClock } from '../src/platform/clock.js';
import {
  AlertAcknowledgeDocument,
  AlertRaisedDocument,
  AlertsDocument,
  BudgetDeleteDocument,
  BudgetsDocument,
  BudgetSetDocument,
  UsageAuthorizeDocument,
  UsageReleaseDocument,
  type AlertRaisedSubscription,
  type BudgetSetInput,
} from './generated/graphql.js';
import type { World } from './support/fixtures.js';
import type { GraphQLClient, TestApp } from './support/harness.js';
import { startServerProcess, type ServerProcess } from './support/server-process.js';
import { disposeSubscriptions, subscribe } from './support/subscriptions.js';
import { createKey, fromUnits, independentCost, PRICES, recordUsage, reserveUsage, startUsageTest, toUnits, usageItem } from './support/usage-fixtures.js';

/** 1,000 input + 500 output chat tokens: the cost of one default usage item. */
const ITEM_COST = independentCost(PRICES.chat, usageItem('key_x'));

async function budgetSet(client: GraphQLClient, input: BudgetSetInput) {
  return (await client.data(BudgetSetDocument, { input })).budgetSet;
}

/** budgetSet that must succeed. */
async function setBudget(client: GraphQLClient, input: BudgetSetInput) {
  const result = await budgetSet(client, input);
  if (!result.budget) throw new Error(`budgetSet refused: ${JSON.stringify(result.userErrors)}`);
  return result.budget;
}

/** A budget limit `items` default usage items reach: their cost, cut to the 10 decimals a limit keeps. */
function limitOf(items: number): string {
  const units = ITEM_COST * BigInt(items);
  return fromUnits(units - (units % 1_000_000n));
}

describe('budgets and alerts', () => {
  let test: TestApp;
  let world: World;
  let gateway: GraphQLClient;
  let otherProcess: ServerProcess;

  beforeAll(async () => {
    ({ test, world, gateway } = await startUsageTest());
    otherProcess = await startServerProcess(test.databaseUrl);
  }, 60_000);
  afterAll(async () => {
    await disposeSubscriptions();
    await otherProcess.stop();
    await test.stop();
  });

  const rowCounts = async () =>
    (await test.sql.query('select (select count(*) from budget)::int as budgets, (select count(*) from audit_entry)::int as audits')).rows[0];

  const alertsOf = async (budgetId: string) =>
    (
      await test.sql.query<{ type: string; threshold: number; amount: string; limit_amount: string }>(
        'select type, threshold, amount::text, limit_amount::text from alert where budget_id = $1 and type <> $2 order by threshold',
        [budgetId, 'FORECAST_OVER_BUDGET'],
      )
    ).rows;

  it('refuses bad budgets with a userError naming the field and the rule, and writes nothing', async () => {
    const before = await rowCounts();
    const admin = test.client(world.a.tokens.TENANT_ADMIN);
    const base = { scope: { departmentId: world.a.childDepartmentId }, period: 'MONTHLY' as const, limit: '100.00', isHard: true };
    const refusals = [
      [{ ...base, thresholds: [50, 150] }, 'TOO_LARGE', ['input', 'thresholds', '1']],
      [{ ...base, thresholds: [80, 50, 100] }, 'INVALID', ['input', 'thresholds']],
      [{ ...base, thresholds: [] }, 'TOO_SMALL', ['input', 'thresholds']],
      [{ ...base, limit: '-5' }, 'TOO_SMALL', ['input', 'limit']],
      [{ ...base, limit: '0' }, 'TOO_SMALL', ['input', 'limit']],
      [{ ...base, scope: { departmentId: world.b.childDepartmentId } }, 'NOT_FOUND', ['input', 'scope', 'departmentId']],
      [{ ...base, scope: { apiKeyId: world.b.apiKeyId } }, 'NOT_FOUND', ['input', 'scope', 'apiKeyId']],
    ] as const;
    for (const [input, code, field] of refusals) {
      const result = await budgetSet(admin, input as BudgetSetInput);
      expect(result.budget).toBeNull();
      expect(result.userErrors[0]).toMatchObject({ code, field });
      expect(result.userErrors[0].message).toContain(field.at(-1));
    }
    expect(await rowCounts()).toEqual(before);
    expect((await test.client(world.a.tokens.TENANT_VIEWER).execute(BudgetSetDocument, { input: base })).errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });

  it('raises three alerts when one batch crosses 50, 80 and 100 %, each with the spend and limit at that moment', async () => {
    const scope = { departmentId: world.a.rootDepartmentId };
    const budget = await setBudget(test.client(world.a.tokens.TENANT_FINANCE), { scope, period: 'DAILY', limit: limitOf(4), isHard: false });
    const subscription = await subscribe<AlertRaisedSubscription>(otherProcess.wsUrl, world.a.tokens.TENANT_VIEWER, print(AlertRaisedDocument), { scope });

    // The department's spend today may already be above 0: start from what it is.
    const spentBefore = toUnits(budget.spend.spent.amount);
    const needed = Number((ITEM_COST * 4n - spentBefore + ITEM_COST - 1n) / ITEM_COST);
    await recordUsage(
      gateway,
      Array.from({ length: Math.max(needed, 1) }, () => usageItem(world.a.apiKeyId)),
    );

    const alerts = await alertsOf(budget.id);
    expect(alerts.map((alert) => [alert.type, alert.threshold])).toEqual([
      ['BUDGET_THRESHOLD', 50],
      ['BUDGET_THRESHOLD', 80],
      ['BUDGET_EXHAUSTED', 100],
    ]);
    expect(
      alerts.every(
        (alert) => toUnits(alert.amount) >= toUnits(limitOf(4)) && alert.limit_amount === budget.limit.amount.padEnd(alert.limit_amount.length, '0'),
      ),
    ).toBe(true);

    // Delivered on another OS process to a tenant viewer, in the order raised.
    const received = [await subscription.next(), await subscription.next(), await subscription.next()].map((event) => event.data!.alertRaised);
    expect(received.map((alert) => alert.threshold).sort()).toEqual([100, 50, 80]);
    expect(received.every((alert) => alert.scope.id === world.a.rootDepartmentId && alert.budget?.id === budget.id)).toBe(true);
    // What it is about, by name, in the fields and in the message; amounts in the message to the fen.
    expect(received.map((alert) => alert.scope.name)).toEqual(['Research', 'Research', 'Research']);
    for (const alert of received)
      expect(alert.message).toMatch(/^Spend of department "Research" reached ((50|80)% of its|its) daily budget of \d+\.\d{2} CNY \(spent \d+\.\d{2} CNY\)\.$/);
  });

  it('raises each alert exactly once under replays and 20 concurrent batches', async () => {
    const budget = await setBudget(world.admin, {
      scope: { apiKeyId: world.b.apiKeyId },
      period: 'DAILY',
      limit: limitOf(100),
      thresholds: [10, 20, 30, 40, 50, 60, 70, 80, 90, 100],
      isHard: false,
    });
    const batches = Array.from({ length: 20 }, () => Array.from({ length: 10 }, () => usageItem(world.b.apiKeyId)));
    await Promise.all(batches.map((batch) => recordUsage(gateway, batch)));
    await Promise.all(batches.map((batch) => recordUsage(gateway, batch)));
    const alerts = await alertsOf(budget.id);
    expect(alerts.map((alert) => alert.threshold)).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
  });

  it('denies a key two levels below an exhausted hard department budget, naming the department, until the limit is raised', async () => {
    const scope = { departmentId: world.b.rootDepartmentId };
    const finance = test.client(world.b.tokens.TENANT_FINANCE);
    const spent = toUnits((await setBudget(finance, { scope, period: 'MONTHLY', limit: '1000000', isHard: true })).spend.spent.amount);
    await setBudget(finance, { scope, period: 'MONTHLY', limit: fromUnits(spent + ITEM_COST - ((spent + ITEM_COST) % 1_000_000n)), isHard: true });
    const authorize = async () =>
      (await test.client(world.gatewayToken).data(UsageAuthorizeDocument, { input: { apiKeySecret: world.b.apiKeySecret, model: PRICES.chat.model } }))
        .usageAuthorize;
    expect((await authorize()).isAllowed).toBe(true);

    await recordUsage(gateway, [usageItem(world.b.apiKeyId)]);

    const denied = await authorize();
    expect(denied).toMatchObject({
      isAllowed: false,
      denial: { code: 'BUDGET_EXCEEDED', httpStatus: 402, scope: { type: 'DEPARTMENT', id: world.b.rootDepartmentId } },
    });
    await setBudget(finance, { scope, period: 'MONTHLY', limit: fromUnits(spent + ITEM_COST * 10n - ((spent + ITEM_COST * 10n) % 1_000_000n)), isHard: true });
    expect((await authorize()).isAllowed).toBe(true);
    const budget = await setBudget(finance, { scope, period: 'MONTHLY', limit: '1', isHard: false });
    expect((await authorize()).isAllowed).toBe(true); // alert-only budgets never deny
    await test.client(world.b.tokens.TENANT_ADMIN).data(BudgetDeleteDocument, { input: { budgetId: budget.id } });
  });

  it('keeps 50 concurrent reserve-then-record cycles whose estimates are their cost at or under a hard budget', async () => {
    const key = await createKey(test, test.client(world.a.tokens.TENANT_ADMIN), { departmentId: world.a.grandchildDepartmentId, name: 'metered' });
    const budget = await setBudget(world.admin, { scope: { apiKeyId: key.id }, period: 'DAILY', limit: limitOf(10), isHard: true });

    const cycle = async () => {
      const item = usageItem(key.id);
      const { isAllowed } = await reserveUsage(gateway, {
        apiKeySecret: key.secret,
        model: PRICES.chat.model,
        estimatedCost: fromUnits(ITEM_COST),
        requestId: item.requestId,
      });
      if (isAllowed) await recordUsage(gateway, [item]);
      return isAllowed;
    };
    const allowed = (await Promise.all(Array.from({ length: 50 }, cycle))).filter(Boolean).length;

    const { rows } = await test.sql.query<{ spent: string }>('select coalesce(sum(charged_amount), 0)::text as spent from usage_record where api_key_id = $1', [
      key.id,
    ]);
    const spent = toUnits(rows[0].spent);
    const limit = toUnits(budget.limit.amount);
    expect(spent).toBeLessThanOrEqual(limit);
    expect(spent).toBeGreaterThan(limit - ITEM_COST); // the room was used, not refused wholesale
    expect(allowed).toBe(Number(spent / ITEM_COST));
    expect((await test.sql.query('select count(*)::int as count from spend_hold where api_key_id = $1', [key.id])).rows[0].count).toBe(0);
  });

  it('holds a reservation until its request is recorded, it is released, or the hold expires', async () => {
    const key = await createKey(test, test.client(world.b.tokens.TENANT_ADMIN), {
      departmentId: world.b.childDepartmentId,
      spendLimit: { amount: limitOf(3), period: 'MONTHLY' },
    });
    const authorize = (estimatedCost: string, requestId: string) =>
      reserveUsage(gateway, { apiKeySecret: key.secret, model: PRICES.chat.model, estimatedCost, requestId });
    const big = usageItem(key.id);
    const reserved = await authorize(fromUnits(ITEM_COST * 2n), big.requestId);
    expect(reserved.isAllowed).toBe(true);
    expect(reserved.reservation).toMatchObject({ requestId: big.requestId, amount: { amount: fromUnits(ITEM_COST * 2n), currency: 'CNY' } });
    expect(new Date(reserved.reservation!.expiresAt).getTime()).toBeGreaterThan(Date.now() + 9 * 60_000);
    // Two items' worth is held: one more fits under three, two do not.
    const denied = await authorize(fromUnits(ITEM_COST * 2n), 'other-request');
    expect(denied.denial).toMatchObject({ code: 'KEY_LIMIT_EXCEEDED', httpStatus: 402 });
    expect(denied.reservation).toBeNull();
    expect((await authorize(fromUnits(ITEM_COST / 2n), 'small-request')).isAllowed).toBe(true);
    const release = (requestId: string) => gateway.data(UsageReleaseDocument, { input: { apiKeySecret: key.secret, requestId } });
    expect((await release('small-request')).usageRelease).toEqual({ isReleased: true, userErrors: [] });
    expect((await release('small-request')).usageRelease).toEqual({ isReleased: false, userErrors: [] });

    await recordUsage(gateway, [big]); // actual cost: one item; the hold of two is released
    expect((await authorize(fromUnits(ITEM_COST), 'after-record')).isAllowed).toBe(true);
    await test.sql.query("update spend_hold set expires_at = now() - interval '1 second' where request_id = 'after-record'");
    expect((await authorize(fromUnits(ITEM_COST * 2n - ITEM_COST / 10n), 'after-expiry')).isAllowed).toBe(true);
  });

  it("lists, filters and acknowledges alerts; another tenant's are NOT_FOUND", async () => {
    const open = (await test.client(world.a.tokens.TENANT_VIEWER).data(AlertsDocument, { filter: { isAcknowledged: false, types: ['BUDGET_EXHAUSTED'] } }))
      .alerts;
    expect(open.totalCount).toBeGreaterThan(0);
    expect(open.nodes.every((alert) => alert.scope.tenantId === world.a.id && alert.type === 'BUDGET_EXHAUSTED')).toBe(true);
    const [first] = open.nodes;
    expect(
      (await test.client(world.b.tokens.TENANT_ADMIN).data(AlertAcknowledgeDocument, { input: { alertId: first.id } })).alertAcknowledge.userErrors[0].code,
    ).toBe('NOT_FOUND');
    const acknowledged = (await test.client(world.a.tokens.TENANT_ADMIN).data(AlertAcknowledgeDocument, { input: { alertId: first.id } })).alertAcknowledge;
    expect(acknowledged.alert?.isAcknowledged).toBe(true);
    const bList = (await test.client(world.b.tokens.TENANT_VIEWER).data(AlertsDocument, {})).alerts.nodes;
    expect(bList.every((alert) => alert.scope.tenantId === world.b.id)).toBe(true);
    expect((await test.client(world.b.tokens.TENANT_VIEWER).execute(AlertsDocument, { filter: { tenantId: world.a.id } })).errors?.[0].extensions?.code).toBe(
      'NOT_FOUND',
    );
    expect(
      (await test.client(world.b.tokens.TENANT_VIEWER).execute(BudgetsDocument, { filter: { scope: { tenantId: world.a.id } } })).errors?.[0].extensions?.code,
    ).toBe('NOT_FOUND');
  });

  it('keeps budgets and alerts inside their tenant: other tenants get NOT_FOUND and never the events', async () => {
    const foreign = await subscribe<AlertRaisedSubscription>(test.app.wsUrl, world.b.tokens.TENANT_VIEWER, print(AlertRaisedDocument), {
      scope: { tenantId: world.a.id },
    });
    expect((await foreign.next()).errors?.[0]).toMatchObject({ extensions: { code: 'NOT_FOUND' } });
    const bOnly = await subscribe<AlertRaisedSubscription>(test.app.wsUrl, world.b.tokens.TENANT_VIEWER, print(AlertRaisedDocument));
    const aBudget = await setBudget(world.admin, { scope: { tenantId: world.a.id }, period: 'MONTHLY', limit: limitOf(1), thresholds: [1], isHard: false });
    const bBudget = await setBudget(world.admin, { scope: { tenantId: world.b.id }, period: 'MONTHLY', limit: limitOf(1), thresholds: [1], isHard: false });
    await recordUsage(gateway, [usageItem(world.a.apiKeyId)]);
    await recordUsage(gateway, [usageItem(world.b.apiKeyId)]);
    // Notifications arrive in commit order: b's first alert being its own shows a's was filtered out.
    expect((await bOnly.next()).data?.alertRaised.budget?.id).toBe(bBudget.id);
    const deleted = await test.client(world.b.tokens.TENANT_ADMIN).data(BudgetDeleteDocument, { input: { budgetId: aBudget.id } });
    expect(deleted.budgetDelete.userErrors[0]).toMatchObject({ code: 'NOT_FOUND', field: ['input', 'budgetId'] });
  });
});

describe("budget periods on the tenant's clock", () => {
  // 2026-11-20 23:59 in Asia/Shanghai.
  const clock = new FixedClock(new Date('2026-11-20T15:59:00Z'));
  let test: TestApp;
  let world: World;
  let gateway: GraphQLClient;

  beforeAll(async () => {
    ({ test, world, gateway } = await startUsageTest({ clock }));
  });
  afterAll(() => test.stop());

  it("resets a daily budget at local midnight of the tenant's time zone", async () => {
    await setBudget(world.admin, { scope: { apiKeyId: world.a.apiKeyId }, period: 'DAILY', limit: limitOf(1), isHard: true });
    await recordUsage(gateway, [usageItem(world.a.apiKeyId, { occurredAt: clock.now().toISOString() })]);
    const authorize = async () =>
      (await test.client(world.gatewayToken).data(UsageAuthorizeDocument, { input: { apiKeySecret: world.a.apiKeySecret, model: PRICES.chat.model } }))
        .usageAuthorize;
    expect((await authorize()).denial?.code).toBe('BUDGET_EXCEEDED');
    clock.set(new Date('2026-11-20T16:00:00Z')); // 2026-11-21 00:00 in Shanghai
    expect((await authorize()).isAllowed).toBe(true);
  });

  it('forecasts a monthly budget overrun once per month', async () => {
    clock.set(new Date('2026-11-04T04:00:00Z')); // 3.5 days into November in Shanghai
    const budget = await setBudget(world.admin, { scope: { apiKeyId: world.b.apiKeyId }, period: 'MONTHLY', limit: limitOf(20), isHard: false });
    // 3 items in 3.5 days projects to about 25.7 items over 30 days: past a limit of 20.
    await recordUsage(
      gateway,
      Array.from({ length: 3 }, () => usageItem(world.b.apiKeyId, { occurredAt: clock.now().toISOString() })),
    );
    await recordUsage(gateway, [usageItem(world.b.apiKeyId, { occurredAt: clock.now().toISOString() })]);
    const { rows } = await test.sql.query<{ amount: string }>("select amount::text from alert where budget_id = $1 and type = 'FORECAST_OVER_BUDGET'", [
      budget.id,
    ]);
    expect(rows).toHaveLength(1);
    expect(toUnits(rows[0].amount)).toBeGreaterThan(toUnits(limitOf(20)));
  });
});

describe('spend spikes', () => {
  // 2026-11-10 18:30 in Asia/Shanghai.
  const clock = new FixedClock(new Date('2026-11-10T10:30:00Z'));
  let test: TestApp;
  let world: World;
  let gateway: GraphQLClient;

  beforeAll(async () => {
    ({ test, world, gateway } = await startUsageTest({ clock, spendSpike: { multiple: '5', floor: '0.05' } }));
  });
  afterAll(() => test.stop());

  /** `perDay` items at local noon on each of the 7 days before today. */
  async function history(keyId: string, perDay: number): Promise<void> {
    for (let day = 3; day <= 9; day++) {
      await recordUsage(
        gateway,
        Array.from({ length: perDay }, () => usageItem(keyId, { occurredAt: `2026-11-0${day}T04:00:00Z` })),
      );
    }
  }
  const now = (count: number, keyId: string) => Array.from({ length: count }, () => usageItem(keyId, { occurredAt: clock.now().toISOString() }));
  const spikes = async (tenantId: string) =>
    (
      await test.sql.query<{ scope_id: string; amount: string }>("select scope_id, amount::text from alert where tenant_id = $1 and type = 'SPEND_SPIKE'", [
        tenantId,
      ])
    ).rows;

  it('raises SPEND_SPIKE once per scope and hour when the hour passes the floor and the multiple of the usual pace', async () => {
    await history(world.a.apiKeyId, 1); // ~0.0078 a day: the hourly average is tiny
    await recordUsage(gateway, now(5, world.a.apiKeyId)); // ~0.039 this hour: above 5x the average, below the floor
    expect(await spikes(world.a.id)).toEqual([]);

    await recordUsage(gateway, now(3, world.a.apiKeyId)); // ~0.062: past the floor
    const raised = await spikes(world.a.id);
    expect(raised.map((alert) => alert.scope_id).sort()).toEqual(
      [world.a.id, world.a.rootDepartmentId, world.a.childDepartmentId, world.a.grandchildDepartmentId, world.a.apiKeyId].sort(),
    );
    expect(toUnits(raised[0].amount)).toBe(ITEM_COST * 8n);

    await recordUsage(gateway, now(3, world.a.apiKeyId));
    expect(await spikes(world.a.id)).toHaveLength(5);
  });

  it('does not alert a busy scope spending at its usual pace', async () => {
    await history(world.b.apiKeyId, 50); // about 2.1 items an hour on average
    await recordUsage(gateway, now(8, world.b.apiKeyId)); // past the floor, below 5x the average
    expect(await spikes(world.b.id)).toEqual([]);
  });
});
