import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { migrate } from '../src/database.js';
import {
  AccessTokenCreateDocument,
  BillingPeriodSettleDocument,
  SettlementRunDocument,
  TenantCreateDocument,
  TenantsDocument,
  UsageSummaryDocument,
} from './generated/graphql.js';
import { GraphQLClient } from './support/harness.js';
import { moved, scrape } from './support/metrics.js';
import { startReplicatedPostgres, type ReplicatedPostgres } from './support/replica.js';
import { startServerProcess, type ServerProcess } from './support/server-process.js';
import { seedSettlementData, type SettlementData } from './support/settlement-data.js';

/*
 * DATABASE_READ_URL: two server processes on a primary, with a streaming replica made by
 * pg_basebackup (both PostgreSQL servers started by the test). ERP pulls, exports and reports read
 * the replica; a caller that just wrote, through either instance, reads what it wrote. Replay on
 * the replica is paused to make it lag on purpose: what then reads stale data read the replica.
 */
const METRICS_TOKEN = 'metrics-token-for-the-read-replica-test-01';
const ADMIN_TOKEN = `bpat_${randomUUID().replaceAll('-', '')}`;
const MAX_WAIT_MS = 1000;
const TENANTS = 4;
let cluster: ReplicatedPostgres;
let primary: pg.Pool;
let instances: ServerProcess[];
let data: SettlementData;
/** The operator, who writes; another operator token that never writes; the operator's ERP. */
let admin: (instance: number) => GraphQLClient;
let reader: (instance: number) => GraphQLClient;
let erp: (instance: number) => GraphQLClient;
let tokens: { reader: string; erp: string };

beforeAll(async () => {
  cluster = await startReplicatedPostgres();
  const setup = new pg.Client({ connectionString: cluster.primaryUrl('postgres') });
  await setup.connect();
  await setup.query('create database billing');
  await setup.end();
  await migrate(cluster.primaryUrl('billing'));
  primary = new pg.Pool({ connectionString: cluster.primaryUrl('billing'), max: 2 });
  primary.on('error', () => undefined);
  data = await seedSettlementData(primary, { tenants: TENANTS, records: 400, period: '2026-10', seed: 5, name: 'Replica' });
  const environment = {
    DATABASE_READ_URL: cluster.replicaUrl('billing'),
    DATABASE_READ_MAX_WAIT: `${MAX_WAIT_MS}ms`,
    METRICS_TOKEN,
    BOOTSTRAP_ADMIN_TOKEN: ADMIN_TOKEN,
  };
  instances = [];
  for (let index = 0; index < 2; index++) instances.push(await startServerProcess(cluster.primaryUrl('billing'), { environment }));
  const clientOf = (token: string) => (instance: number) => new GraphQLClient(instances[instance].url, token);
  admin = clientOf(ADMIN_TOKEN);
  const token = async (role: 'PLATFORM_ADMIN' | 'ERP') =>
    (await admin(0).data(AccessTokenCreateDocument, { input: { name: `replica test ${role}`, role, tenantId: null } })).accessTokenCreate.secret!;
  tokens = { reader: await token('PLATFORM_ADMIN'), erp: await token('ERP') };
  reader = clientOf(tokens.reader);
  erp = clientOf(tokens.erp);
  await cluster.caughtUp();
}, 120_000);

afterAll(async () => {
  for (const instance of instances ?? []) expect(await instance.stop()).toBe(0);
  await primary?.end();
  cluster?.stop();
});

/** How many times the instance's routed reads went each way since `before`. */
async function routes(instance: number, before: Map<string, number>) {
  const after = await scrape(instances[instance].url, METRICS_TOKEN);
  const route = (name: string) => moved(before, after, `billing_read_routes_total{route="${name}"}`);
  return { replica: route('replica'), lagging: route('primary_lagging'), unreachable: route('primary_unreachable') };
}

const tenantNames = async (client: GraphQLClient) => (await client.data(TenantsDocument, { first: 100 })).tenants.nodes.map((tenant) => tenant.name);

/** The period's bills as the CSV export lists them (one line each after the header), and how long the download took. */
async function exportedBills(token: string, instance: number): Promise<{ bills: number; ms: number }> {
  const started = performance.now();
  const response = await fetch(new URL('/exports/bills.csv?period=2026-10', instances[instance].url), { headers: { authorization: `Bearer ${token}` } });
  expect(response.status).toBe(200);
  const lines = (await response.text()).split('\n').filter(Boolean);
  return { bills: lines.length - 1, ms: performance.now() - started };
}

it('sends ERP pulls and reports to the replica, and everything else to the primary', async () => {
  const before = await scrape(instances[1].url, METRICS_TOKEN);
  await cluster.pauseReplay();
  try {
    expect((await admin(0).data(TenantCreateDocument, { input: { name: 'Written while the replica lags' } })).tenantCreate.userErrors).toEqual([]);
    // The ERP, which never wrote, pulls through the other instance: the replica has not applied the new tenant.
    const pulled = await tenantNames(erp(1));
    expect(pulled).toHaveLength(TENANTS);
    expect(pulled).not.toContain('Written while the replica lags');
    // The same query from an operator token is no ERP pull: the primary answers, new tenant and all.
    expect(await tenantNames(reader(1))).toContain('Written while the replica lags');
    // A report, from anyone: the replica.
    const summary = await reader(1).execute(UsageSummaryDocument, {
      scope: { tenantId: data.tenantIds[0] },
      from: '2026-09-01T00:00:00Z',
      to: '2026-12-01T00:00:00Z',
      groupBy: ['MODEL'],
    });
    expect(summary.errors).toBeUndefined();
    expect(summary.data!.usageSummary.length).toBeGreaterThan(0);
    expect(await routes(1, before)).toEqual({ replica: 2, lagging: 0, unreachable: 0 });
  } finally {
    await cluster.resumeReplay();
  }
  await cluster.caughtUp();
  expect(await tenantNames(erp(1))).toContain('Written while the replica lags');
});

it('lets a caller read its own writes through any instance: it waits for the replica, or reads the primary when the replica stays behind', async () => {
  await cluster.pauseReplay();
  try {
    // The operator settles October through one instance; the run goes on in the background there.
    const { billingPeriodSettle } = await admin(0).data(BillingPeriodSettleDocument, {
      input: { period: '2026-10', tenantIds: null, idempotencyKey: randomUUID() },
    });
    expect(billingPeriodSettle.userErrors).toEqual([]);
    for (;;) {
      const { settlementRun } = await admin(0).data(SettlementRunDocument, { id: billingPeriodSettle.settlementRun!.id });
      if (settlementRun!.status === 'COMPLETED') break;
      await sleep(50);
    }
    const before = await scrape(instances[1].url, METRICS_TOKEN);
    // Another operator token, which wrote nothing, exports through the other instance: the lagging replica has no bills.
    expect((await exportedBills(tokens.reader, 1)).bills).toBe(0);
    // The operator who settled: the replica stays behind for the whole wait, so the primary answers.
    const own = await exportedBills(ADMIN_TOKEN, 1);
    expect(own.bills).toBe(TENANTS);
    expect(own.ms).toBeGreaterThanOrEqual(MAX_WAIT_MS);
    expect(await routes(1, before)).toEqual({ replica: 1, lagging: 1, unreachable: 0 });

    // Again, with replay resumed 200 ms into the wait: the replica catches up and answers, bills and all.
    const waiting = exportedBills(ADMIN_TOKEN, 1);
    await sleep(200);
    await cluster.resumeReplay();
    const caughtUp = await waiting;
    expect(caughtUp.bills).toBe(TENANTS);
    expect(caughtUp.ms).toBeLessThan(MAX_WAIT_MS);
    expect(await routes(1, before)).toEqual({ replica: 2, lagging: 1, unreachable: 0 });
  } finally {
    await cluster.resumeReplay();
  }
  await cluster.caughtUp();
  expect((await exportedBills(tokens.reader, 1)).bills).toBe(TENANTS);
});

it('reads the primary while the replica is down, and the replica again once it is back', async () => {
  const before = await scrape(instances[0].url, METRICS_TOKEN);
  cluster.stopReplica();
  try {
    expect(await tenantNames(erp(0))).toContain('Written while the replica lags');
    expect((await exportedBills(tokens.erp, 0)).bills).toBe(TENANTS);
    expect((await fetch(new URL('/readyz', instances[0].url))).status).toBe(200);
    expect(await routes(0, before)).toMatchObject({ unreachable: 2 });
  } finally {
    cluster.startReplica();
  }
  await cluster.caughtUp();
  const back = await scrape(instances[0].url, METRICS_TOKEN);
  expect(await tenantNames(erp(0))).toContain('Written while the replica lags');
  expect(await routes(0, back)).toEqual({ replica: 1, lagging: 0, unreachable: 0 });
});
