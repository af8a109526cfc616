import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { executeSettlementRun } from '../src/modules/bill/settlement.service.js';
import { tenantsToSettle, usageGroups, type TenantToSettle } from '../src/modules/bill/settlement.repository.js';
import { systemClock } from '../src/platform/clock.js';
import { migrate } from '../src/database.js';
import { newId } from '../src/platform/ids.js';
import { createLogger } from '../src/platform/logger.js';
import { addPeriods, periodEndInstant, periodFirstDay, periodStartInstant } from '../src/platform/period.js';
import { seedSettlementData, type SettlementData } from '../test/support/settlement-data.js';
import { median, round } from './measure.js';
import { observeStatements } from './sql-probe.js';

export const SETTLEMENT_TARGET_SECONDS = 10;
/** Time at the larger size over time at the smaller (5x the records, the same tenants). */
export const SETTLEMENT_SCALE_TARGET = 1.3;
export const SETTLEMENT_TARGET_RSS_MIB = 512;

export interface SettlementSettings {
  tenants: number;
  records: number;
  period: string;
  runs: number;
  /** Profile even when the targets are met. */
  profile: boolean;
}

export interface SettleCommandRun {
  seconds: number;
  /** Spawn to the command's first line: npm, Node, the TypeScript loader, the ORM, the run row. */
  startupSeconds: number;
  /** First line to the COMPLETED line: the tenants themselves. */
  settlingSeconds: number;
  /** Seconds from spawn until half and 90 % of the tenants were done, from the progress bar. */
  halfDoneSeconds: number | null;
  ninetyDoneSeconds: number | null;
  peakRssMiB: number;
  summary: string;
}

export interface SettlementFigures {
  seeding: SettlementData['seconds'];
  runs: SettleCommandRun[];
  seconds: number;
  peakRssMiB: number;
  /** Rows of usage_rollup the settlement read from. */
  rollups: number;
  /** Lines to print under the figures: the profile, when one was taken. */
  profile: string[];
}

/** `npm run settle -- --period P` on the database, timed from spawn to exit. */
async function runSettleCommand(databaseUrl: string, period: string): Promise<SettleCommandRun> {
  const started = performance.now();
  const since = () => (performance.now() - started) / 1000;
  const child = spawn('npm', ['run', 'settle', '--', '--period', period], {
    env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderrTail = '';
  let firstLineAt: number | null = null;
  let completedAt: number | null = null;
  let halfDoneSeconds: number | null = null;
  let ninetyDoneSeconds: number | null = null;
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (firstLineAt === null && /settlement run \S+ for/.test(stdout)) firstLineAt = since();
    if (completedAt === null && /^[A-Z]+: \d+ billed/m.test(stdout)) completedAt = since();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    const text = chunk.toString();
    stderrTail = (stderrTail + text).slice(-4000);
    for (const match of text.matchAll(/(\d+)\/(\d+) tenants/g)) {
      const share = Number(match[1]) / Math.max(1, Number(match[2]));
      if (halfDoneSeconds === null && share >= 0.5) halfDoneSeconds = since();
      if (ninetyDoneSeconds === null && share >= 0.9) ninetyDoneSeconds = since();
    }
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  const seconds = since();
  const summary = /^([A-Z]+: \d+ billed.*)$/m.exec(stdout)?.[1];
  const rss = /peak RSS (\d+) MiB/.exec(stdout);
  if (code !== 0 || !summary || !rss) {
    throw new Error(`npm run settle exited with ${code}:\n${stdout.slice(-2000)}\n${stderrTail.replaceAll('\r', '\n').slice(-2000)}`);
  }
  return {
    seconds,
    startupSeconds: firstLineAt ?? 0,
    settlingSeconds: (completedAt ?? seconds) - (firstLineAt ?? 0),
    halfDoneSeconds,
    ninetyDoneSeconds,
    peakRssMiB: Number(rss[1]),
    summary,
  };
}

/**
 * What must hold after the run, checked in SQL: a bill per tenant, each bill's totals the sums of
 * its lines, numbers gap-free from 1, and every charged usage row of the period on a usage line.
 */
async function verifySettlement(sql: pg.Pool, period: string, tenants: number): Promise<void> {
  const periodStart = periodFirstDay(period);
  const {
    rows: [check],
  } = await sql.query<{
    bills: number;
    unbalanced: number;
    contiguous: boolean;
    firstNumber: string | null;
    lastNumber: string | null;
    usageRequests: string;
    lineRequests: string;
    usageCharged: string;
    lineCharged: string;
  }>(
    `select (select count(*)::int from bill where period_start = $1 and status <> 'VOID') as bills,
            (select count(*)::int from bill b
               cross join lateral (select sum(amount) as amount, sum(net) as net, sum(tax) as tax, sum(gross) as gross
                                     from bill_line where bill_id = b.id) as l
              where b.period_start = $1
                and (l.net is distinct from b.net_total or l.tax is distinct from b.tax_total or l.gross is distinct from b.gross_total
                     or l.amount is distinct from case when b.tax_mode = 'TAX_EXCLUSIVE' then b.net_total else b.gross_total end)) as unbalanced,
            (select coalesce(bool_and(number = $2::text || '-' || lpad(position::text, 6, '0')), false)
               from (select number, row_number() over (order by number) as position from bill where period_start = $1) as numbered) as contiguous,
            (select min(number) from bill where period_start = $1) as "firstNumber",
            (select max(number) from bill where period_start = $1) as "lastNumber",
            (select count(*)::text from usage_record u
              where u.is_charged and u.occurred_at >= $3 and u.occurred_at < $4) as "usageRequests",
            (select coalesce(sum(request_count), 0)::text from bill_line l join bill b on b.id = l.bill_id
              where b.period_start = $1 and l.kind = 'USAGE') as "lineRequests",
            (select coalesce(sum(charged_amount), 0)::text from usage_record u
              where u.is_charged and u.occurred_at >= $3 and u.occurred_at < $4) as "usageCharged",
            (select coalesce(sum(exact_amount), 0)::text from bill_line l join bill b on b.id = l.bill_id
              where b.period_start = $1 and l.kind = 'USAGE') as "lineCharged"`,
    // Every seeded tenant is in Asia/Shanghai: one window for all.
    [periodStart, period, periodStartInstant(period, 'Asia/Shanghai'), periodEndInstant(period, 'Asia/Shanghai')],
  );
  const problems = [
    check.bills !== tenants && `${check.bills} bills for ${tenants} tenants`,
    check.unbalanced !== 0 && `${check.unbalanced} bills whose totals are not the sums of their lines`,
    !check.contiguous && `bill numbers are not contiguous from 1 (${check.firstNumber} .. ${check.lastNumber})`,
    check.usageRequests !== check.lineRequests && `usage lines count ${check.lineRequests} requests, the period has ${check.usageRequests} charged`,
    check.usageCharged !== check.lineCharged && `usage lines sum to ${check.lineCharged}, the period's charged usage to ${check.usageCharged}`,
  ].filter((problem): problem is string => typeof problem === 'string');
  if (problems.length > 0) throw new Error(`settlement check failed: ${problems.join('; ')}`);
}

/** Back to "nothing settled", keeping the usage: every run settles the same data. */
async function clearBills(sql: pg.Pool): Promise<void> {
  await sql.query('truncate bill_line, payment, bill, bill_number_counter, settlement_run, event_outbox, audit_entry, balance_entry, balance_account');
  await sql.query(`update bill_sync_counter set version = 0, updated_at = '-infinity'`);
  // Dirty pages of the last run are written now, not during the next one.
  await sql.query('checkpoint');
}

const describeSeconds = (seconds: number) => `${round(seconds, 1)} s`;

/**
 * Where a settlement's time goes: the same run in this process (the service, not the command) with
 * every statement timed, and EXPLAIN ANALYZE of the usage query for the busiest and a median tenant,
 * as a custom plan and as the generic plan the command's prepared statement may switch to.
 */
async function profileSettlement(sql: pg.Pool, databaseUrl: string, period: string): Promise<string[]> {
  await clearBills(sql);
  const lines: string[] = ['      profile: the same run in the bench process (executeSettlementRun), every statement timed:'];
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
  pool.on('error', () => undefined);
  const byName = new Map<string, { count: number; milliseconds: number; max: number }>();
  const stop = observeStatements((statement) => {
    const key = statement.name ?? statement.text.replace(/\s+/g, ' ').trim().slice(0, 60);
    const entry = byName.get(key) ?? { count: 0, milliseconds: 0, max: 0 };
    entry.count += 1;
    entry.milliseconds += statement.milliseconds;
    entry.max = Math.max(entry.max, statement.milliseconds);
    byName.set(key, entry);
  });
  let wallSeconds = 0;
  let loopUtilization = 0;
  try {
    const runId = newId('SettlementRun');
    await pool.query(
      `insert into settlement_run (id, period, idempotency_key, status, tenant_count, billed_count, skipped_count, failed_count, failures, started_at, heartbeat_at)
       values ($1, $2, $1, 'RUNNING', 0, 0, 0, 0, '[]', now(), now())`,
      [runId, period],
    );
    const loopBefore = performance.eventLoopUtilization();
    const started = performance.now();
    await executeSettlementRun({ pool, clock: systemClock, logger: createLogger('warn') }, runId);
    wallSeconds = (performance.now() - started) / 1000;
    loopUtilization = performance.eventLoopUtilization(loopBefore).utilization;
  } finally {
    stop();
  }
  const total = [...byName.values()].reduce((sum, entry) => sum + entry.milliseconds, 0);
  lines.push(
    `        wall ${describeSeconds(wallSeconds)}; statement time summed over the connections ${describeSeconds(total / 1000)}; Node event loop busy ${round(loopUtilization * 100)} % of the wall time`,
  );
  for (const [name, entry] of [...byName.entries()].sort((left, right) => right[1].milliseconds - left[1].milliseconds).slice(0, 12)) {
    lines.push(
      `        ${name.padEnd(28)} ${String(entry.count).padStart(6)} x  ${describeSeconds(entry.milliseconds / 1000).padStart(8)}  (${round((entry.milliseconds / total) * 100)} %)  mean ${round(entry.milliseconds / entry.count, 1)} ms, max ${round(entry.max)} ms`,
    );
  }
  lines.push(...(await explainUsageQuery(pool, period)));
  await pool.end();
  return lines;
}

/** The usage query's text and parameters for a tenant, taken from the repository itself (so it is the query the command runs). */
async function usageQueryOf(tenant: TenantToSettle, period: string, watermark: number) {
  let captured: { text: string; values: unknown[] } | undefined;
  const recorder = {
    query: async (config: { text: string; values: unknown[] }) => {
      captured = config;
      return { rows: [] };
    },
  };
  const window = { firstDay: periodFirstDay(period), endDay: periodFirstDay(addPeriods(period, 1)), watermark, previousWatermark: null };
  await usageGroups(recorder as unknown as pg.ClientBase, tenant.id, window);
  return captured!;
}

function literal(client: pg.PoolClient, value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (value instanceof Date) return client.escapeLiteral(value.toISOString());
  return client.escapeLiteral(String(value));
}

async function explainUsageQuery(pool: pg.Pool, period: string): Promise<string[]> {
  const { rows: sizes } = await pool.query<{ tenantId: string; rows: number }>(
    'select tenant_id as "tenantId", count(*)::int as rows from usage_record group by 1 order by 2 desc',
  );
  const {
    rows: [{ watermark }],
  } = await pool.query<{ watermark: string }>(`select last_value::text as watermark from usage_record_seq_seq`);
  const picks = [
    { label: 'busiest tenant', ...sizes[0] },
    { label: 'median tenant', ...sizes[Math.floor(sizes.length / 2)] },
  ];
  const tenants = await tenantsToSettle(
    pool,
    picks.map((pick) => pick.tenantId),
  );
  const lines: string[] = [];
  const client = await pool.connect();
  try {
    for (const pick of picks) {
      const tenant = tenants.find((candidate) => candidate.id === pick.tenantId)!;
      const query = await usageQueryOf(tenant, period, Number(watermark));
      const argumentsList = query.values.map((value) => literal(client, value)).join(', ');
      await client.query(`prepare bench_settle_usage as ${query.text}`);
      try {
        for (const mode of ['force_custom_plan', 'force_generic_plan']) {
          await client.query(`set plan_cache_mode = ${mode}`);
          const { rows } = await client.query<{ 'QUERY PLAN': string }>(`explain (analyze, buffers) execute bench_settle_usage(${argumentsList})`);
          lines.push(
            `      EXPLAIN ANALYZE usageGroups, ${pick.label} (${pick.rows.toLocaleString('en')} rows), ${mode === 'force_custom_plan' ? 'custom' : 'generic'} plan:`,
          );
          lines.push(...rows.map((row) => `        ${row['QUERY PLAN']}`));
        }
      } finally {
        await client.query('deallocate bench_settle_usage');
        await client.query('reset plan_cache_mode');
      }
    }
  } finally {
    client.release();
  }
  return lines;
}

/**
 * (e) Monthly settlement at scale: a fresh database with `tenants` tenants and `records` usage
 * records of the period, settled by `npm run settle` as an operator would, `runs` times over the
 * same data (bills cleared in between), each run checked in SQL.
 */
export async function settlementBench(adminUrl: string, settings: SettlementSettings, log: (line: string) => void): Promise<SettlementFigures> {
  const databaseName = `bench_settle_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  admin.on('error', () => undefined);
  await admin.connect();
  await admin.query(`create database "${databaseName}"`);
  const databaseUrl = Object.assign(new URL(adminUrl), { pathname: `/${databaseName}` }).toString();
  const sql = new pg.Pool({ connectionString: databaseUrl, max: 4 });
  sql.on('error', () => undefined);
  try {
    await migrate(databaseUrl);
    const data = await seedSettlementData(sql, { tenants: settings.tenants, records: settings.records, period: settings.period });
    const { seconds } = data;
    log(
      `  (e) data: ${settings.tenants.toLocaleString('en')} tenants, ${settings.records.toLocaleString('en')} usage records of ${settings.period} generated in ${describeSeconds(seconds.directory + seconds.usage + seconds.indexes + seconds.rollups + seconds.vacuumAnalyze)} ` +
        `(directory ${describeSeconds(seconds.directory)}, usage rows ${describeSeconds(seconds.usage)}, indexes ${describeSeconds(seconds.indexes)}, rollups ${describeSeconds(seconds.rollups)}, VACUUM ANALYZE ${describeSeconds(seconds.vacuumAnalyze)}; not counted)`,
    );
    await sql.query('checkpoint');
    const runs: SettleCommandRun[] = [];
    for (let run = 1; run <= settings.runs; run++) {
      if (run > 1) await clearBills(sql);
      const result = await runSettleCommand(databaseUrl, settings.period);
      await verifySettlement(sql, settings.period, settings.tenants);
      runs.push(result);
      log(
        `  (e) run ${run}: ${describeSeconds(result.seconds)} (startup ${describeSeconds(result.startupSeconds)}, settling ${describeSeconds(result.settlingSeconds)}; ` +
          `half the tenants done at ${result.halfDoneSeconds === null ? '-' : describeSeconds(result.halfDoneSeconds)}, 90 % at ${result.ninetyDoneSeconds === null ? '-' : describeSeconds(result.ninetyDoneSeconds)}), ` +
          `peak RSS ${result.peakRssMiB} MiB; "${result.summary}"; checks passed`,
      );
    }
    const medianSeconds = median(runs.map((result) => result.seconds));
    const medianRss = median(runs.map((result) => result.peakRssMiB));
    const missed = medianSeconds > SETTLEMENT_TARGET_SECONDS || medianRss > SETTLEMENT_TARGET_RSS_MIB;
    const profile = settings.profile || missed ? await profileSettlement(sql, databaseUrl, settings.period) : [];
    const {
      rows: [{ rollups }],
    } = await sql.query<{ rollups: number }>('select count(*)::int as rollups from usage_rollup');
    return { seeding: seconds, runs, seconds: medianSeconds, peakRssMiB: medianRss, rollups, profile };
  } finally {
    await sql.end();
    await admin.query(`drop database if exists "${databaseName}" with (force)`);
    await admin.end();
  }
}
