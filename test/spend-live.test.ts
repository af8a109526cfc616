import { print } from 'graphql';
import { SpendDocument, SpendUpdatedDocument, UsageRecordsDocument, UsageSummaryDocument, type SpendUpdatedSubscription } from './generated/graphql.js';
import type { World } from './support/fixtures.js';
import type { TestApp } from './support/harness.js';
import { startServerProcess, type ServerProcess } from './support/server-process.js';
import { moved, scrape } from './support/metrics.js';
import { until } from './support/until.js';
import { disposeSubscriptions, subscribe } from './support/subscriptions.js';
import { canonical, fromUnits, independentCost, PRICES, recordUsage, startUsageTest, toUnits, usageItem } from './support/usage-fixtures.js';

let test: TestApp;
let world: World;
let otherProcess: ServerProcess;
const METRICS_TOKEN = 'metrics-token-for-the-live-spend-test-0001';

beforeAll(async () => {
  ({ test, world } = await startUsageTest({ metricsToken: METRICS_TOKEN }));
  otherProcess = await startServerProcess(test.databaseUrl);
}, 60_000);
afterAll(async () => {
  await disposeSubscriptions();
  expect(await otherProcess.stop()).toBe(0);
  await test.stop();
});

const spendUpdated = print(SpendUpdatedDocument);

describe('live spend', () => {
  it('pushes the snapshot of usage recorded through this process to a subscriber on another OS process', async () => {
    const subscription = await subscribe<SpendUpdatedSubscription>(otherProcess.wsUrl, world.a.tokens.TENANT_VIEWER, spendUpdated, {
      scope: { departmentId: world.a.rootDepartmentId },
    });
    const before = (await world.admin.data(SpendDocument, { scope: { departmentId: world.a.rootDepartmentId }, period: 'MONTHLY' })).spend;
    const records = [usageItem(world.a.apiKeyId), usageItem(world.a.apiKeyId)];

    await recordUsage(test.client(world.gatewayToken), records);

    const event = await subscription.next();
    expect(event.errors).toBeUndefined();
    const snapshot = event.data!.spendUpdated;
    expect(snapshot.scope).toEqual({ type: 'DEPARTMENT', id: world.a.rootDepartmentId, tenantId: world.a.id });
    const monthly = snapshot.spends.find((spend) => spend.period === 'MONTHLY')!;
    const added = records.reduce((sum, record) => sum + independentCost(PRICES.chat, record), 0n);
    expect(canonical(monthly.spent.amount)).toBe(fromUnits(toUnits(before.spent.amount) + added));
    expect(monthly.requestCount).toBe(before.requestCount + 2);
    expect(monthly.spent.currency).toBe('CNY');
  });

  it("sends one snapshot per batch, not per record, with the key's limit applied", async () => {
    const subscription = await subscribe<SpendUpdatedSubscription>(test.app.wsUrl, world.adminToken, spendUpdated, { scope: { apiKeyId: world.b.apiKeyId } });
    const gateway = test.client(world.gatewayToken);
    await recordUsage(
      gateway,
      Array.from({ length: 50 }, () => usageItem(world.b.apiKeyId)),
    );
    await recordUsage(gateway, [usageItem(world.b.apiKeyId)]);

    const first = (await subscription.next()).data!.spendUpdated;
    const second = (await subscription.next()).data!.spendUpdated;
    const monthly = (snapshot: typeof first) => snapshot.spends.find((spend) => spend.period === 'MONTHLY')!;
    expect(monthly(second).requestCount - monthly(first).requestCount).toBe(1);
    expect(monthly(first).limit).toBeNull();
  });

  it('delivers a batch too large for one NOTIFY through the outbox', async () => {
    const subscription = await subscribe<SpendUpdatedSubscription>(otherProcess.wsUrl, world.adminToken, spendUpdated, { scope: { tenantId: world.a.id } });
    const { rows } = await test.sql.query<{ id: string }>('select id from api_key where tenant_id = $1', [world.a.id]);
    // Many keys and scopes moved by one batch make the event larger than NOTIFY's 8000 bytes.
    const created = await Promise.all(
      Array.from({ length: 60 }, (_unused, index) =>
        test.sql.query<{ id: string }>(
          `insert into api_key (id, tenant_id, department_id, name, environment, secret_hash, secret_prefix, created_at, updated_at)
           values ('key_01K' || lpad($1::text, 23, '0'), $2, $3, 'bulk', 'TEST', md5(random()::text), 'sk-test-x', '2026-01-01', now()) returning id`,
          [index, world.a.id, world.a.childDepartmentId],
        ),
      ),
    );
    const keys = [...rows.map((row) => row.id), ...created.map((result) => result.rows[0].id)];
    await recordUsage(
      test.client(world.gatewayToken),
      keys.map((key) => usageItem(key)),
    );

    const event = await subscription.next();
    expect(event.errors).toBeUndefined();
    expect(event.data!.spendUpdated.scope.id).toBe(world.a.id);
    expect((await test.sql.query('select count(*)::int as count from event_outbox')).rows[0].count).toBeGreaterThan(0);
  });
});

describe('listener reconnect', () => {
  it('keeps delivering after the database drops the listening connection', async () => {
    const subscription = await subscribe<SpendUpdatedSubscription>(test.app.wsUrl, world.adminToken, spendUpdated, { scope: { apiKeyId: world.a.apiKeyId } });
    const listeners = async () =>
      (
        await test.sql.query<{ pid: number }>(
          "select pid from pg_stat_activity where datname = current_database() and query = 'listen billing_events' and pid <> pg_backend_pid()",
        )
      ).rows.map((row) => row.pid);
    const before = await listeners();
    await test.sql.query('select pg_terminate_backend(pid) from unnest($1::int[]) as pid', [before]);
    // The listeners reconnect with backoff; wait (bounded) until as many are back, on new connections.
    const deadline = Date.now() + 10_000;
    while ((await listeners()).filter((pid) => !before.includes(pid)).length < before.length) {
      expect(Date.now()).toBeLessThan(deadline);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }

    await recordUsage(test.client(world.gatewayToken), [usageItem(world.a.apiKeyId)]);

    const event = await subscription.next();
    expect(event.errors).toBeUndefined();
    expect(event.data!.spendUpdated.scope.id).toBe(world.a.apiKeyId);
  });
});

describe('tenant isolation of spend', () => {
  it("refuses a tenant user's subscription to another tenant's scope with NOT_FOUND", async () => {
    for (const scope of [{ tenantId: world.b.id }, { departmentId: world.b.rootDepartmentId }, { apiKeyId: world.b.apiKeyId }]) {
      const subscription = await subscribe<SpendUpdatedSubscription>(test.app.wsUrl, world.a.tokens.TENANT_ADMIN, spendUpdated, { scope });
      expect((await subscription.next()).errors?.[0]).toMatchObject({ extensions: { code: 'NOT_FOUND' } });
    }
  });

  it('refuses the gateway a subscription', async () => {
    const subscription = await subscribe<SpendUpdatedSubscription>(test.app.wsUrl, world.gatewayToken, spendUpdated, { scope: { tenantId: world.a.id } });
    expect((await subscription.next()).errors?.[0]).toMatchObject({ extensions: { code: 'FORBIDDEN' } });
  });

  it("answers NOT_FOUND to a tenant user reading another tenant's spend, records or summary", async () => {
    const client = test.client(world.a.tokens.TENANT_FINANCE);
    const spend = await client.execute(SpendDocument, { scope: { apiKeyId: world.b.apiKeyId } });
    expect(spend.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    const records = await client.execute(UsageRecordsDocument, { filter: { tenantId: world.b.id } });
    expect(records.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    const summary = await client.execute(UsageSummaryDocument, {
      scope: { departmentId: world.b.rootDepartmentId },
      from: '2026-01-01T00:00:00Z',
      to: '2026-12-01T00:00:00Z',
    });
    expect(summary.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });

  it('runs equal subscriptions once a batch, gives each subscriber every snapshot, and runs different ones apart', async () => {
    // Only this test's subscriptions count: the earlier ones are ended first.
    await disposeSubscriptions();
    await until(async () => (await scrape(test.app.url, METRICS_TOKEN)).get('billing_subscriptions_open') === 0, 'earlier subscriptions ended');
    const department = { scope: { departmentId: world.a.rootDepartmentId } };
    const viewers = await Promise.all(
      [1, 2, 3].map(() => subscribe<SpendUpdatedSubscription>(test.app.wsUrl, world.a.tokens.TENANT_VIEWER, spendUpdated, department)),
    );
    // Other variables, and another caller's view of the same: each an execution of its own.
    const key = await subscribe<SpendUpdatedSubscription>(test.app.wsUrl, world.a.tokens.TENANT_VIEWER, spendUpdated, {
      scope: { apiKeyId: world.a.apiKeyId },
    });
    const operator = await subscribe<SpendUpdatedSubscription>(test.app.wsUrl, world.adminToken, spendUpdated, department);
    const before = await scrape(test.app.url, METRICS_TOKEN);

    await recordUsage(test.client(world.gatewayToken), [usageItem(world.a.apiKeyId)]);
    const snapshots = await Promise.all([...viewers, key, operator].map(async (subscription) => (await subscription.next()).data!.spendUpdated));
    const after = await scrape(test.app.url, METRICS_TOKEN);

    expect(snapshots.map((snapshot) => snapshot.scope.id)).toEqual([...Array(3).fill(world.a.rootDepartmentId), world.a.apiKeyId, world.a.rootDepartmentId]);
    expect(new Set(snapshots.slice(0, 3).map((snapshot) => JSON.stringify(snapshot))).size).toBe(1);
    expect(JSON.stringify(snapshots[4])).toBe(JSON.stringify(snapshots[0]));
    expect(moved(before, after, 'billing_shared_subscription_results_total{field="spendUpdated",counted="executed"}')).toBe(3);
    expect(moved(before, after, 'billing_shared_subscription_results_total{field="spendUpdated",counted="delivered"}')).toBe(5);
    await disposeSubscriptions();
  });

  it("never lets another tenant's caller into a shared execution: the same document and variables are refused, and nothing reaches it", async () => {
    const department = { scope: { departmentId: world.a.rootDepartmentId } };
    const own = await subscribe<SpendUpdatedSubscription>(test.app.wsUrl, world.a.tokens.TENANT_VIEWER, spendUpdated, department);
    const intruder = await subscribe<SpendUpdatedSubscription>(test.app.wsUrl, world.b.tokens.TENANT_VIEWER, spendUpdated, department);
    const refusal = await intruder.next();
    expect(refusal.data ?? null).toBeNull();
    expect(refusal.errors?.[0]).toMatchObject({ extensions: { code: 'NOT_FOUND' } });

    await recordUsage(test.client(world.gatewayToken), [usageItem(world.a.apiKeyId)]);
    expect((await own.next()).data!.spendUpdated.scope.id).toBe(world.a.rootDepartmentId);
    const late = await Promise.race([intruder.next(), new Promise((resolve) => setTimeout(() => resolve('nothing'), 500))]);
    expect(late).toBe('nothing');
    await disposeSubscriptions();
  });
});
