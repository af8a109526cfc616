import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migrate } from '../src/database.js';
import { startServerProcess } from '../test/support/server-process.js';
import { peakRssMiB, round, UNLIMITED_RATE_LIMIT_ENVIRONMENT } from './measure.js';

/**
 * (j) A period's money tables as files: the bill lines of 10,000 bills as XLSX and as CSV, on a
 * server of its own (so its peak RSS is the export's), over bills generated in SQL in a database of
 * its own: a tenant per bill, 5 lines and a payment each.
 */
export const EXPORT_TARGET_RSS_MIB = 256;

export interface PeriodExportSettings {
  bills: number;
  linesPerBill: number;
  period: string;
}

export interface ExportFigures {
  seconds: number;
  megabytes: number;
  rowsPerSecond: number;
}

export interface PeriodExportFigures {
  xlsx: ExportFigures;
  csv: ExportFigures;
  bills: ExportFigures;
  /** The ceiling: the bill lines read straight from the database, nothing written. */
  databaseRead: ExportFigures;
  idleRssMiB: number;
  /** Peak RSS after the CSV, before any XLSX. */
  afterCsvRssMiB: number;
  peakRssMiB: number;
}

/** Bills of one period with their lines and a payment, generated in SQL (ids are digits: valid ULID characters). */
export async function generateBills(sql: pg.Pool, settings: PeriodExportSettings): Promise<void> {
  const { bills, linesPerBill, period } = settings;
  const id = (prefix: string, expression: string) => `'${prefix}_' || lpad((${expression})::text, 26, '0')`;
  await sql.query(`insert into tenant (id, name, external_id) select ${id('ten', 'i')}, '导出测试客户 ' || i, 'KH-' || i from generate_series(1, $1) as i`, [
    bills,
  ]);
  await sql.query(
    `insert into bill (id, tenant_id, period_start, status, number, currency, billing_mode, tax_mode, tax_rate, net_total, tax_total, gross_total,
                       amount_paid, usage_watermark, finalized_at, due_on, sync_version, created_at, updated_at)
     select ${id('bil', 'i')}, ${id('ten', 'i')}, $2::date, 'PARTIALLY_PAID', $3 || '-' || lpad(i::text, 6, '0'), 'CNY', 'POSTPAID_MONTHLY', 'TAX_EXCLUSIVE', 0.06,
            $4 * 123.45, $4 * 7.41, $4 * 130.86, 100.00, 0, now(), current_date + 30, i, now(), now()
       from generate_series(1, $1) as i`,
    [bills, `${period}-01`, period, linesPerBill],
  );
  await sql.query(
    `insert into bill_line (bill_id, line_number, tenant_id, kind, description, model, model_tier, request_count, input_tokens, output_tokens, cached_input_tokens,
                            image_count, video_seconds, exact_amount, amount, net, tax, gross)
     select ${id('bil', 'i')}, n, ${id('ten', 'i')}, 'USAGE', '研发中心 · gpt-4o', 'gpt-4o', 'PREMIUM', 1000 + n, 1234567, 234567, 0, 0, 0, 123.4512345678, 123.45, 123.45, 7.41, 130.86
       from generate_series(1, $1) as i, generate_series(1, $2) as n`,
    [bills, linesPerBill],
  );
  await sql.query(
    `insert into payment (id, bill_id, tenant_id, method, amount, currency, reference, received_at, created_at, sync_version, updated_at)
     select ${id('pay', 'i')}, ${id('bil', 'i')}, ${id('ten', 'i')}, 'BANK_TRANSFER', 100.00, 'CNY', '招行 ' || i, now(), now(), i, now()
       from generate_series(1, $1) as i`,
    [bills],
  );
  await sql.query('analyze');
}

/** Downloads a file, counting its bytes (and for CSV its lines: a header and a line a row) without keeping them. */
async function download(url: string, token: string, rows: number): Promise<ExportFigures> {
  const started = performance.now();
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  if (response.status !== 200) throw new Error(`${url}: HTTP ${response.status} ${await response.text()}`);
  let bytes = 0;
  let lines = 0;
  for await (const chunk of response.body!) {
    bytes += (chunk as Uint8Array).byteLength;
    for (const byte of chunk as Uint8Array) if (byte === 10) lines += 1;
  }
  const seconds = (performance.now() - started) / 1000;
  if (url.includes('.csv') && lines !== rows + 1) throw new Error(`${url}: ${lines} lines, expected ${rows + 1}`);
  return { seconds, megabytes: round(bytes / 1024 / 1024, 1), rowsPerSecond: rows / seconds };
}

export async function periodExportBench(adminUrl: string, settings: PeriodExportSettings): Promise<PeriodExportFigures> {
  const databaseName = `bench_export_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database "${databaseName}"`);
  const databaseUrl = Object.assign(new URL(adminUrl), { pathname: `/${databaseName}` }).toString();
  const sql = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  // pool.end() resolves before its clients' connections close; the forced drop below may end one first.
  sql.on('error', () => undefined);
  const token = `bpat_${randomBytes(24).toString('hex').slice(0, 32)}`;
  let server: Awaited<ReturnType<typeof startServerProcess>> | undefined;
  try {
    await migrate(databaseUrl);
    await generateBills(sql, settings);
    server = await startServerProcess(databaseUrl, {
      environment: { BOOTSTRAP_ADMIN_TOKEN: token, NODE_ENV: 'production', ...UNLIMITED_RATE_LIMIT_ENVIRONMENT },
      // e.g. BENCH_EXPORT_NODE_ARGS="--max-semi-space-size=0" (V8's default, over npm start's 16) to see what V8's heap sizing costs
      nodeArguments: process.env.BENCH_EXPORT_NODE_ARGS?.split(' ').filter(Boolean),
      compiled: true,
    });
    // The ceiling: the database's own read of the same rows, with their bills, in one statement.
    const readStarted = performance.now();
    const { rowCount } = await sql.query('select * from bill_line l join bill b on b.id = l.bill_id join tenant t on t.id = b.tenant_id');
    const databaseRead: ExportFigures = {
      seconds: (performance.now() - readStarted) / 1000,
      megabytes: 0,
      rowsPerSecond: rowCount! / ((performance.now() - readStarted) / 1000),
    };
    const idleRssMiB = await peakRssMiB(server.pid);
    const tables = (name: string, format: string) => new URL(`/exports/${name}.${format}?period=${settings.period}`, server!.url).toString();
    const lines = settings.bills * settings.linesPerBill;
    const csv = await download(tables('bill-lines', 'csv'), token, lines);
    const afterCsvRssMiB = await peakRssMiB(server.pid);
    const bills = await download(tables('bills', 'xlsx'), token, settings.bills);
    const xlsx = await download(tables('bill-lines', 'xlsx'), token, lines);
    return { xlsx, csv, bills, databaseRead, idleRssMiB, afterCsvRssMiB, peakRssMiB: await peakRssMiB(server.pid) };
  } finally {
    await server?.stop();
    await sql.end();
    await admin.query(`drop database if exists "${databaseName}" with (force)`);
    await admin.end();
  }
}
