import { print } from 'graphql';
import type pg from 'pg';
import { startApp } from '../src/app.js';
import { settleTenant } from '../src/modules/bill/settlement.service.js';
import { tenantsToSettle } from '../src/modules/bill/settlement.repository.js';
import { systemClock } from '../src/platform/clock.js';
import { createLogger } from '../src/platform/logger.js';
import {
  AccessTokenCreateDocument,
  OperatorProfileSetDocument,
  VatInvoiceIssueDocument,
  VatInvoiceReverseDocument,
  VatInvoicesDocument,
  type OrderDirection,
  type VatInvoiceIssueMutation,
  type VatInvoiceReverseMutation,
  type VatInvoicesQuery,
  type VatInvoicesQueryVariables,
} from '../test/generated/graphql.js';
import { TEST_SELLER } from '../test/support/fixtures.js';
import { GraphQLClient } from '../test/support/harness.js';
import { seedSettlementData } from '../test/support/settlement-data.js';
import { latencies, median, post, type Latencies, UNLIMITED_RATE_LIMITS } from './measure.js';
import { observeStatements } from './sql-probe.js';

export interface InvoiceSettings {
  period: string;
  /** Issues one at a time on one bill, and again spread over `callers` bills with one caller each. */
  issues: number;
  callers: number;
  /** ERP page requests of `vatInvoices(first: 20)`. */
  pageRequests: number;
}

export interface InvoiceFigures {
  /** Each invoice's amount (CNY). */
  amount: string;
  lines: number;
  /** Invoice lines per issued invoice. */
  invoiceLines: number;
  sequential: Latencies;
  /** p50 of the first and the last tenth of the sequential issues: the cost of the invoices already on the bill. */
  growth: { first: number; last: number };
  concurrent: Latencies & { issues: number };
  /** Where the server's connections were while the callers ran (pg_stat_activity samples), most frequent first. */
  waits: { state: string; share: number }[];
  reversals: Latencies & { count: number };
  page: Latencies & { requests: number; invoices: number };
  /** SQL statements one ERP page sent, per request measured: of issued invoices only, and of red-letter and reversed ones. */
  statements: { ascending: { first5: number[]; first20: number[] }; descending: { first5: number[]; first20: number[] }; issue: number[] };
  /** Milliseconds one issue (counted in-process) holds the bill_sync_counter row locked, and its transaction takes, median. */
  counterLock: { held: number; transaction: number };
  /** What one `first: 20` page of the newest changes sent, and one issue, in order. */
  listing: { page: string[]; issue: string[] };
}

/** Small enough for hundreds of issues on one bill, large enough to be spread over every item of it (0.01 makes one-line invoices). */
const ISSUE_AMOUNT = '1.00';
const REVERSALS = 10;
const WARM_UP_ISSUES = 20;
const BUYER = { legalName: '北京智能科技有限公司' };

interface BenchBill {
  id: string;
  tenantId: string;
  lines: number;
  currency: string;
  /** The finance staff of the bill's tenant: who issues its invoices. */
  financeToken: string;
}

/**
 * Bills of 100 lines (10 departments x 10 models) through the product's own settlement, one per
 * tenant: one for the sequential issues, one for the warm-up, one per concurrent caller.
 */
async function seedBills(sql: pg.Pool, serverUrl: string, adminToken: string, period: string, settings: InvoiceSettings) {
  const { callers } = settings;
  const tenants = callers + 2;
  const seeded = await seedSettlementData(sql, {
    tenants,
    records: 20_000 * tenants,
    period,
    departmentsPerTenant: 10,
    models: 10,
    tenantSkew: 1,
    name: 'VAT invoices',
  });
  const dependencies = { pool: sql, clock: systemClock, logger: createLogger('warn') };
  for (const tenant of await tenantsToSettle(sql, seeded.tenantIds)) {
    const outcome = await settleTenant(dependencies, tenant, period, null);
    if (outcome !== 'BILLED') throw new Error(`settling ${tenant.id} gave ${outcome}`);
  }
  const { rows } = await sql.query<Omit<BenchBill, 'financeToken'> & { invoiceable: string }>(
    `select id, tenant_id as "tenantId", currency::text as currency, (select count(*)::int from bill_line where bill_id = bill.id) as lines,
            (case when tax_mode = 'TAX_EXCLUSIVE' then net_total else gross_total end - amount_invoiced)::text as invoiceable
       from bill where tenant_id = any($1::text[]) and status = 'FINALIZED' order by id`,
    [seeded.tenantIds],
  );
  // The sequential bill takes every issue and the counted ones (the others less).
  const needed = Number(ISSUE_AMOUNT) * (settings.issues + 10);
  const unfit = rows.filter((bill) => bill.lines !== 100 || bill.currency !== 'CNY');
  if (rows.length !== tenants || unfit.length)
    throw new Error(`expected ${tenants} finalized CNY bills of 100 lines, got ${JSON.stringify(rows.map(({ lines, currency }) => ({ lines, currency })))}`);
  if (rows.some((bill) => Number(bill.invoiceable) < needed))
    throw new Error(`bills too small for ${needed} CNY of invoices: ${rows.map((bill) => bill.invoiceable).join(', ')}`);

  const admin = new GraphQLClient(serverUrl, adminToken);
  const set = (await admin.data(OperatorProfileSetDocument, { input: TEST_SELLER })).operatorProfileSet;
  if (set.userErrors.length) throw new Error(`operatorProfileSet refused: ${JSON.stringify(set.userErrors)}`);
  const token = async (name: string, role: 'TENANT_FINANCE' | 'ERP', tenantId?: string) => {
    const created = (await admin.data(AccessTokenCreateDocument, { input: { name, role, tenantId } })).accessTokenCreate;
    if (!created.secret) throw new Error(`accessTokenCreate refused: ${JSON.stringify(created.userErrors)}`);
    return created.secret;
  };
  const bills: BenchBill[] = [];
  for (const [index, bill] of rows.entries()) bills.push({ ...bill, financeToken: await token(`bench finance ${index + 1}`, 'TENANT_FINANCE', bill.tenantId) });
  // The operator's ERP integration pulls every tenant's invoices.
  const erpToken = await token('bench erp invoices', 'ERP');
  const [sequential, warmUp, ...concurrent] = bills;
  return { sequential, warmUp, concurrent, erpToken };
}

const issueBody = (billId: string, key: string) =>
  JSON.stringify({
    query: print(VatInvoiceIssueDocument),
    variables: { input: { billId, type: 'NORMAL', buyer: BUYER, amount: ISSUE_AMOUNT, idempotencyKey: key } },
  });

/** One `vatInvoiceIssue`, timed; a refusal fails the bench. */
async function issue(url: URL, bill: BenchBill, key: string) {
  const sent = performance.now();
  const text = await post(url, bill.financeToken, issueBody(bill.id, key));
  const milliseconds = performance.now() - sent;
  const { vatInvoiceIssue } = (JSON.parse(text) as { data: VatInvoiceIssueMutation }).data;
  if (!vatInvoiceIssue.invoice) throw new Error(`vatInvoiceIssue refused: ${JSON.stringify(vatInvoiceIssue.userErrors)}`);
  return { milliseconds, invoice: vatInvoiceIssue.invoice };
}

async function reverse(url: URL, bill: BenchBill, invoiceId: string, key: string) {
  const sent = performance.now();
  const text = await post(
    url,
    bill.financeToken,
    JSON.stringify({ query: print(VatInvoiceReverseDocument), variables: { input: { invoiceId, reason: '开票信息有误', idempotencyKey: key } } }),
  );
  const milliseconds = performance.now() - sent;
  const { vatInvoiceReverse } = (JSON.parse(text) as { data: VatInvoiceReverseMutation }).data;
  if (!vatInvoiceReverse.redLetterInvoice) throw new Error(`vatInvoiceReverse refused: ${JSON.stringify(vatInvoiceReverse.userErrors)}`);
  return milliseconds;
}

const pageVariables = (since: Date, first: number, direction: OrderDirection, after?: string | null): VatInvoicesQueryVariables => ({
  filter: { updatedSince: since.toISOString() },
  orderBy: { field: 'UPDATED_AT', direction },
  first,
  after,
});

/**
 * Samples pg_stat_activity of the bench database every `interval` ms until stopped: where the
 * server's connections are while the callers run (running, waiting on a lock and for which
 * statement, or idle in a transaction while the server computes).
 */
function sampleActivity(sql: pg.Pool, interval = 25) {
  const counts = new Map<string, number>();
  let total = 0;
  let running = true;
  const sampling = (async () => {
    while (running) {
      const { rows } = await sql.query<{ state: string }>(
        `select case when wait_event_type = 'Lock' then 'waiting on a ' || wait_event || ' lock in: ' || left(regexp_replace(query, '\\s+', ' ', 'g'), 70)
                     when state = 'active' then 'running a statement'
                     else state end as state
           from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and state in ('active', 'idle in transaction')`,
      );
      for (const { state } of rows) counts.set(state, (counts.get(state) ?? 0) + 1);
      total += rows.length;
      await new Promise((resolve) => setTimeout(resolve, interval));
    }
  })();
  return async () => {
    running = false;
    await sampling;
    return [...counts].sort((left, right) => right[1] - left[1]).map(([state, count]) => ({ state, share: count / Math.max(1, total) }));
  };
}

interface TimedStatement {
  text: string;
  startedAt: number;
  endedAt: number;
}

/**
 * Statements per request, counted in this process as bill-query.ts counts them (see its
 * countStatements): an ERP page of 5 and of 20 invoices, of issued invoices only (the oldest
 * changes since `issuedSince`) and of red-letter and reversed ones (the newest changes, which
 * also load the invoices they reverse or are reversed by); then issues of the sequential bill,
 * with how long each holds the one billing change counter row (bill_sync_counter) locked: from
 * its first update to commit.
 */
async function countStatements(databaseUrl: string, erpToken: string, bill: BenchBill, since: { all: Date; issued: Date }, samples = 3) {
  const app = await startApp({ databaseUrl, host: '127.0.0.1', port: 0, logger: createLogger('warn'), rateLimits: UNLIMITED_RATE_LIMITS });
  const erp = new GraphQLClient(app.url, erpToken);
  const finance = new GraphQLClient(app.url, bill.financeToken);
  const statements: TimedStatement[] = [];
  let counting = false;
  const stop = observeStatements((statement) => {
    const endedAt = performance.now();
    if (counting) statements.push({ text: statement.text.replace(/\s+/g, ' ').trim(), startedAt: endedAt - statement.milliseconds, endedAt });
  });
  const counted = async (request: () => Promise<unknown>) => {
    statements.length = 0;
    counting = true;
    await request();
    counting = false;
    return [...statements];
  };
  try {
    const page = async (first: number, direction: OrderDirection) =>
      (
        await counted(async () => {
          const { vatInvoices } = await erp.data(VatInvoicesDocument, pageVariables(direction === 'ASC' ? since.issued : since.all, first, direction));
          if (vatInvoices.nodes.length !== first) throw new Error(`expected a page of ${first}, got ${vatInvoices.nodes.length}`);
          const reversals = vatInvoices.nodes.filter((node) => node.isRedLetter || node.status === 'REVERSED').length;
          if (reversals !== (direction === 'ASC' ? 0 : first))
            throw new Error(`expected ${direction === 'ASC' ? 'no' : 'only'} red-letter and reversed invoices, got ${reversals} of ${first}`);
        })
      ).map((statement) => statement.text);
    const issueOnce = (key: string) =>
      counted(async () => {
        const { vatInvoiceIssue } = await finance.data(VatInvoiceIssueDocument, {
          input: { billId: bill.id, type: 'NORMAL', buyer: BUYER, amount: ISSUE_AMOUNT, idempotencyKey: key },
        });
        if (!vatInvoiceIssue.invoice) throw new Error(`vatInvoiceIssue refused: ${JSON.stringify(vatInvoiceIssue.userErrors)}`);
      });
    await page(20, 'DESC');
    const figures = {
      ascending: { first5: [] as number[], first20: [] as number[] },
      descending: { first5: [] as number[], first20: [] as number[] },
      issue: [] as number[],
    };
    const listing = { page: [] as string[], issue: [] as string[] };
    for (let sample = 0; sample < samples; sample++) {
      figures.ascending.first5.push((await page(5, 'ASC')).length);
      figures.ascending.first20.push((await page(20, 'ASC')).length);
      figures.descending.first5.push((await page(5, 'DESC')).length);
      listing.page = await page(20, 'DESC');
      figures.descending.first20.push(listing.page.length);
    }
    // After the pages: an issue is the newest change, and would be on the newest-first pages.
    await issueOnce('bench-count-warm-up');
    const lock = { held: [] as number[], transaction: [] as number[] };
    for (let sample = 0; sample < samples; sample++) {
      const issued = await issueOnce(`bench-count-${sample}`);
      const begin = issued.find((statement) => statement.text === 'begin');
      const counter = issued.find((statement) => statement.text.startsWith('update bill_sync_counter'));
      const commit = issued.find((statement) => statement.text === 'commit');
      if (!begin || !counter || !commit)
        throw new Error(`an issue without begin, counter update or commit: ${issued.map((statement) => statement.text.slice(0, 40)).join('; ')}`);
      lock.held.push(commit.endedAt - counter.startedAt);
      lock.transaction.push(commit.endedAt - begin.startedAt);
      figures.issue.push(issued.length);
      listing.issue = issued.map((statement) => statement.text);
    }
    return { statements: figures, listing, lock: { held: median(lock.held), transaction: median(lock.transaction) } };
  } finally {
    stop();
    await app.stop();
  }
}

/**
 * (g) VAT invoices against the server process, on bills of 100 lines: `vatInvoiceIssue` one at a
 * time on one bill and with `callers` in flight on as many bills (issues of one bill queue on its
 * row lock), `vatInvoiceReverse`, the ERP's `vatInvoices(first: 20)` pull, and the SQL statements
 * a page of 5 and of 20 costs.
 */
export async function invoiceBench(
  server: { url: string },
  databaseUrl: string,
  sql: pg.Pool,
  adminToken: string,
  settings: InvoiceSettings,
): Promise<InvoiceFigures> {
  if (settings.issues < 20)
    throw new Error(`--invoice-issues must be at least 20 (${REVERSALS} are reversed, and a page of 20 issued invoices is counted), got ${settings.issues}`);
  const since = new Date();
  const { sequential, warmUp, concurrent, erpToken } = await seedBills(sql, server.url, adminToken, settings.period, settings);
  const url = new URL(server.url);

  // JIT warm-up on a bill of its own, not counted: issues, reversals and a page.
  const warmUpInvoices = [];
  for (let index = 0; index < WARM_UP_ISSUES; index++) warmUpInvoices.push((await issue(url, warmUp, `bench-warm-up-${index}`)).invoice);
  for (const [index, invoice] of warmUpInvoices.slice(0, 3).entries()) await reverse(url, warmUp, invoice.id, `bench-warm-up-reverse-${index}`);
  await post(url, erpToken, JSON.stringify({ query: print(VatInvoicesDocument), variables: pageVariables(since, 20, 'ASC') }));
  const issuedSince = new Date();

  const sequentialTimes: number[] = [];
  const issued: string[] = [];
  let started = performance.now();
  for (let index = 0; index < settings.issues; index++) {
    const { milliseconds, invoice } = await issue(url, sequential, `bench-sequential-${index}`);
    sequentialTimes.push(milliseconds);
    issued.push(invoice.id);
  }
  const sequentialSeconds = (performance.now() - started) / 1000;
  const invoiceLines = (await sql.query<{ lines: number }>('select count(*)::int as lines from vat_invoice_line where invoice_id = $1', [issued[0]])).rows[0]
    .lines;
  const tenth = Math.max(1, Math.floor(settings.issues / 10));

  // One caller per bill, each issuing its share one at a time.
  const perBill = Math.ceil(settings.issues / settings.callers);
  const concurrentTimes: number[] = [];
  const stopSampling = sampleActivity(sql);
  started = performance.now();
  await Promise.all(
    concurrent.map(async (bill, caller) => {
      for (let index = 0; index < perBill; index++) concurrentTimes.push((await issue(url, bill, `bench-concurrent-${caller}-${index}`)).milliseconds);
    }),
  );
  const concurrentSeconds = (performance.now() - started) / 1000;
  const waits = await stopSampling();

  const reversalTimes: number[] = [];
  started = performance.now();
  for (const [index, invoiceId] of issued.slice(0, REVERSALS).entries())
    reversalTimes.push(await reverse(url, sequential, invoiceId, `bench-reverse-${index}`));
  const reversalSeconds = (performance.now() - started) / 1000;

  // The ERP's pull: pages of 20 by change, oldest first, following cursors; from the top again at the end.
  const pageTimes: number[] = [];
  let after: string | null = null;
  let invoices = 0;
  started = performance.now();
  while (pageTimes.length < settings.pageRequests) {
    const body = JSON.stringify({ query: print(VatInvoicesDocument), variables: pageVariables(since, 20, 'ASC', after) });
    const sent = performance.now();
    const text = await post(url, erpToken, body);
    pageTimes.push(performance.now() - sent);
    const { vatInvoices } = (JSON.parse(text) as { data: VatInvoicesQuery }).data;
    invoices = vatInvoices.totalCount;
    after = vatInvoices.pageInfo.hasNextPage ? vatInvoices.pageInfo.endCursor : null;
  }
  const pageSeconds = (performance.now() - started) / 1000;

  const counted = await countStatements(databaseUrl, erpToken, sequential, { all: since, issued: issuedSince });
  return {
    amount: ISSUE_AMOUNT,
    lines: sequential.lines,
    invoiceLines,
    sequential: latencies(sequentialTimes, sequentialSeconds),
    growth: { first: median(sequentialTimes.slice(0, tenth)), last: median(sequentialTimes.slice(-tenth)) },
    concurrent: { ...latencies(concurrentTimes, concurrentSeconds), issues: concurrentTimes.length },
    waits,
    reversals: { ...latencies(reversalTimes, reversalSeconds), count: reversalTimes.length },
    page: { ...latencies(pageTimes, pageSeconds), requests: pageTimes.length, invoices },
    statements: counted.statements,
    listing: counted.listing,
    counterLock: counted.lock,
  };
}
