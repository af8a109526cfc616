import { randomUUID } from 'node:crypto';
import { print } from 'graphql';
import { Role } from '../src/platform/auth/roles.js';
import {
  AccessTokenCreateDocument,
  AccessTokenRevokeDocument,
  BillingPeriodSettleDocument,
  RateLimitSetDocument,
  SettlementProgressDocument,
  SpendUpdatedDocument,
  ViewerDocument,
  type SettlementProgressSubscription,
  type SpendUpdatedSubscription,
} from './generated/graphql.js';
import type { World } from './support/fixtures.js';
import { GraphQLClient, type TestApp } from './support/harness.js';
import { startLoadBalancer, type LoadBalancer } from './support/load-balancer.js';
import { scrape } from './support/metrics.js';
import { startServerProcess, type ServerProcess } from './support/server-process.js';
import { seedSettlementData } from './support/settlement-data.js';
import { disposeSubscriptions, messagesUntilComplete, subscribe, type Subscription } from './support/subscriptions.js';
import { createKey, PRICES, recordUsage, reserveUsage, startUsageTest, usageItem } from './support/usage-fixtures.js';

/*
 * Three server processes on one database behind a real HAProxy (Debian's package), round robin per
 * request and per WebSocket: everything a client does goes through the balancer, so each step
 * lands on whichever instance is next, and what one instance does must hold on the others.
 */
const METRICS_TOKEN = 'metrics-token-for-the-scale-out-test-00001';
let test: TestApp;
let world: World;
let instances: ServerProcess[];
let balancer: LoadBalancer;
/** The operator, the gateway and a tenant admin, all through the balancer. */
let admin: GraphQLClient;
let gateway: GraphQLClient;

beforeAll(async () => {
  ({ test, world } = await startUsageTest());
  instances = await Promise.all(Array.from({ length: 3 }, () => startServerProcess(test.databaseUrl, { environment: { METRICS_TOKEN } })));
  balancer = await startLoadBalancer(instances.map((instance) => instance.url));
  admin = new GraphQLClient(balancer.url, world.adminToken);
  gateway = new GraphQLClient(balancer.url, world.gatewayToken);
}, 120_000);
afterAll(async () => {
  await disposeSubscriptions();
  await balancer?.stop();
  for (const instance of instances ?? []) expect(await instance.stop()).toBe(0);
  await test.stop();
});

/** The instance that served a request through the balancer. */
async function servedBy(token: string): Promise<string> {
  const response = await fetch(balancer.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: print(ViewerDocument) }),
  });
  expect(response.status).toBe(200);
  return response.headers.get('x-served-by')!;
}

/** WebSocket connections open on each instance, from its own metrics. */
async function connectionsPerInstance(): Promise<number[]> {
  return Promise.all(instances.map(async (instance) => (await scrape(instance.url, METRICS_TOKEN)).get('billing_websocket_connections_open') ?? 0));
}

it('spreads requests over the three instances, round robin', async () => {
  const served = await Promise.all(Array.from({ length: 6 }, () => servedBy(world.adminToken)));
  expect(new Set(served)).toEqual(new Set(['s1', 's2', 's3']));
});

it('delivers live spend recorded through one instance to subscribers on every instance', async () => {
  const before = await connectionsPerInstance();
  const subscriptions: Subscription<SpendUpdatedSubscription>[] = [];
  for (let index = 0; index < 3; index++) {
    subscriptions.push(await subscribe(balancer.wsUrl, world.a.tokens.TENANT_VIEWER, print(SpendUpdatedDocument), { scope: { apiKeyId: world.a.apiKeyId } }));
  }
  const after = await connectionsPerInstance();
  expect(after.map((count, index) => count - before[index])).toEqual([1, 1, 1]);

  await recordUsage(gateway, [usageItem(world.a.apiKeyId), usageItem(world.a.apiKeyId)]);

  for (const subscription of subscriptions) {
    const event = await subscription.next();
    expect(event.errors).toBeUndefined();
    expect(event.data!.spendUpdated.scope).toEqual({ type: 'API_KEY', id: world.a.apiKeyId, tenantId: world.a.id });
  }
});

it('ends a revoked token on every instance: its sockets close with 4403 within a second and its requests are refused', async () => {
  const { accessTokenCreate } = await admin.data(AccessTokenCreateDocument, { input: { name: 'portal', role: 'TENANT_ADMIN', tenantId: world.a.id } });
  const token = { id: accessTokenCreate.accessToken!.id, secret: accessTokenCreate.secret! };
  const served = new Set(await Promise.all(Array.from({ length: 3 }, () => servedBy(token.secret))));
  expect(served.size).toBe(3);
  const sockets = [];
  for (let index = 0; index < 3; index++)
    sockets.push(await subscribe(balancer.wsUrl, token.secret, print(SpendUpdatedDocument), { scope: { tenantId: world.a.id } }));

  const revokedAt = performance.now();
  expect((await admin.data(AccessTokenRevokeDocument, { input: { accessTokenId: token.id } })).accessTokenRevoke.userErrors).toEqual([]);

  for (const closed of await Promise.all(sockets.map((socket) => socket.closed))) expect(closed).toMatchObject({ code: 4403, reason: 'Access token revoked' });
  expect(performance.now() - revokedAt).toBeLessThan(1000);
  // Refused by whichever instance answers: three requests in a row reach all three.
  const client = new GraphQLClient(balancer.url, token.secret);
  const answers = await Promise.all(Array.from({ length: 3 }, () => client.execute(ViewerDocument)));
  expect(answers.map((answer) => answer.errors?.[0]?.extensions?.code)).toEqual(['UNAUTHENTICATED', 'UNAUTHENTICATED', 'UNAUTHENTICATED']);
});

it("follows a settlement run's progress from every instance, whichever one runs it", async () => {
  const data = await seedSettlementData(test.sql, { tenants: 300, records: 6_000, period: '2026-10', seed: 11, name: 'Scale-out' });
  const { billingPeriodSettle } = await admin.data(BillingPeriodSettleDocument, {
    input: { period: '2026-10', tenantIds: null, idempotencyKey: randomUUID() },
  });
  expect(billingPeriodSettle.userErrors).toEqual([]);
  const runId = billingPeriodSettle.settlementRun!.id;
  const operator = await test.tokenFor(Role.PLATFORM_ADMIN);
  const followers = [];
  for (let index = 0; index < 3; index++)
    followers.push(await subscribe<SettlementProgressSubscription>(balancer.wsUrl, operator, print(SettlementProgressDocument), { runId }));

  for (const messages of await Promise.all(followers.map(messagesUntilComplete))) {
    const progress = messages.map((message) => message.data!.settlementProgress);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)).toMatchObject({ id: runId, status: 'COMPLETED', failedCount: 0, billedCount: data.tenantIds.length });
    const done = progress.map((run) => run.billedCount + run.skippedCount);
    expect(done).toEqual([...done].sort((left, right) => left - right));
  }
}, 60_000);

it('holds a key to its requests-per-minute limit whichever instances its calls land on', async () => {
  // Away from a minute's end, so that all the calls count in one window.
  const secondsIntoMinute = (Date.now() / 1000) % 60;
  if (secondsIntoMinute > 45) await new Promise((resolve) => setTimeout(resolve, (61 - secondsIntoMinute) * 1000));
  const key = await createKey(test, world.admin, { departmentId: world.b.rootDepartmentId });
  expect((await admin.data(RateLimitSetDocument, { input: { scope: { apiKeyId: key.id }, requestsPerMinute: 12 } })).rateLimitSet.userErrors).toEqual([]);

  const answers = await Promise.all(
    Array.from({ length: 36 }, () =>
      reserveUsage(gateway, { apiKeySecret: key.secret, model: PRICES.chat.model, requestId: `req-${randomUUID()}`, estimatedCost: '0.01' }),
    ),
  );
  expect(answers.filter((answer) => answer.isAllowed)).toHaveLength(12);
  expect(answers.filter((answer) => !answer.isAllowed).map((answer) => answer.denial!.code)).toEqual(Array.from({ length: 24 }, () => 'RATE_LIMITED'));
}, 90_000);
