import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { Migration20261201175318_UsageRollups } from '../migrations/Migration20261201175318_UsageRollups.js';
import { Migration20261201180043_UsagePartitions } from '../migrations/Migration20261201180043_UsagePartitions.js';
import { Migration20261201204034_TenantKeys } from '../migrations/Migration20261201204034_TenantKeys.js';
import { billLinesOfRecords } from '../src/modules/bill/settlement.repository.js';
import { FixedClock } from '../src/platform/clock.js';
import { BillingPeriodSettleDocument, type UsageRecordItemInput } from './generated/graphql.js';
import type { World } from './support/fixtures.js';
import type { GraphQLClient, TestApp } from './support/harness.js';
import { actualRollups, expectedRollups } from './support/spend-ledger.js';
import { PRICES, recordUsage, startUsageTest, toUnits, usageItem } from './support/usage-fixtures.js';

/*
 * Settlement bills from daily rollups, cut at its watermark. Usage keeps arriving while periods
 * are settled (on time and late, for the period being settled and the one before); over three
 * months every charged record must land on exactly one bill line: its period's usage, or a later
 * bill's late-usage adjustment for its period. Checked against the records themselves, in SQL.
 */
const clock = new FixedClock(new Date('2026-10-20T04:00:00Z'));
let test: TestApp;
let world: World;
let gateway: GraphQLClient;
const MODELS = [PRICES.chat, PRICES.embed, PRICES.image];

beforeAll(async () => {
  ({ test, world, gateway } = await startUsageTest({ clock }));
});
afterAll(() => test.stop());

/** A batch of `count` records for tenant A, occurring at `occurredAt` (Shanghai month boundaries are at 16:00Z). */
async function record(count: number, occurredAt: string) {
  const items: UsageRecordItemInput[] = Array.from({ length: count }, (_unused, index) =>
    usageItem(world.a.apiKeyId, {
      model: MODELS[index % MODELS.length].model,
      occurredAt,
      inputTokens: 1 + ((index * 7919) % 90_000),
      outputTokens: (index * 104_729) % 30_000,
      imageCount: MODELS[index % MODELS.length] === PRICES.image ? 1 + (index % 3) : 0,
      status: index % 11 === 0 ? 'FAILED' : 'SUCCEEDED',
    }),
  );
  const result = await recordUsage(gateway, items);
  expect(result.rejections).toEqual([]);
}

async function settle(period: string) {
  const { billingPeriodSettle } = await world.admin.data(BillingPeriodSettleDocument, {
    input: { period, tenantIds: [world.a.id], idempotencyKey: randomUUID() },
  });
  expect(billingPeriodSettle.userErrors).toEqual([]);
  expect(billingPeriodSettle.settlementRun).toMatchObject({ status: 'COMPLETED', billedCount: 1, failedCount: 0 });
}

/** Batches streaming in while `during` runs: alternately at each of `instants`. */
async function streamWhile(during: () => Promise<void>, instants: string[]) {
  let running = true;
  const streaming = (async () => {
    for (let batch = 0; running || batch < 4; batch++) await record(7, instants[batch % instants.length]);
  })();
  await during();
  running = false;
  await streaming;
}

it('bills every charged record exactly once while usage streams in during settlements, on time and late', async () => {
  await record(40, '2026-10-05T02:00:00Z');
  await record(25, '2026-10-19T12:00:00Z');

  clock.set(new Date('2026-11-03T04:00:00Z'));
  await streamWhile(() => settle('2026-10'), ['2026-10-31T15:00:00Z', '2026-11-02T01:00:00Z']);
  clock.set(new Date('2026-11-21T04:00:00Z'));
  await record(9, '2026-10-30T08:00:00Z'); // late for October, after its bill
  await record(30, '2026-11-20T08:00:00Z');

  clock.set(new Date('2026-12-02T04:00:00Z'));
  await streamWhile(() => settle('2026-11'), ['2026-10-25T08:00:00Z', '2026-11-30T15:00:00Z', '2026-12-01T01:00:00Z']);
  await record(6, '2026-11-29T08:00:00Z'); // late for November, after its bill

  clock.set(new Date('2027-01-02T04:00:00Z'));
  await settle('2026-12');

  // Per month of occurrence (Shanghai), what the records charge and what the bills say of it.
  const { rows } = await test.sql.query<{ period: string; records: string; lines: string; charged: string; billed: string }>(
    `with charged as (
       select to_char(occurred_at at time zone 'Asia/Shanghai', 'YYYY-MM') as period, count(*) as records, sum(charged_amount) as charged
         from usage_record where tenant_id = $1 and is_charged group by 1
     ), billed as (
       select coalesce(to_char(l.adjusted_period_start, 'YYYY-MM'), to_char(b.period_start, 'YYYY-MM')) as period,
              sum(l.request_count) as lines, sum(l.exact_amount) as billed
         from bill b join bill_line l on l.bill_id = b.id
        where b.tenant_id = $1 and b.status <> 'VOID' and l.kind in ('USAGE', 'LATE_USAGE_ADJUSTMENT') group by 1
     )
     select period, c.records::text as records, coalesce(b.lines, 0)::text as lines, c.charged::text as charged, coalesce(b.billed, 0)::text as billed
       from charged c full join billed b using (period) order by period`,
    [world.a.id],
  );
  expect(rows.map((row) => row.period)).toEqual(['2026-10', '2026-11', '2026-12']);
  for (const row of rows) {
    expect({ period: row.period, lines: row.lines, billed: Number(row.billed) === 0 ? '0' : row.billed }).toEqual({
      period: row.period,
      lines: row.records,
      billed: row.charged,
    });
  }
  // Late records did arrive after each bill, and went to the next one as adjustments.
  const { rows: adjustments } = await test.sql.query<{ bill: string; adjusted: string }>(
    `select to_char(b.period_start, 'YYYY-MM') as bill, to_char(l.adjusted_period_start, 'YYYY-MM') as adjusted
       from bill b join bill_line l on l.bill_id = b.id where b.tenant_id = $1 and l.kind = 'LATE_USAGE_ADJUSTMENT' group by 1, 2 order by 1, 2`,
    [world.a.id],
  );
  expect(adjustments).toEqual(
    expect.arrayContaining([
      { bill: '2026-11', adjusted: '2026-10' },
      { bill: '2026-12', adjusted: '2026-11' },
    ]),
  );
  const [expected, actual] = await Promise.all([expectedRollups(test), actualRollups(test)]);
  expect(Object.fromEntries(actual)).toEqual(Object.fromEntries(expected));
});

it('finds, for every charged record, the one bill line it is summed into, and none for the others', async () => {
  const { rows: records } = await test.sql.query<{ id: string; tenantId: string; occurredAt: Date; isCharged: boolean; exact: string }>(
    `select id, tenant_id as "tenantId", occurred_at as "occurredAt", is_charged as "isCharged", charged_amount::text as exact from usage_record where tenant_id = $1`,
    [world.a.id],
  );
  const placed = new Map((await billLinesOfRecords(test.sql, records)).map((line) => [line.recordId, line]));
  expect(records.filter((record) => !record.isCharged && placed.has(record.id))).toEqual([]);
  expect(records.filter((record) => record.isCharged && !placed.has(record.id))).toEqual([]);
  // Summed per line, the records found on it are exactly its request count and exact amount.
  const perLine = new Map<string, { requests: number; exact: bigint }>();
  for (const record of records.filter((candidate) => candidate.isCharged)) {
    const { billId, lineNumber } = placed.get(record.id)!;
    const sum = perLine.get(`${billId}/${lineNumber}`) ?? { requests: 0, exact: 0n };
    perLine.set(`${billId}/${lineNumber}`, { requests: sum.requests + 1, exact: sum.exact + toUnits(record.exact) });
  }
  const { rows: lines } = await test.sql.query<{ key: string; requests: number; exact: string }>(
    `select l.bill_id || '/' || l.line_number as key, l.request_count::int as requests, l.exact_amount::text as exact
       from bill b join bill_line l on l.bill_id = b.id
      where b.tenant_id = $1 and b.status <> 'VOID' and l.kind in ('USAGE', 'LATE_USAGE_ADJUSTMENT')`,
    [world.a.id],
  );
  expect(lines.length).toBeGreaterThan(5);
  expect(Object.fromEntries([...perLine].map(([key, sum]) => [key, { requests: sum.requests, exact: sum.exact }]))).toEqual(
    Object.fromEntries(lines.map((line) => [line.key, { requests: line.requests, exact: toUnits(line.exact) }])),
  );
});

it("rebuilds the same rollups and barriers from the records and bills when the rollups' migration runs on them", async () => {
  const snapshot = async (target: Pick<pg.ClientBase, 'query'>) => {
    const { rows } = await target.query(
      `select (select json_agg(r order by tenant_id, local_day, department_id, price_id, recorded_after) from usage_rollup r) as rollups,
              (select json_agg(b order by tenant_id) from usage_barrier b) as barriers`,
    );
    return rows[0];
  };
  const built = await snapshot(test.sql);
  expect(built.rollups.length).toBeGreaterThan(10);
  const migration = new Migration20261201175318_UsageRollups(undefined as never, undefined as never);
  await migration.up();
  // The statements after the two create tables: the backfill.
  const backfill = migration.getQueries().slice(2) as string[];
  const client = await test.sql.connect();
  try {
    await client.query('begin');
    await client.query('truncate usage_rollup, usage_barrier');
    for (const statement of backfill) await client.query(statement);
    expect(await snapshot(client)).toEqual(built);
  } finally {
    await client.query('rollback');
    client.release();
  }
});

it('moves every record into its month when the partitioning migration runs on an unpartitioned table, and back', async () => {
  const records = async (client: pg.ClientBase) =>
    (await client.query(`select md5(string_agg(u::text, ',' order by id)) as digest, count(*)::int as count from usage_record u`)).rows[0];
  const statements = async (direction: 'up' | 'down') => {
    const migration = new Migration20261201180043_UsagePartitions(undefined as never, undefined as never);
    await migration[direction]();
    return migration.getQueries() as string[];
  };
  const client = await test.sql.connect();
  try {
    const before = await records(client);
    expect(before.count).toBeGreaterThan(100);
    await client.query('begin');
    for (const statement of await statements('down')) await client.query(statement);
    const { rows: kind } = await client.query(`select relkind from pg_class where relname = 'usage_record'`);
    expect(kind).toEqual([{ relkind: 'r' }]);
    expect(await records(client)).toEqual(before);

    for (const statement of await statements('up')) await client.query(statement);
    expect(await records(client)).toEqual(before);
    const { rows: placed } = await client.query(
      `select tableoid::regclass::text as partition, to_char(min(occurred_at) at time zone 'UTC', 'YYYY-MM') as month, count(*)::int as count
         from usage_record group by 1 order by 2`,
    );
    // Every record in the partition of its UTC month, none in the default one.
    expect(placed.map((row) => row.partition)).toEqual(placed.map((row) => `usage_record_y${row.month.slice(0, 4)}m${row.month.slice(5)}`));
    const { rows: requests } = await client.query(
      `select count(*)::int as count from usage_request q join usage_record u using (tenant_id, request_id) where q.occurred_at = u.occurred_at`,
    );
    expect(requests[0].count).toBe(before.count);
  } finally {
    await client.query('rollback');
    client.release();
  }
});

it("gives every bill line its bill's tenant, and keys it on it, when the tenant-keys migration runs on existing bills", async () => {
  const statements = async (direction: 'up' | 'down') => {
    const migration = new Migration20261201204034_TenantKeys(undefined as never, undefined as never);
    await migration[direction]();
    return migration.getQueries() as string[];
  };
  const lines = async (client: pg.ClientBase) =>
    (
      await client.query(
        `select count(*)::int as count, count(*) filter (where l.tenant_id = b.tenant_id)::int as "ofItsBill"
           from bill_line l join bill b on b.id = l.bill_id`,
      )
    ).rows[0];
  const client = await test.sql.connect();
  try {
    const before = await lines(client);
    expect(before.count).toBeGreaterThan(10);
    await client.query('begin');
    for (const statement of await statements('down')) await client.query(statement);
    const { rows: column } = await client.query(`select 1 from information_schema.columns where table_name = 'bill_line' and column_name = 'tenant_id'`);
    expect(column).toEqual([]);
    for (const statement of await statements('up')) await client.query(statement);
    expect(await lines(client)).toEqual({ count: before.count, ofItsBill: before.count });
    const { rows: key } = await client.query(`select pg_get_constraintdef(oid) as key from pg_constraint where conname = 'bill_line_pkey'`);
    expect(key).toEqual([{ key: 'PRIMARY KEY (bill_id, line_number, tenant_id)' }]);
  } finally {
    await client.query('rollback');
    client.release();
  }
});
