import { print } from 'graphql';
import type pg from 'pg';
import { startApp } from '../src/app.js';
import { settleTenant } from '../src/modules/bill/settlement.service.js';
import { tenantsToSettle } from '../src/modules/bill/settlement.repository.js';
import { systemClock } from '../src/platform/clock.js';
import { createLogger } from '../src/platform/logger.js';
import { AccessTokenCreateDocument, BillDocument, PaymentRecordDocument, type BillQuery } from '../test/generated/graphql.js';
import { GraphQLClient } from '../test/support/harness.js';
import { seedSettlementData } from '../test/support/settlement-data.js';
import { inParallel, latencies, post, type Latencies, UNLIMITED_RATE_LIMITS } from './measure.js';
import { observeStatements } from './sql-probe.js';

export interface BillQuerySettings {
  period: string;
  /** Sequential requests, one at a time. */
  requests: number;
  concurrentRequests: number;
  callers: number;
}

export interface BillQueryFigures {
  lines: number;
  payments: number;
  sequential: Latencies;
  concurrent: Latencies;
  /** SQL statements one `bill(id)` query sent, per request measured: for the 10-line and the 100-line bill. */
  statements: { small: number[]; large: number[] };
  /** What one query of the 100-line bill sent, in order. */
  listing: string[];
}

/** One tenant's usage of the period, generated in SQL and settled by the product's own settlement: its bill. */
export async function settledBill(
  sql: pg.Pool,
  period: string,
  data: { records: number; departmentsPerTenant: number; models: number; name: string },
): Promise<{ tenantId: string; id: string; lines: number }> {
  const { tenantIds } = await seedSettlementData(sql, { tenants: 1, period, ...data });
  const dependencies = { pool: sql, clock: systemClock, logger: createLogger('warn') };
  const [tenant] = await tenantsToSettle(sql, tenantIds);
  const outcome = await settleTenant(dependencies, tenant, period, null);
  if (outcome !== 'BILLED') throw new Error(`settling ${tenant.id} gave ${outcome}`);
  const {
    rows: [bill],
  } = await sql.query<{ id: string; lines: number }>(
    'select id, (select count(*)::int from bill_line where bill_id = bill.id) as lines from bill where tenant_id = $1',
    [tenant.id],
  );
  return { tenantId: tenant.id, ...bill };
}

/**
 * Two bills of the period: 10 departments x 10 models (100 usage lines) and 1 department x 10
 * models (10 lines), each with two payments recorded through the API.
 */
async function seedBills(sql: pg.Pool, serverUrl: string, adminToken: string, period: string) {
  const bills = {
    large: await settledBill(sql, period, { records: 20_000, departmentsPerTenant: 10, models: 10, name: 'Bill query (100 lines)' }),
    small: await settledBill(sql, period, { records: 2_000, departmentsPerTenant: 1, models: 10, name: 'Bill query (10 lines)' }),
  };
  if (bills.large.lines !== 100 || bills.small.lines !== 10)
    throw new Error(`expected bills of 100 and 10 lines, got ${bills.large.lines} and ${bills.small.lines}`);
  const admin = new GraphQLClient(serverUrl, adminToken);
  for (const bill of Object.values(bills)) {
    for (const [index, amount] of ['1.00', '2.50'].entries()) {
      const { paymentRecord } = await admin.data(PaymentRecordDocument, {
        input: {
          billId: bill.id,
          method: 'BANK_TRANSFER',
          amount,
          reference: `bench transfer ${index + 1}`,
          receivedAt: new Date().toISOString(),
          idempotencyKey: `bench-${bill.id}-${index}`,
        },
      });
      if (!paymentRecord.payment) throw new Error(`paymentRecord refused: ${JSON.stringify(paymentRecord.userErrors)}`);
    }
  }
  // The ERP integration is who reads bills one by one.
  const created = (await admin.data(AccessTokenCreateDocument, { input: { name: 'bench erp', role: 'ERP' } })).accessTokenCreate;
  if (!created.secret) throw new Error(`accessTokenCreate refused: ${JSON.stringify(created.userErrors)}`);
  return { bills, erpToken: created.secret };
}

/**
 * Statements per query, counted in this process: the app started here with `startApp` on the same
 * database, and `pg.Client.prototype.query` wrapped (bench/sql-probe.ts) while one request is in
 * flight and nothing else of this process talks to PostgreSQL. Counting in the database was the
 * alternative: pg_stat_statements is not in shared_preload_libraries of the machine's server (and
 * its config is shared, so not ours to change), log_statement needs the server log, and
 * pg_stat_database counters are flushed up to a second late and count transactions, not statements.
 * The first request of a token also reads the token (cached for 5 s), so it is not counted.
 */
async function countStatements(databaseUrl: string, token: string, billIds: { small: string; large: string }, samples = 3) {
  const app = await startApp({ databaseUrl, host: '127.0.0.1', port: 0, logger: createLogger('warn'), rateLimits: UNLIMITED_RATE_LIMITS });
  const client = new GraphQLClient(app.url, token);
  const statements: string[] = [];
  let counting = false;
  const stop = observeStatements((statement) => {
    if (counting) statements.push(statement.text.replace(/\s+/g, ' ').trim());
  });
  try {
    const measure = async (id: string) => {
      statements.length = 0;
      counting = true;
      const result = await client.data(BillDocument, { id });
      counting = false;
      if (!result.bill) throw new Error(`bill ${id} not found`);
      return [...statements];
    };
    await measure(billIds.large);
    const small: number[] = [];
    const large: number[] = [];
    let listing: string[] = [];
    for (let sample = 0; sample < samples; sample++) {
      small.push((await measure(billIds.small)).length);
      listing = await measure(billIds.large);
      large.push(listing.length);
    }
    return { small, large, listing };
  } finally {
    stop();
    await app.stop();
  }
}

/**
 * (f) `bill(id)` as the ERP sends it (schema/operations/erp.graphql), for a bill of 100 lines and
 * 2 payments, against the server process: latency one at a time and with `callers` in flight,
 * then the SQL statements one query costs, for a 10-line and a 100-line bill.
 */
export async function billQueryBench(
  server: { url: string },
  databaseUrl: string,
  sql: pg.Pool,
  adminToken: string,
  settings: BillQuerySettings,
): Promise<BillQueryFigures> {
  const { bills, erpToken } = await seedBills(sql, server.url, adminToken, settings.period);
  const url = new URL(server.url);
  const body = JSON.stringify({ query: print(BillDocument), variables: { id: bills.large.id } });
  const { data } = JSON.parse(await post(url, erpToken, body)) as { data: BillQuery };
  if (data.bill?.lines.length !== 100 || data.bill.payments.length !== 2) throw new Error(`unexpected bill: ${JSON.stringify(data).slice(0, 300)}`);
  await inParallel(Math.min(200, settings.concurrentRequests), settings.callers, async () => void (await post(url, erpToken, body))); // JIT warm-up, not counted

  const sequential: number[] = [];
  let started = performance.now();
  for (let index = 0; index < settings.requests; index++) {
    const sent = performance.now();
    await post(url, erpToken, body);
    sequential.push(performance.now() - sent);
  }
  const sequentialSeconds = (performance.now() - started) / 1000;
  const concurrent: number[] = [];
  started = performance.now();
  await inParallel(settings.concurrentRequests, settings.callers, async () => {
    const sent = performance.now();
    await post(url, erpToken, body);
    concurrent.push(performance.now() - sent);
  });
  const concurrentSeconds = (performance.now() - started) / 1000;

  const counted = await countStatements(databaseUrl, erpToken, { small: bills.small.id, large: bills.large.id });
  return {
    lines: data.bill.lines.length,
    payments: data.bill.payments.length,
    sequential: latencies(sequential, sequentialSeconds),
    concurrent: latencies(concurrent, concurrentSeconds),
    statements: { small: counted.small, large: counted.large },
    listing: counted.listing,
  };
}
