import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { createGunzip } from 'node:zlib';
import { from as copyFrom } from 'pg-copy-streams';
import { FixedClock } from '../src/platform/clock.js';
import { BillingPeriodSettleDocument, type UsageRecordItemInput } from './generated/graphql.js';
import type { World } from './support/fixtures.js';
import type { GraphQLClient, TestApp } from './support/harness.js';
import { PRICES, recordUsage, startUsageTest, usageItem } from './support/usage-fixtures.js';

/*
 * usage_record by month: the server makes the months ahead, each record lands in its month, a
 * requestId stays a duplicate across months and after its month is archived, and
 * `npm run usage:archive` exports a settled month to a file that loads back as it was, detaches it,
 * and refuses a month with unsettled records, while bills and late usage lose nothing.
 */
const clock = new FixedClock(new Date('2026-10-20T04:00:00Z'));
let test: TestApp;
let world: World;
let gateway: GraphQLClient;
let directory: string;

beforeAll(async () => {
  ({ test, world, gateway } = await startUsageTest({ clock }));
  directory = await mkdtemp(path.join(os.tmpdir(), 'usage-archive-'));
});
afterAll(async () => {
  await test.stop();
  await rm(directory, { recursive: true, force: true });
});

async function record(apiKeyId: string, items: Partial<UsageRecordItemInput>[]) {
  return recordUsage(
    gateway,
    items.map((item, index) => usageItem(apiKeyId, { model: index % 2 ? PRICES.embed.model : PRICES.chat.model, inputTokens: 1000 + index * 37, ...item })),
  );
}

async function settle(period: string, tenantIds: string[]) {
  const { billingPeriodSettle } = await world.admin.data(BillingPeriodSettleDocument, { input: { period, tenantIds, idempotencyKey: randomUUID() } });
  expect(billingPeriodSettle.settlementRun).toMatchObject({ status: 'COMPLETED', failedCount: 0 });
}

const partitions = async () =>
  (
    await test.sql.query<{ name: string }>(`select inhrelid::regclass::text as name from pg_inherits where inhparent = 'usage_record'::regclass order by 1`)
  ).rows.map((row) => row.name);

/** `npm run usage:archive` on the test database, archiving months up to October 2026 whatever today's date. */
async function archiveCommand(...extra: string[]) {
  const now = new Date();
  const monthsSinceOctober = (now.getUTCFullYear() - 2026) * 12 + now.getUTCMonth() - 9;
  const run = promisify(execFile);
  try {
    const { stdout } = await run(
      process.execPath,
      [
        '--import',
        '@swc-node/register/esm-register',
        'src/cli/usage-archive.ts',
        '--older-than-months',
        String(monthsSinceOctober - 1),
        '--directory',
        directory,
        ...extra,
      ],
      { env: { ...process.env, DATABASE_URL: test.databaseUrl } },
    );
    return { code: 0, stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout + failed.stderr };
  }
}

const billsSnapshot = async () =>
  (
    await test.sql.query(
      `select b.id, b.number, b.gross_total::text, json_agg(json_build_object('kind', l.kind, 'requests', l.request_count, 'exact', l.exact_amount::text) order by l.line_number) as lines
         from bill b join bill_line l on l.bill_id = b.id group by b.id, b.number, b.gross_total order by b.number`,
    )
  ).rows;

it('makes the months ahead at start, and puts each record in its month', async () => {
  expect(await partitions()).toEqual(
    expect.arrayContaining(['usage_record_default', 'usage_record_y2026m10', 'usage_record_y2026m11', 'usage_record_y2027m01']),
  );
  const october = await record(world.a.apiKeyId, [{ occurredAt: '2026-10-02T03:00:00Z' }, { occurredAt: '2026-10-19T23:00:00Z' }]);
  expect(october.acceptedCount).toBe(2);
  const { rows } = await test.sql.query(`select distinct tableoid::regclass::text as partition from usage_record`);
  expect(rows).toEqual([{ partition: 'usage_record_y2026m10' }]);
});

it('refuses a requestId already recorded in another month: dedupe is per tenant across partitions', async () => {
  const requestId = `across-${randomUUID()}`;
  await record(world.a.apiKeyId, [{ requestId, occurredAt: '2026-10-03T00:00:00Z' }]);
  clock.set(new Date('2026-11-02T04:00:00Z'));
  const again = await record(world.a.apiKeyId, [{ requestId, occurredAt: '2026-11-01T00:00:00Z' }]);
  expect(again).toMatchObject({ acceptedCount: 0, duplicateCount: 1 });
  // Another tenant may use it.
  expect((await record(world.b.apiKeyId, [{ requestId, occurredAt: '2026-11-01T00:00:00Z' }])).acceptedCount).toBe(1);
});

it('archives a settled month to a file that loads back as it was, keeps an unsettled one, and bills lose nothing', async () => {
  await record(world.b.apiKeyId, [{ occurredAt: '2026-10-10T00:00:00Z' }, { occurredAt: '2026-10-11T00:00:00Z' }]);
  await record(world.a.apiKeyId, [{ occurredAt: '2026-11-01T12:00:00Z' }]);
  const octoberRequestIds = (await test.sql.query(`select tenant_id, request_id from usage_record_y2026m10`)).rows;
  const digestOf = async (table: string) =>
    (await test.sql.query(`select count(*)::int as count, md5(string_agg(u::text, ',' order by id)) as digest from ${table} u`)).rows[0];
  const october = await digestOf('usage_record_y2026m10');
  expect(october.count).toBe(5);

  await settle('2026-10', [world.a.id]);
  const refused = await archiveCommand();
  expect(refused.code).toBe(1);
  expect(refused.stdout).toContain(`kept 2026-10: records not settled yet (tenant and period: ${world.b.id} 2026-10)`);
  expect(await partitions()).toContain('usage_record_y2026m10');

  await settle('2026-10', [world.b.id]);
  const bills = await billsSnapshot();
  const archived = await archiveCommand();
  expect(archived).toMatchObject({ code: 0 });
  expect(archived.stdout).toMatch(/^archived 2026-10: 5 records to .*usage_record_y2026m10\.csv\.gz \(sha256 [0-9a-f]{64}\), detached$/m);
  expect(await partitions()).not.toContain('usage_record_y2026m10');
  expect(await partitions()).toContain('usage_record_y2026m11');
  const manifest = JSON.parse(await readFile(path.join(directory, 'usage_record_y2026m10.json'), 'utf8'));
  expect(manifest).toMatchObject({ month: '2026-10', partition: 'usage_record_y2026m10', rows: 5, dropped: false });

  // The file loads back into a table shaped like usage_record with the very same rows.
  await test.sql.query('create table usage_record_restored (like usage_record)');
  const client = await test.sql.connect();
  try {
    const copy = client.query(copyFrom('copy usage_record_restored from stdin with (format csv, header)'));
    await pipeline(createReadStream(path.join(directory, 'usage_record_y2026m10.csv.gz')), createGunzip(), copy);
  } finally {
    client.release();
  }
  expect(await digestOf('usage_record_restored')).toEqual(october);
  expect(await digestOf('usage_record_y2026m10')).toEqual(october); // detached, not dropped

  // Bills read nothing archived; the archived requestIds are still duplicates.
  expect(await billsSnapshot()).toEqual(bills);
  const replay = await recordUsage(
    gateway,
    octoberRequestIds
      .filter((row) => row.tenant_id === world.a.id)
      .map((row) => usageItem(world.a.apiKeyId, { requestId: row.request_id, occurredAt: '2026-10-05T00:00:00Z' })),
  );
  expect(replay.acceptedCount).toBe(0);
  expect(replay.duplicateCount).toBe(3);

  // Usage of the archived month arriving late lands in the default partition and is billed in November as late usage.
  const late = await record(world.a.apiKeyId, [{ occurredAt: '2026-10-28T00:00:00Z', inputTokens: 5000 }]);
  expect(late.acceptedCount).toBe(1);
  expect((await test.sql.query(`select count(*)::int as count from usage_record_default`)).rows[0].count).toBe(1);
  clock.set(new Date('2026-12-02T04:00:00Z'));
  await settle('2026-11', [world.a.id]);
  const { rows } = await test.sql.query(
    `select l.kind, to_char(l.adjusted_period_start, 'YYYY-MM') as adjusted, l.request_count::int as requests
       from bill b join bill_line l on l.bill_id = b.id where b.tenant_id = $1 and b.period_start = '2026-11-01' and l.kind = 'LATE_USAGE_ADJUSTMENT'`,
    [world.a.id],
  );
  expect(rows).toEqual([{ kind: 'LATE_USAGE_ADJUSTMENT', adjusted: '2026-10', requests: 1 }]);

  // Nothing left to archive: a second run changes nothing.
  expect(await archiveCommand()).toMatchObject({ code: 0, stdout: expect.stringContaining('0 months archived, 0 kept') });
});

it('refuses a malformed age, naming the option and the rule', async () => {
  const result = await archiveCommand('--older-than-months', 'soon');
  expect(result.code).toBe(2);
  expect(result.stdout).toContain('--older-than-months must be a whole number of months from 1 to 1200, got "soon"');
});
