import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { archiveUsagePartitions } from '../modules/usage/usage-partitions.js';
import { systemClock } from '../platform/clock.js';
import { withDatabase } from './database.js';

/**
 * `npm run usage:archive -- [--older-than-months 12] [--directory DIR] [--drop]`: exports each
 * month of usage records that ended more than that many whole months ago, and is settled, to
 * `DIR/usage_record_yYYYYmMM.csv.gz` (CSV with a header, as COPY writes it, and a .json manifest
 * with its rows and SHA-256), then detaches its partition from usage_record, and drops it with
 * --drop. Bills, invoices and late adjustments never read the records, so they lose nothing.
 */
const { values } = parseArgs({
  options: {
    'older-than-months': { type: 'string', default: process.env.USAGE_ARCHIVE_AFTER_MONTHS ?? '12' },
    directory: { type: 'string', default: path.join(process.env.DATA_DIR ?? '.data', 'usage-archive') },
    drop: { type: 'boolean', default: false },
  },
});
const olderThanMonths = Number(values['older-than-months']);
if (!Number.isInteger(olderThanMonths) || olderThanMonths < 1 || olderThanMonths > 1200) {
  console.error(`--older-than-months must be a whole number of months from 1 to 1200, got "${values['older-than-months']}"`);
  process.exit(2);
}

await withDatabase(async (databaseUrl) => {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  try {
    const { archived, refused } = await archiveUsagePartitions(pool, {
      now: systemClock.now(),
      olderThanMonths,
      directory: path.resolve(values.directory),
      drop: values.drop,
    });
    for (const partition of archived) {
      console.log(
        `archived ${partition.month}: ${partition.rows} records to ${partition.file} (sha256 ${partition.sha256}), ${partition.dropped ? 'dropped' : 'detached'}`,
      );
    }
    for (const refusal of refused) console.log(`kept ${refusal.month}: ${refusal.reason}`);
    console.log(`${archived.length} months archived, ${refused.length} kept; months newer than ${olderThanMonths} months are never archived`);
    if (refused.length > 0) process.exitCode = 1;
  } finally {
    await pool.end();
  }
});
