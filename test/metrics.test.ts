import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { print } from 'graphql';
import { SpendUpdatedDocument, UsageAuthorizeDocument, type SpendUpdatedSubscription } from './generated/graphql.js';
import type { World } from './support/fixtures.js';
import type { GraphQLClient, TestApp } from './support/harness.js';
import { moved, scrape as scrapeOf } from './support/metrics.js';
import { disposeSubscriptions, subscribe } from './support/subscriptions.js';
import { until } from './support/until.js';
import { PRICES, recordUsage, reserveUsage, startUsageTest, usageItem } from './support/usage-fixtures.js';

const METRICS_TOKEN = randomBytes(24).toString('hex');

let test: TestApp;
let world: World;
let gateway: GraphQLClient;

beforeAll(async () => {
  ({ test, world, gateway } = await startUsageTest({ metricsToken: METRICS_TOKEN }));
});
afterAll(async () => {
  await disposeSubscriptions();
  await test.stop();
});

const scrape = () => scrapeOf(test.app.url, METRICS_TOKEN);

/** The metrics a scrape declares (`# HELP <name> ...`), samples or not. */
async function declaredMetrics(): Promise<Set<string>> {
  const response = await fetch(new URL('/metrics', test.app.url), { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  return new Set([...(await response.text()).matchAll(/^# HELP (\S+)/gm)].map((match) => match[1]));
}

describe('metrics', () => {
  it('serves /metrics only to the configured bearer secret', async () => {
    const url = new URL('/metrics', test.app.url);
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: `Bearer ${world.adminToken}` } })).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: `Bearer ${METRICS_TOKEN}x` } })).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).headers.get('content-type')).toContain('text/plain; version=0.0.4');
    const samples = await scrape();
    // Node's own, and the pool's.
    expect(samples.get('process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(samples.has('billing_database_connections{state="waiting"}')).toBe(true);
  });

  it('has a Grafana dashboard whose every query reads metrics the server declares', async () => {
    const dashboard = JSON.parse(await readFile('ops/grafana/billing-dashboard.json', 'utf8')) as { panels: { targets: { expr: string }[] }[] };
    const queried = new Set(
      dashboard.panels.flatMap((panel) =>
        panel.targets.flatMap((target) => [...target.expr.matchAll(/\b((?:billing|process|nodejs)_\w+?)(?:_bucket|_count|_sum)?\b/g)].map((match) => match[1])),
      ),
    );
    expect(queried.size).toBeGreaterThan(15);
    const declared = await declaredMetrics();
    expect([...queried].filter((name) => !declared.has(name))).toEqual([]);
  });

  it('moves as the gateway checks, reserves and records usage, and counts errors per operation', async () => {
    const before = await scrape();
    const { apiKeySecret, apiKeyId } = world.a;
    for (let call = 0; call < 3; call += 1) {
      const allowed = (await gateway.data(UsageAuthorizeDocument, { input: { apiKeySecret, model: PRICES.chat.model } })).usageAuthorize;
      expect(allowed.isAllowed).toBe(true);
    }
    const unknown = (await gateway.data(UsageAuthorizeDocument, { input: { apiKeySecret: `bk_live_${'0'.repeat(40)}`, model: PRICES.chat.model } }))
      .usageAuthorize;
    expect(unknown.denial?.code).toBeDefined();
    const hold = await reserveUsage(gateway, { apiKeySecret, model: PRICES.chat.model, requestId: 'metrics-hold-1', estimatedCost: '0.01' });
    expect(hold.reservation).not.toBeNull();
    const recorded = await recordUsage(gateway, [
      usageItem(apiKeyId),
      usageItem(apiKeyId),
      usageItem(apiKeyId, { requestId: 'metrics-dup' }),
      usageItem(apiKeyId, { requestId: 'metrics-dup' }),
      usageItem(apiKeyId, { model: 'no-such-model' }),
    ]);
    expect(recorded).toMatchObject({ acceptedCount: 3, duplicateCount: 1, rejectedCount: 1 });
    const rejectedCode = (await recordUsage(gateway, [usageItem(apiKeyId, { model: 'no-such-model' })])).rejections[0].code;
    const refused = await test.client(world.a.tokens.TENANT_VIEWER).raw('{ usageAuthorize(input: { apiKeySecret: "x", model: "m" }) { isAllowed } }');
    expect(refused.errors?.[0].extensions?.code).toBe('FORBIDDEN');

    const after = await scrape();
    expect(moved(before, after, 'billing_authorize_decisions_total{operation="usageAuthorize",decision="ALLOWED"}')).toBe(3);
    expect(moved(before, after, `billing_authorize_decisions_total{operation="usageAuthorize",decision="${unknown.denial!.code}"}`)).toBe(1);
    expect(moved(before, after, 'billing_authorize_decisions_total{operation="usageReserve",decision="ALLOWED"}')).toBe(1);
    expect(moved(before, after, 'billing_usage_records_total{outcome="accepted",code=""}')).toBe(3);
    expect(moved(before, after, 'billing_usage_records_total{outcome="duplicate",code=""}')).toBe(1);
    expect(moved(before, after, `billing_usage_records_total{outcome="rejected",code="${rejectedCode}"}`)).toBe(2);
    // The hold is open until its usage is recorded; every instance counts the same.
    expect(after.get('billing_usage_holds_open')).toBeGreaterThanOrEqual(1);
    // Latency per operation: 4 usageAuthorize answers over HTTP (and the refused one), 2 usageRecord.
    expect(moved(before, after, 'billing_request_duration_seconds_count{operation="usageAuthorize",type="query"}')).toBe(5);
    expect(moved(before, after, 'billing_request_duration_seconds_count{operation="usageRecord",type="mutation"}')).toBe(2);
    expect(moved(before, after, 'billing_request_duration_seconds_bucket{le="+Inf",operation="usageRecord",type="mutation"}')).toBe(2);
    expect(moved(before, after, 'billing_request_errors_total{operation="usageAuthorize",type="query",code="FORBIDDEN"}')).toBe(1);
  });

  it('shows open subscriptions, the lag of the events that feed them, and the webhook backlog', async () => {
    const before = await scrape();
    const subscription = await subscribe<SpendUpdatedSubscription>(test.app.wsUrl, world.a.tokens.TENANT_VIEWER, print(SpendUpdatedDocument), {
      scope: { departmentId: world.a.rootDepartmentId },
    });
    const open = async () => (await scrape()).get('billing_subscriptions_open');
    await until(async () => (await open()) === (before.get('billing_subscriptions_open') ?? 0) + 1, 'the subscription counted as open');
    await recordUsage(gateway, [usageItem(world.a.apiKeyId)]);
    await subscription.next();
    const after = await scrape();
    expect(after.get('billing_websocket_connections_open')).toBeGreaterThanOrEqual(1);
    expect(moved(before, after, 'billing_event_lag_seconds_count{topic="SPEND_UPDATED"}')).toBeGreaterThanOrEqual(1);
    expect(after.get('billing_event_lag_seconds_bucket{le="1",topic="SPEND_UPDATED"}')).toBe(
      after.get('billing_event_lag_seconds_count{topic="SPEND_UPDATED"}'),
    );
    expect(after.get('billing_webhook_backlog{state="pending"}')).toBe(0);
    // A running settlement's progress, as every instance reads it from its run.
    await test.sql.query(
      `insert into settlement_run (id, period, idempotency_key, status, tenant_count, billed_count, skipped_count, failed_count, failures, started_at, heartbeat_at)
       values ('srn_01KB0000000000000000000000', '2026-10', 'metrics', 'RUNNING', 10, 3, 1, 2, '[]', now(), now())`,
    );
    const running = await scrape();
    await test.sql.query(`delete from settlement_run where idempotency_key = 'metrics'`);
    expect(['billed', 'skipped', 'failed', 'left'].map((state) => running.get(`billing_settlement_tenants{period="2026-10",state="${state}"}`))).toEqual([
      3, 1, 2, 4,
    ]);
    expect((await scrape()).has('billing_settlement_tenants{period="2026-10",state="left"}')).toBe(false);
    await disposeSubscriptions();
    await until(async () => (await open()) === (before.get('billing_subscriptions_open') ?? 0), 'the subscription counted as ended');
  });
});
