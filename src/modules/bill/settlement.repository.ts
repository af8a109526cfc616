import type pg from 'pg';
import { parseTimestamptz, queryRows, type SqlTarget } from '../../platform/database/sql.js';
import type { CurrencyCode, TaxMode } from '../../platform/money.js';
import type { Period } from '../../platform/period.js';
import { DEFAULT_TERMS, termsOnDays, type ContractTerms } from '../contract/contract-terms.js';
import type { BillingMode } from '../contract/contract.entity.js';
import type { BillLineKind, BillPaymentMethod, BillStatus } from './bill.entity.js';
import type { DraftLine, UsageGroup } from './bill-builder.js';
import type { BillSummarySource } from './bill-webhooks.js';

/*
 * Settlement's SQL, below the ORM: usage is summed in the database (never pulled row by row into
 * Node), and a bill with its lines is written in a few statements inside one transaction.
 */

export interface TenantToSettle {
  id: string;
  name: string;
  timezone: string;
  billingCurrency: CurrencyCode;
}

export async function tenantsToSettle(pool: pg.Pool, tenantIds: string[] | null): Promise<TenantToSettle[]> {
  const { rows } = await pool.query<TenantToSettle>({
    text: `select id, name, timezone, billing_currency as "billingCurrency" from tenant
            where $1::text[] is null or id = any($1::text[]) order by id`,
    values: [tenantIds],
  });
  return rows;
}

export interface BillHistory {
  /** The period is settled already: it has a bill (not void), or was closed with nothing to bill. */
  isSettled: boolean;
  /** The first later period settled, if any. */
  laterPeriod: Period | null;
  /** The latest period settled before this one: up to where its usage was settled. */
  previous: { periodStart: string; watermark: number } | null;
}

/**
 * Locks the tenant row for this transaction, so a second settlement of the tenant waits and then
 * finds the bill, and contract changes wait too; then reads the settled periods around this one:
 * bills (not void) and periods closed with nothing to bill.
 */
export async function lockBillHistory(client: pg.ClientBase, tenantId: string, periodStart: string): Promise<BillHistory> {
  await client.query({ name: 'settle-lock-tenant', text: 'select 1 from tenant where id = $1 for update', values: [tenantId] });
  const { rows } = await client.query<{ isSettled: boolean; laterPeriod: string | null; previousStart: string | null; previousWatermark: string | null }>({
    name: 'settle-history',
    text: `with settled as (select period_start, usage_watermark from bill where tenant_id = $1 and status <> 'VOID'
                        union all
                        select period_start, usage_watermark from settled_empty_period where tenant_id = $1)
           select exists (select 1 from settled where period_start = $2) as "isSettled",
                  (select to_char(min(period_start), 'YYYY-MM') from settled where period_start > $2) as "laterPeriod",
                  p.period_start::text as "previousStart", p.usage_watermark::text as "previousWatermark"
             from (select 1) as one
             left join lateral (select period_start, usage_watermark from settled where period_start < $2
                                 order by period_start desc limit 1) as p on true`,
    values: [tenantId, periodStart],
  });
  const [row] = rows;
  return {
    isSettled: row.isSettled,
    laterPeriod: row.laterPeriod,
    previous: row.previousStart ? { periodStart: row.previousStart, watermark: Number(row.previousWatermark) } : null,
  };
}

/** Closes a period with nothing to bill (see SettledEmptyPeriod). */
export async function insertSettledEmptyPeriod(
  client: pg.ClientBase,
  period: { tenantId: string; periodStart: string; watermark: number; settledAt: Date; runId: string | null },
): Promise<void> {
  await client.query({
    name: 'settle-empty-period',
    text: `insert into settled_empty_period (tenant_id, period_start, usage_watermark, settled_at, settlement_run_id) values ($1, $2, $3, $4, $5)`,
    values: [period.tenantId, period.periodStart, period.watermark, period.settledAt, period.runId],
  });
}

/** The first period from `fromDay` (if given) and before `beforeDay` (local days) with charged usage: it must be settled first. */
export async function firstUnsettledPeriod(client: pg.ClientBase, tenantId: string, fromDay: string | null, beforeDay: string): Promise<Period | null> {
  const { rows } = await client.query<{ period: string | null }>({
    name: 'settle-unsettled',
    text: `select to_char(min(local_day), 'YYYY-MM') as period from usage_rollup
            where tenant_id = $1 and local_day >= coalesce($2::date, '-infinity'::date) and local_day < $3`,
    values: [tenantId, fromDay, beforeDay],
  });
  return rows[0].period;
}

export interface PeriodTerms {
  contractId: string | null;
  contractVersion: number | null;
  terms: ContractTerms;
}

/** The terms in force for each period (first local days), from the tenant's contract or the defaults. */
export async function termsForPeriods(client: pg.ClientBase, tenantId: string, periodStarts: string[]): Promise<Map<string, PeriodTerms>> {
  const found = await termsOnDays(client, tenantId, periodStarts);
  return new Map(periodStarts.map((day) => [day, found.get(day) ?? { contractId: null, contractVersion: null, terms: DEFAULT_TERMS }]));
}

/**
 * The tenant's charged usage to bill, summed per department, model and price version from the
 * daily rollups: the period's days recorded before the watermark, and earlier days recorded
 * between the previous bill's watermark and this one (late usage), each with the period it
 * belongs to. Rollups cut at watermarks exactly as the records' seq does (see UsageRollup), so
 * this is the sum of the same records, read from a few rows per day instead of one per call.
 */
export async function usageGroups(
  client: pg.ClientBase,
  tenantId: string,
  window: { firstDay: string; endDay: string; watermark: number; previousWatermark: number | null },
): Promise<UsageGroup[]> {
  const { rows } = await client.query<
    Omit<UsageGroup, 'requestCount' | 'inputTokens' | 'outputTokens' | 'cachedInputTokens' | 'imageCount' | 'videoSeconds'> & Record<string, string>
  >({
    name: 'settle-usage',
    text: `with charged as (
             select null::text as adjusted_period, r.department_id, r.model, r.price_id, r.request_count, r.input_tokens,
                    r.output_tokens, r.cached_input_tokens, r.image_count, r.video_seconds, r.charged_amount
               from usage_rollup r
              where r.tenant_id = $1 and r.local_day >= $2 and r.local_day < $3 and r.recorded_after < $4
             union all
             select to_char(r.local_day, 'YYYY-MM'), r.department_id, r.model, r.price_id, r.request_count, r.input_tokens,
                    r.output_tokens, r.cached_input_tokens, r.image_count, r.video_seconds, r.charged_amount
               from usage_rollup r
              where $5::bigint is not null and r.tenant_id = $1 and r.local_day < $2 and r.recorded_after >= $5 and r.recorded_after < $4
           )
           select g.adjusted_period as "adjustedPeriod", g.department_id as "departmentId", d.name as "departmentName",
                  g.model, p.tier, g.price_id as "priceId", g.request_count::text as "requestCount",
                  g.input_tokens::text as "inputTokens", g.output_tokens::text as "outputTokens",
                  g.cached_input_tokens::text as "cachedInputTokens", g.image_count::text as "imageCount",
                  g.video_seconds::text as "videoSeconds", g.charged::text as charged
             from (select adjusted_period, department_id, model, price_id, sum(request_count) as request_count,
                          sum(input_tokens) as input_tokens, sum(output_tokens) as output_tokens,
                          sum(cached_input_tokens) as cached_input_tokens, sum(image_count) as image_count,
                          sum(video_seconds) as video_seconds, sum(charged_amount) as charged
                     from charged group by 1, 2, 3, 4) as g
             join department d on d.id = g.department_id
             join model_price p on p.id = g.price_id`,
    values: [tenantId, window.firstDay, window.endDay, window.watermark, window.previousWatermark],
  });
  return rows.map((row) => ({
    adjustedPeriod: row.adjustedPeriod,
    departmentId: row.departmentId,
    departmentName: row.departmentName,
    model: row.model,
    tier: row.tier,
    priceId: row.priceId,
    requestCount: Number(row.requestCount),
    inputTokens: Number(row.inputTokens),
    outputTokens: Number(row.outputTokens),
    cachedInputTokens: Number(row.cachedInputTokens),
    imageCount: Number(row.imageCount),
    videoSeconds: Number(row.videoSeconds),
    charged: row.charged,
  }));
}

/**
 * The version and time of a bill change, taken under the one counter row's lock and held until
 * commit: changes become visible in version order, so an ERP paging by it misses nothing.
 */
export async function nextBillSync(target: SqlTarget, now: Date): Promise<{ version: number; updatedAt: Date }> {
  const [row] = await queryRows<{ version: string; updatedAt: string }>(
    target,
    `update bill_sync_counter set version = version + 1, updated_at = greatest(updated_at, $1)
      where id = 1 returning version::text as version, to_json(updated_at) #>> '{}' as "updatedAt"`,
    [now],
  );
  return { version: Number(row.version), updatedAt: new Date(row.updatedAt) };
}

/** Marks one unpaid bill OVERDUE with its new change version; returns it as webhooks describe it. */
export async function markBillOverdue(client: pg.ClientBase, billId: string, sync: { version: number; updatedAt: Date }): Promise<BillSummarySource> {
  const { rows } = await client.query<Omit<BillSummarySource, 'finalizedAt' | 'updatedAt'> & { finalizedAt: string | null; updatedAt: string }>({
    name: 'bill-mark-overdue',
    text: `update bill set status = 'OVERDUE', sync_version = $2, updated_at = $3 where id = $1
           returning id, number, tenant_id as "tenantId", period_start::text as "periodStart", status, currency, billing_mode as "billingMode",
                     tax_mode as "taxMode", tax_rate::text as "taxRate", net_total::text as "netTotal", tax_total::text as "taxTotal",
                     gross_total::text as "grossTotal", amount_paid::text as "amountPaid", amount_invoiced::text as "amountInvoiced",
                     due_on::text as "dueOn", finalized_at::text as "finalizedAt", void_reason as "voidReason", updated_at::text as "updatedAt"`,
    values: [billId, sync.version, sync.updatedAt],
  });
  const [bill] = rows;
  return { ...bill, finalizedAt: parseTimestamptz(bill.finalizedAt), updatedAt: parseTimestamptz(bill.updatedAt) };
}

export interface BillRow {
  id: string;
  tenantId: string;
  periodStart: string;
  status: BillStatus;
  number: string;
  currency: CurrencyCode;
  contractId: string | null;
  contractVersion: number | null;
  billingMode: BillingMode;
  taxMode: TaxMode;
  taxRate: string;
  netTotal: string;
  taxTotal: string;
  grossTotal: string;
  amountPaid: string;
  usageWatermark: number;
  finalizedAt: Date;
  dueOn: string;
  settlementRunId: string | null;
  syncVersion: number;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * Writes a finalized bill and its lines in one statement, whatever the number of lines: its number
 * (the next of its period's series) and its change version are taken there too, so the two counter
 * rows every settlement queues on are held from this statement to the commit, and no longer.
 */
export async function insertFinalizedBill(
  client: pg.ClientBase,
  bill: Omit<BillRow, 'number' | 'syncVersion' | 'updatedAt'>,
  lines: DraftLine[],
): Promise<Pick<BillRow, 'number' | 'syncVersion' | 'updatedAt'>> {
  const { rows } = await client.query<{ number: string; syncVersion: string; updatedAt: string }>({
    name: 'bill-insert',
    text: `with numbered as (
             insert into bill_number_counter (series, last_number) values ($21, 1)
             on conflict (series) do update set last_number = bill_number_counter.last_number + 1
             returning $21 || '-' || lpad(last_number::text, greatest(6, length(last_number::text)), '0') as number
           ),
           -- After the number (the subquery makes it so): every settlement takes the two rows in one order.
           synced as (
             update bill_sync_counter set version = version + 1, updated_at = greatest(updated_at, $17)
              where id = (select 1 from numbered) returning version, updated_at
           ),
           inserted as (
             insert into bill (id, tenant_id, period_start, status, number, currency, contract_id, contract_version, billing_mode, tax_mode,
                               tax_rate, net_total, tax_total, gross_total, amount_paid, usage_watermark, finalized_at, due_on,
                               settlement_run_id, sync_version, created_at, updated_at)
             select $1, $2, $3, $4, numbered.number, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $18, $19, synced.version, $17, synced.updated_at
               from numbered, synced
             returning id
           ),
           lines as (
             insert into bill_line (bill_id, line_number, tenant_id, kind, description, department_id, model, model_tier, price_id, adjusted_period_start,
                                    request_count, input_tokens, output_tokens, cached_input_tokens, image_count, video_seconds,
                                    exact_amount, amount, net, tax, gross)
             select inserted.id, l.line_number, $2, l.kind, l.description, l.department_id, l.model, l.model_tier, l.price_id, l.adjusted_period_start,
                    l.request_count, l.input_tokens, l.output_tokens, l.cached_input_tokens, l.image_count, l.video_seconds,
                    l.exact_amount, l.amount, l.net, l.tax, l.gross
               from inserted, json_to_recordset($20::json) as l(line_number int, kind bill_line_kind, description text, department_id text, model text,
                    model_tier model_tier, price_id text, adjusted_period_start date, request_count bigint, input_tokens bigint,
                    output_tokens bigint, cached_input_tokens bigint, image_count bigint, video_seconds bigint, exact_amount numeric,
                    amount numeric, net numeric, tax numeric, gross numeric)
           )
           select numbered.number, synced.version::text as "syncVersion", to_json(synced.updated_at) #>> '{}' as "updatedAt" from numbered, synced`,
    values: [
      bill.id,
      bill.tenantId,
      bill.periodStart,
      bill.status,
      bill.currency,
      bill.contractId,
      bill.contractVersion,
      bill.billingMode,
      bill.taxMode,
      bill.taxRate,
      bill.netTotal,
      bill.taxTotal,
      bill.grossTotal,
      bill.amountPaid,
      bill.usageWatermark,
      bill.finalizedAt,
      bill.createdAt,
      bill.dueOn,
      bill.settlementRunId,
      JSON.stringify(
        lines.map((line, index) => ({
          line_number: index + 1,
          kind: line.kind satisfies BillLineKind,
          description: line.description,
          department_id: line.departmentId,
          model: line.model,
          model_tier: line.modelTier,
          price_id: line.priceId,
          adjusted_period_start: line.adjustedPeriod ? `${line.adjustedPeriod}-01` : null,
          request_count: line.requestCount,
          input_tokens: line.inputTokens,
          output_tokens: line.outputTokens,
          cached_input_tokens: line.cachedInputTokens,
          image_count: line.imageCount,
          video_seconds: line.videoSeconds,
          exact_amount: line.exactAmount.toFixed(),
          amount: line.amount.toFixed(2),
          net: line.net.toFixed(2),
          tax: line.tax.toFixed(2),
          gross: line.gross.toFixed(2),
        })),
      ),
      // The series: one per period, "2026-10".
      bill.periodStart.slice(0, 7),
    ],
  });
  const [row] = rows;
  return { number: row.number, syncVersion: Number(row.syncVersion), updatedAt: new Date(row.updatedAt) };
}

export interface PaymentRow {
  id: string;
  billId: string;
  tenantId: string;
  method: BillPaymentMethod;
  amount: string;
  currency: CurrencyCode;
  reference: string | null;
  receivedAt: Date;
  createdAt: Date;
  /** The bill's version from the same transaction. */
  syncVersion: number;
  updatedAt: Date;
}

export async function insertPayment(client: pg.ClientBase, payment: PaymentRow): Promise<void> {
  await client.query({
    name: 'payment-insert',
    text: `insert into payment (id, bill_id, tenant_id, method, amount, currency, reference, received_at, created_at, sync_version, updated_at)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    values: [
      payment.id,
      payment.billId,
      payment.tenantId,
      payment.method,
      payment.amount,
      payment.currency,
      payment.reference,
      payment.receivedAt,
      payment.createdAt,
      payment.syncVersion,
      payment.updatedAt,
    ],
  });
}

/** A usage record, by what finds it in its month's partition. */
export interface RecordRef {
  id: string;
  tenantId: string;
  occurredAt: Date;
}

/** The bill line a charged usage record was billed on. */
export interface RecordBillLine {
  recordId: string;
  billId: string;
  lineNumber: number;
}

/**
 * Where settlement put each charged record, by its rule: the first bill of the tenant (not void,
 * in watermark order) whose usage watermark is above the record's seq and whose period is not
 * before the record's local month. A bill of that month has it on its USAGE line for the record's
 * department and price version; a later one, on its LATE_USAGE_ADJUSTMENT line for that month.
 * Records not charged, or not settled yet, have none.
 */
export async function billLinesOfRecords(target: SqlTarget, records: readonly RecordRef[]): Promise<RecordBillLine[]> {
  return queryRows<RecordBillLine>(
    target,
    `with wanted as (
       select * from json_to_recordset($1::json) as w(id text, tenant_id text, occurred_at timestamptz)
     ),
     charged as (
       select r.id, r.tenant_id, r.seq, r.department_id, r.price_id, date_trunc('month', r.occurred_at at time zone t.timezone)::date as period_start
         from wanted w
         join usage_record r on r.tenant_id = w.tenant_id and r.occurred_at = w.occurred_at and r.id = w.id
         join tenant t on t.id = r.tenant_id
        where r.is_charged
     )
     select c.id as "recordId", l.bill_id as "billId", l.line_number as "lineNumber"
       from charged c
      cross join lateral (
        select b.id, b.period_start from bill b
         where b.tenant_id = c.tenant_id and b.status <> 'VOID' and b.usage_watermark > c.seq and b.period_start >= c.period_start
         order by b.usage_watermark limit 1
      ) b
       join bill_line l on l.tenant_id = c.tenant_id and l.bill_id = b.id and l.department_id = c.department_id and l.price_id = c.price_id
        and case when b.period_start = c.period_start then l.kind = 'USAGE'
                 else l.kind = 'LATE_USAGE_ADJUSTMENT' and l.adjusted_period_start = c.period_start end`,
    [JSON.stringify(records.map(({ id, tenantId, occurredAt }) => ({ id, tenant_id: tenantId, occurred_at: occurredAt })))],
  );
}
