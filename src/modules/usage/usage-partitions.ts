import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { sqlTransaction } from '../../platform/database/sql.js';
import { addPeriods, type Period } from '../../platform/period.js';

/*
 * usage_record is partitioned by month of occurred_at, in UTC: `usage_record_y2026m10` holds
 * October 2026. The server creates the months ahead of time (at start and every few hours), so a
 * record always has its month; `usage_record_default` takes what falls outside them, which is
 * usage of an archived month arriving late. Bills never read records (they read usage_rollup), so
 * a month of settled usage can be exported to a compressed file and detached without a bill,
 * invoice or late adjustment losing anything; its requestIds stay in usage_request for good.
 */

/** Months created ahead of the current one. */
export const USAGE_PARTITION_MONTHS_AHEAD = 3;
/** Partition DDL is taken one at a time, by servers, the archive command and migrations alike. */
const PARTITION_LOCK = 5_301_102;
const PARTITION_NAME = /^usage_record_y(\d{4})m(\d{2})$/;

export function usagePartitionName(month: Period): string {
  return `usage_record_y${month.slice(0, 4)}m${month.slice(5, 7)}`;
}

const utcMonthOf = (instant: Date): Period => instant.toISOString().slice(0, 7);

/** The monthly partitions there are, oldest first (the default partition is not one). */
export async function usagePartitionMonths(client: pg.ClientBase | pg.Pool): Promise<Period[]> {
  const { rows } = await client.query<{ name: string }>(
    `select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid where i.inhparent = 'usage_record'::regclass`,
  );
  return rows
    .flatMap(({ name }) => {
      const match = PARTITION_NAME.exec(name);
      return match ? [`${match[1]}-${match[2]}`] : [];
    })
    .sort();
}

/**
 * Creates the monthly partitions of `months` that do not exist yet. A month the default partition
 * already holds records of cannot be created (PostgreSQL refuses): those records stay where they
 * are, which is correct, only unpartitioned.
 */
export async function createUsagePartitions(pool: pg.Pool, months: Period[]): Promise<Period[]> {
  return sqlTransaction(pool, async (client) => {
    await client.query(`select pg_advisory_xact_lock(${PARTITION_LOCK})`);
    // Creating a partition locks usage_record for a moment: never queue the gateway's writes behind it for long.
    await client.query(`set local lock_timeout = '5s'`);
    const existing = new Set(await usagePartitionMonths(client));
    const created: Period[] = [];
    for (const month of months.filter((candidate) => !existing.has(candidate))) {
      const from = `${month}-01T00:00:00Z`;
      const to = `${addPeriods(month, 1)}-01T00:00:00Z`;
      await client.query(
        `create table ${client.escapeIdentifier(usagePartitionName(month))} partition of usage_record for values from ('${from}') to ('${to}')`,
      );
      created.push(month);
    }
    return created;
  });
}

/** The current UTC month and the ones ahead of it. */
export function ensureUsagePartitions(pool: pg.Pool, now: Date): Promise<Period[]> {
  const current = utcMonthOf(now);
  return createUsagePartitions(
    pool,
    Array.from({ length: USAGE_PARTITION_MONTHS_AHEAD + 1 }, (_unused, offset) => addPeriods(current, offset)),
  );
}

export interface ArchivedPartition {
  month: Period;
  partition: string;
  file: string;
  rows: number;
  /** SHA-256 of the uncompressed CSV. */
  sha256: string;
  /** Whether the detached table was dropped as well. */
  dropped: boolean;
}

export interface ArchiveRefusal {
  month: Period;
  partition: string;
  reason: string;
}

/**
 * Records of the partition some settlement has not taken yet, per tenant and local period: each
 * group needs a settled period (a bill not void, or a period closed empty) at or after its own
 * whose watermark is above the group's last record. Late records of a settled period are taken by
 * a later period's settlement, hence "at or after".
 */
async function unsettledGroups(client: pg.ClientBase, partition: string): Promise<{ tenantId: string; period: string }[]> {
  const { rows } = await client.query<{ tenantId: string; period: string }>(
    `select g.tenant_id as "tenantId", to_char(g.period_start, 'YYYY-MM') as period
       from (select u.tenant_id, date_trunc('month', u.occurred_at at time zone t.timezone)::date as period_start, max(u.seq) as last_seq
               from ${client.escapeIdentifier(partition)} u join tenant t on t.id = u.tenant_id
              group by 1, 2) as g
      where not exists (select 1
                          from (select tenant_id, period_start, usage_watermark from bill where status <> 'VOID'
                                union all
                                select tenant_id, period_start, usage_watermark from settled_empty_period) as settled
                         where settled.tenant_id = g.tenant_id and settled.period_start >= g.period_start and settled.usage_watermark > g.last_seq)
      order by 1, 2 limit 5`,
  );
  return rows;
}

/** Copies the partition out as gzipped CSV (with a header), returning its rows and the SHA-256 of the CSV. */
async function exportPartition(client: pg.ClientBase, partition: string, file: string): Promise<{ rows: number; sha256: string }> {
  const hash = createHash('sha256');
  const copy = client.query(
    copyTo(`copy (select * from ${client.escapeIdentifier(partition)} order by tenant_id, occurred_at, id) to stdout with (format csv, header)`),
  );
  const hashing = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
  await pipeline(copy, hashing, createGzip(), createWriteStream(file));
  return { rows: copy.rowCount, sha256: hash.digest('hex') };
}

async function sha256OfGzip(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), createGunzip(), async function* (chunks: AsyncIterable<Buffer>) {
    for await (const chunk of chunks) hash.update(chunk);
  });
  return hash.digest('hex');
}

/**
 * Archives the monthly partitions that ended more than `olderThanMonths` whole months before
 * `now`, oldest first, each in one transaction: writes to it wait (SHARE lock) while every record
 * is checked settled, copied to `<directory>/<partition>.csv.gz` (with a `.json` manifest), read back
 * and compared, and the partition is detached from usage_record (and dropped, with `drop`). A
 * partition with unsettled records is refused and kept, with the tenants and periods that hold it.
 */
export async function archiveUsagePartitions(
  pool: pg.Pool,
  options: { now: Date; olderThanMonths: number; directory: string; drop: boolean },
): Promise<{ archived: ArchivedPartition[]; refused: ArchiveRefusal[] }> {
  const last = addPeriods(utcMonthOf(options.now), -(options.olderThanMonths + 1));
  const months = (await usagePartitionMonths(pool)).filter((month) => month <= last);
  await mkdir(options.directory, { recursive: true });
  const archived: ArchivedPartition[] = [];
  const refused: ArchiveRefusal[] = [];
  for (const month of months) {
    const partition = usagePartitionName(month);
    const file = path.join(options.directory, `${partition}.csv.gz`);
    const outcome = await sqlTransaction(pool, async (client) => {
      await client.query(`select pg_advisory_xact_lock(${PARTITION_LOCK})`);
      // Detaching waits for the usage batches in flight, and new ones queue behind it: give up rather than hold them long.
      await client.query(`set local lock_timeout = '10s'`);
      await client.query(`lock table ${client.escapeIdentifier(partition)} in share mode`);
      const unsettled = await unsettledGroups(client, partition);
      if (unsettled.length > 0) {
        const named = unsettled.map((group) => `${group.tenantId} ${group.period}`).join(', ');
        return { month, partition, reason: `records not settled yet (tenant and period: ${named}${unsettled.length === 5 ? ', ...' : ''})` };
      }
      const partial = `${file}.partial`;
      try {
        const { rows, sha256 } = await exportPartition(client, partition, partial);
        if ((await sha256OfGzip(partial)) !== sha256) throw new Error(`${partial} does not read back as written`);
        await rename(partial, file);
        await client.query(`alter table usage_record detach partition ${client.escapeIdentifier(partition)}`);
        if (options.drop) await client.query(`drop table ${client.escapeIdentifier(partition)}`);
        const result: ArchivedPartition = { month, partition, file, rows, sha256, dropped: options.drop };
        await writeFile(`${file.slice(0, -'.csv.gz'.length)}.json`, `${JSON.stringify({ ...result, archivedAt: options.now.toISOString() }, null, 2)}\n`);
        return result;
      } finally {
        await rm(partial, { force: true });
      }
    });
    if ('reason' in outcome) refused.push(outcome);
    else archived.push(outcome);
  }
  return { archived, refused };
}
