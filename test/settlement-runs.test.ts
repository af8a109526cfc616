import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { Role } from '../src/platform/auth/roles.js';
import { print } from 'graphql';
import {
  BillingPeriodSettleDocument,
  BillsDocument,
  SettlementProgressDocument,
  SettlementRunDocument,
  SettlementRunsDocument,
  type BillsQuery,
  type SettlementProgressSubscription,
} from './generated/graphql.js';
import type { GraphQLClient, TestApp } from './support/harness.js';
import { startTestApp } from './support/harness.js';
import { seedSettlementData } from './support/settlement-data.js';
import { disposeSubscriptions, messagesUntilComplete, subscribe } from './support/subscriptions.js';

/*
 * Settlement runs over hundreds of tenants, on the real clock (October 2026 has ended): the
 * command-line settlement killed with SIGKILL half-way and run again, and an ERP pulling bills by
 * `updatedSince` while two settlements race to create them.
 */
let test: TestApp;
let admin: GraphQLClient;
let erp: GraphQLClient;
let erpTenants: string[];
let crashTenants: string[];

beforeAll(async () => {
  test = await startTestApp();
  admin = test.client(await test.tokenFor(Role.PLATFORM_ADMIN));
  erp = test.client(await test.tokenFor(Role.ERP));
  const data = await seedSettlementData(test.sql, { tenants: 500, records: 25_000, period: '2026-10', seed: 7 });
  erpTenants = data.tenantIds.slice(0, 150);
  crashTenants = data.tenantIds.slice(150);
}, 120_000);
afterAll(async () => {
  await disposeSubscriptions();
  await test.stop();
});

/** Every message of a settlementProgress subscription, until the server ends it. */
async function progressOf(runId: string): Promise<SettlementProgressSubscription['settlementProgress'][]> {
  const subscription = await subscribe<SettlementProgressSubscription>(
    test.app.wsUrl,
    await test.tokenFor(Role.PLATFORM_ADMIN),
    print(SettlementProgressDocument),
    {
      runId,
    },
  );
  return (await messagesUntilComplete(subscription)).map((message) => message.data!.settlementProgress);
}

/** `npm run settle`'s command, in its own OS process. */
function settleCommand(...tenantIds: string[]) {
  const tenantArguments = tenantIds.flatMap((id) => ['--tenant', id]);
  return spawn(process.execPath, ['--import', '@swc-node/register/esm-register', 'src/cli/settle.ts', '--period', '2026-10', ...tenantArguments], {
    env: { ...process.env, DATABASE_URL: test.databaseUrl, LOG_LEVEL: 'error' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

async function billCount(tenantIds: string[]): Promise<number> {
  const { rows } = await test.sql.query<{ count: number }>(`select count(*)::int as count from bill where tenant_id = any($1)`, [tenantIds]);
  return rows[0].count;
}

/**
 * What each tenant's bill must say, computed in SQL straight from the usage rows, independently of
 * the settlement code: default terms (no contract), so a line per department, model and price is
 * round(sum, 2) half-up, its VAT round(line x 0.06, 2), and the bill the sums.
 */
async function expectedTotals(tenantIds: string[]): Promise<Map<string, string>> {
  const { rows } = await test.sql.query<{ tenantId: string; totals: string }>(
    `select tenant_id as "tenantId", concat(sum(net), '/', sum(tax), '/', sum(net + tax)) as totals
       from (select tenant_id, round(sum(charged_amount), 2) as net, round(round(sum(charged_amount), 2) * 0.06, 2) as tax
               from usage_record where tenant_id = any($1) and is_charged group by tenant_id, department_id, model, price_id) as lines
      group by tenant_id`,
    [tenantIds],
  );
  return new Map(rows.map((row) => [row.tenantId, row.totals]));
}

async function actualTotals(tenantIds: string[]): Promise<Map<string, string>> {
  const { rows } = await test.sql.query<{ tenantId: string; totals: string }>(
    `select tenant_id as "tenantId", concat(net_total, '/', tax_total, '/', gross_total) as totals from bill where tenant_id = any($1) and status <> 'VOID'`,
    [tenantIds],
  );
  return new Map(rows.map((row) => [row.tenantId, row.totals]));
}

it('an ERP paging bills by updatedSince sees every bill exactly once while two racing settlements create them', async () => {
  const since = new Date().toISOString();
  const start = (idempotencyKey: string) => admin.data(BillingPeriodSettleDocument, { input: { period: '2026-10', tenantIds: erpTenants, idempotencyKey } });
  // Over 20 tenants: both runs go on in the background, on the same tenants at once.
  const runs = await Promise.all([start('erp-run-1'), start('erp-run-2')]);
  const runIds = runs.map((run) => run.billingPeriodSettle.settlementRun!.id);
  const progress = progressOf(runIds[0]);

  const seen: string[] = [];
  let after: string | null = null;
  const isFinished = async () => {
    const statuses = await Promise.all(runIds.map(async (id) => (await admin.data(SettlementRunDocument, { id })).settlementRun!.status));
    return statuses.every((status) => status === 'COMPLETED');
  };
  for (let finished = false; ;) {
    // Read "finished" before the page: a page read after both runs finished is the last one needed.
    finished = await isFinished();
    const { bills }: BillsQuery = await erp.data(BillsDocument, {
      filter: { updatedSince: since },
      orderBy: { field: 'UPDATED_AT', direction: 'ASC' },
      first: 7,
      after,
    });
    seen.push(...bills.nodes.map((bill) => bill.id));
    after = bills.pageInfo.endCursor ?? after;
    if (!bills.pageInfo.hasNextPage && finished) break;
  }
  expect(new Set(seen).size).toBe(seen.length);
  const { rows } = await test.sql.query<{ id: string }>('select id from bill where tenant_id = any($1)', [erpTenants]);
  expect(new Set(seen)).toEqual(new Set(rows.map((row) => row.id)));
  expect(rows).toHaveLength(erpTenants.length);
  const counts = await Promise.all(runIds.map(async (id) => (await admin.data(SettlementRunDocument, { id })).settlementRun!));
  expect(counts.reduce((sum, run) => sum + run.billedCount, 0)).toBe(erpTenants.length);
  expect(counts.every((run) => run.failedCount === 0 && run.billedCount + run.skippedCount === erpTenants.length)).toBe(true);

  // A subscriber to a run gets its state at once, its progress, and the end of the stream when it finishes ...
  const seenLive = await progress;
  expect(seenLive.at(-1)).toMatchObject({ id: runIds[0], status: 'COMPLETED', percentDone: '100.0', billedCount: counts[0].billedCount });
  expect(seenLive.slice(0, -1).every((message) => message.status === 'RUNNING')).toBe(true);
  // ... and one late to a finished run gets where it ended, and the end, at once.
  expect(await progressOf(runIds[1])).toEqual([expect.objectContaining({ id: runIds[1], status: 'COMPLETED', billedCount: counts[1].billedCount })]);
});

it('lists settlement runs newest first with their progress, to the operator only', async () => {
  const { settlementRuns } = await admin.data(SettlementRunsDocument, { first: 10 });
  expect(settlementRuns.totalCount).toBe(2);
  expect(settlementRuns.nodes.map((run) => [run.status, run.percentDone, run.tenantCount])).toEqual([
    ['COMPLETED', '100.0', erpTenants.length],
    ['COMPLETED', '100.0', erpTenants.length],
  ]);
  const started = settlementRuns.nodes.map((run) => run.startedAt);
  expect(started).toEqual([...started].sort().reverse());
  const refused = await erp.execute(SettlementRunsDocument, { first: 10 });
  expect(refused.errors?.map((error) => error.extensions?.code)).toEqual(['FORBIDDEN']);
});

it('a settlement killed with SIGKILL mid-run and run again leaves exactly one finalized bill per tenant, right to the fen, numbered without gaps', async () => {
  const killed = settleCommand(...crashTenants);
  for (;;) {
    const count = await billCount(crashTenants);
    if (count >= 20) break;
    if (killed.exitCode !== null) throw new Error(`the settlement finished before it could be killed: ${count} bills`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  killed.kill('SIGKILL');
  await once(killed, 'exit');
  const afterKill = await billCount(crashTenants);
  expect(afterKill).toBeLessThan(crashTenants.length);

  const rerun = settleCommand(...crashTenants);
  let output = '';
  rerun.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const [code] = (await once(rerun, 'exit')) as [number];
  expect(code).toBe(0);
  expect(output).toContain(`COMPLETED: ${crashTenants.length - afterKill} billed, ${afterKill} skipped, 0 failed of ${crashTenants.length}`);

  const { rows } = await test.sql.query<{ tenantId: string; count: number; statuses: string[] }>(
    `select tenant_id as "tenantId", count(*)::int as count, array_agg(status::text) as statuses from bill where tenant_id = any($1) group by 1`,
    [crashTenants],
  );
  expect(rows).toHaveLength(crashTenants.length);
  expect(rows.every((row) => row.count === 1 && row.statuses[0] === 'FINALIZED')).toBe(true);
  expect(await actualTotals(crashTenants)).toEqual(await expectedTotals(crashTenants));

  // Every bill of the period, from both tests: numbers 1..N with no gap and no repeat.
  const numbers = await test.sql.query<{ number: string }>(`select number from bill where period_start = '2026-10-01' order by number`);
  expect(numbers.rows.map((row) => row.number)).toEqual(
    Array.from({ length: erpTenants.length + crashTenants.length }, (_unused, index) => `2026-10-${String(index + 1).padStart(6, '0')}`),
  );
}, 120_000);
