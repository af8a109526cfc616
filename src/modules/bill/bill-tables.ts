import type { RequestContext } from '../../context.js';
import { tenantScope } from '../../platform/auth/actor.js';
import { nativePool, queryRows } from '../../platform/database/sql.js';
import { decimal } from '../../platform/money.js';
import { periodFirstDay, type Period } from '../../platform/period.js';
import type { Column, Table } from '../../platform/tables.js';
import type { Bill } from './bill.entity.js';
import { amountDue, amountInvoiceable, billSubtotal } from './bill-amounts.js';

/**
 * The money tables of bills for files finance tools open (platform/tables.ts): bills, their lines
 * and their payments, of one bill or of every bill of a period the caller can see. Columns are
 * named as the GraphQL fields they hold. Read in SQL a page of bills at a time, as plain rows:
 * a period of any size streams in bounded memory.
 */
export interface BillScope {
  billId?: string;
  period?: Period;
  tenantId?: string;
}

/**
 * Bills read per page. Small on purpose: rows that live across many allocations get promoted to
 * V8's old space, which then grows; at 20 bills a page a period of 10,000 bills as XLSX added
 * 36 MB to the server's RSS, at 100 a page 100 MB (bench (j)).
 */
const PAGE_SIZE = 20;

/** Rows of one statement as plain objects, on the pool (which binds arrays as PostgreSQL arrays). */
export async function tableRows<Row>(context: RequestContext, sql: string, params: unknown[]): Promise<Row[]> {
  return queryRows<Row>(await nativePool(context.em), sql, params);
}

/** An instant as ISO 8601 text in UTC, as GraphQL prints a DateTime. */
export const isoInstant = (column: string) => `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** A bill as the tables print it, with its tenant's name and ERP code. */
export interface BillRow extends Pick<Bill, 'id' | 'number' | 'tenantId' | 'status' | 'currency' | 'billingMode' | 'taxMode' | 'taxRate'> {
  tenantExternalId: string | null;
  tenantName: string;
  period: string;
  netTotal: string;
  taxTotal: string;
  grossTotal: string;
  amountPaid: string;
  amountInvoiced: string;
  dueOn: string | null;
  finalizedAt: string | null;
  voidedAt: string | null;
  updatedAt: string;
}

/**
 * The bills in scope a page at a time, in id order, never a draft. A tenant's users get their
 * own tenant's whatever the scope names (the ORM's tenant filter does not reach this SQL).
 */
export async function* billPages(context: RequestContext, scope: BillScope): AsyncIterable<BillRow[]> {
  const tenantId = tenantScope(context.actor, scope.tenantId) ?? null;
  let after = '';
  for (;;) {
    const page = await tableRows<BillRow>(
      context,
      `select b.id, b.number, b.tenant_id as "tenantId", t.external_id as "tenantExternalId", t.name as "tenantName",
              to_char(b.period_start, 'YYYY-MM') as period, b.status, b.currency, b.billing_mode as "billingMode", b.tax_mode as "taxMode",
              b.tax_rate::text as "taxRate", b.net_total::text as "netTotal", b.tax_total::text as "taxTotal", b.gross_total::text as "grossTotal",
              b.amount_paid::text as "amountPaid", b.amount_invoiced::text as "amountInvoiced", b.due_on::text as "dueOn",
              ${isoInstant('b.finalized_at')} as "finalizedAt", ${isoInstant('b.voided_at')} as "voidedAt", ${isoInstant('b.updated_at')} as "updatedAt"
         from bill b join tenant t on t.id = b.tenant_id
        where b.status <> 'DRAFT' and b.id > $1
          and ($2::date is null or b.period_start = $2) and ($3::text is null or b.tenant_id = $3) and ($4::text is null or b.id = $4)
        order by b.id limit $5`,
      [after, scope.period ? periodFirstDay(scope.period) : null, tenantId, scope.billId ?? null, PAGE_SIZE],
    );
    if (page.length === 0) return;
    yield page;
    after = page.at(-1)!.id;
  }
}

/** Rows of a page of bills, by bill id, with the bill they belong to. */
export async function* perBill<Row extends { billId: string }>(
  context: RequestContext,
  scope: BillScope,
  read: (billIds: string[]) => Promise<Row[]>,
): AsyncIterable<(Row & { bill: BillRow })[]> {
  for await (const bills of billPages(context, scope)) {
    const byId = new Map(bills.map((bill) => [bill.id, bill]));
    // Onto the rows as they came, not copies of them: a period is many rows, and copies are garbage.
    yield (await read(bills.map((bill) => bill.id))).map((row) => Object.assign(row, { bill: byId.get(row.billId)! }));
  }
}

const tenantColumns = <Row extends { bill: BillRow }>(): Column<Row>[] => [
  { name: 'tenant.id', value: ({ bill }) => bill.tenantId },
  { name: 'tenant.externalId', value: ({ bill }) => bill.tenantExternalId },
  { name: 'tenant.name', value: ({ bill }) => bill.tenantName },
];

const BILL_COLUMNS: Column<{ bill: BillRow }>[] = [
  { name: 'id', value: ({ bill }) => bill.id },
  { name: 'number', value: ({ bill }) => bill.number },
  ...tenantColumns(),
  { name: 'period', value: ({ bill }) => bill.period },
  { name: 'status', value: ({ bill }) => bill.status },
  { name: 'currency', value: ({ bill }) => bill.currency },
  { name: 'billingMode', value: ({ bill }) => bill.billingMode },
  { name: 'taxMode', value: ({ bill }) => bill.taxMode },
  { name: 'taxRate', kind: 'exact', value: ({ bill }) => decimal(bill.taxRate).toFixed() },
  { name: 'subtotal.amount', kind: 'money', value: ({ bill }) => billSubtotal(bill) },
  { name: 'total.net.amount', kind: 'money', value: ({ bill }) => bill.netTotal },
  { name: 'total.tax.amount', kind: 'money', value: ({ bill }) => bill.taxTotal },
  { name: 'total.gross.amount', kind: 'money', value: ({ bill }) => bill.grossTotal },
  { name: 'amountPaid.amount', kind: 'money', value: ({ bill }) => bill.amountPaid },
  { name: 'amountDue.amount', kind: 'money', value: ({ bill }) => amountDue(bill) },
  { name: 'amountInvoiced.amount', kind: 'money', value: ({ bill }) => bill.amountInvoiced },
  { name: 'amountInvoiceable.amount', kind: 'money', value: ({ bill }) => amountInvoiceable(bill) },
  { name: 'dueOn', value: ({ bill }) => bill.dueOn },
  { name: 'finalizedAt', value: ({ bill }) => bill.finalizedAt },
  { name: 'voidedAt', value: ({ bill }) => bill.voidedAt },
  { name: 'updatedAt', value: ({ bill }) => bill.updatedAt },
];

export function billsTable(context: RequestContext, scope: BillScope): Table<{ bill: BillRow }> {
  return {
    sheet: 'bills',
    columns: BILL_COLUMNS,
    rows: (async function* () {
      for await (const bills of billPages(context, scope)) yield bills.map((bill) => ({ bill }));
    })(),
  };
}

interface BillLineRow {
  billId: string;
  lineNumber: number;
  kind: string;
  description: string;
  departmentId: string | null;
  departmentName: string | null;
  model: string | null;
  modelTier: string | null;
  adjustedPeriod: string | null;
  priceId: string | null;
  priceEffectiveFrom: string | null;
  inputPerMillion: string | null;
  outputPerMillion: string | null;
  cachedInputPerMillion: string | null;
  perRequest: string | null;
  perImage: string | null;
  perVideoSecond: string | null;
  requestCount: string;
  inputTokens: string;
  outputTokens: string;
  cachedInputTokens: string;
  imageCount: string;
  videoSeconds: string;
  exactAmount: string;
  amount: string;
  net: string;
  tax: string;
  gross: string;
}

const exact = (value: string | null) => (value === null ? null : decimal(value).toFixed());

const BILL_LINE_COLUMNS: Column<BillLineRow & { bill: BillRow }>[] = [
  { name: 'bill.id', value: ({ bill }) => bill.id },
  { name: 'bill.number', value: ({ bill }) => bill.number },
  ...tenantColumns(),
  { name: 'bill.period', value: ({ bill }) => bill.period },
  { name: 'lineNumber', kind: 'integer', value: (line) => line.lineNumber },
  { name: 'kind', value: (line) => line.kind },
  { name: 'description', value: (line) => line.description },
  { name: 'department.id', value: (line) => line.departmentId },
  { name: 'department.name', value: (line) => line.departmentName },
  { name: 'model', value: (line) => line.model },
  { name: 'modelTier', value: (line) => line.modelTier },
  { name: 'adjustedPeriod', value: (line) => line.adjustedPeriod },
  { name: 'unitPrice.id', value: (line) => line.priceId },
  { name: 'unitPrice.effectiveFrom', value: (line) => line.priceEffectiveFrom },
  { name: 'unitPrice.inputPerMillionTokens.amount', kind: 'exact', value: (line) => exact(line.inputPerMillion) },
  { name: 'unitPrice.outputPerMillionTokens.amount', kind: 'exact', value: (line) => exact(line.outputPerMillion) },
  { name: 'unitPrice.cachedInputPerMillionTokens.amount', kind: 'exact', value: (line) => exact(line.cachedInputPerMillion) },
  { name: 'unitPrice.perRequest.amount', kind: 'exact', value: (line) => exact(line.perRequest) },
  { name: 'unitPrice.perImage.amount', kind: 'exact', value: (line) => exact(line.perImage) },
  { name: 'unitPrice.perVideoSecond.amount', kind: 'exact', value: (line) => exact(line.perVideoSecond) },
  { name: 'quantity.requestCount', kind: 'integer', value: (line) => line.requestCount },
  { name: 'quantity.inputTokens', kind: 'integer', value: (line) => line.inputTokens },
  { name: 'quantity.outputTokens', kind: 'integer', value: (line) => line.outputTokens },
  { name: 'quantity.cachedInputTokens', kind: 'integer', value: (line) => line.cachedInputTokens },
  { name: 'quantity.imageCount', kind: 'integer', value: (line) => line.imageCount },
  { name: 'quantity.videoSeconds', kind: 'integer', value: (line) => line.videoSeconds },
  { name: 'currency', value: ({ bill }) => bill.currency },
  { name: 'exactAmount', kind: 'exact', value: (line) => exact(line.exactAmount) },
  { name: 'amount.amount', kind: 'money', value: (line) => line.amount },
  { name: 'total.net.amount', kind: 'money', value: (line) => line.net },
  { name: 'total.tax.amount', kind: 'money', value: (line) => line.tax },
  { name: 'total.gross.amount', kind: 'money', value: (line) => line.gross },
];

export function billLinesTable(context: RequestContext, scope: BillScope): Table<BillLineRow & { bill: BillRow }> {
  return {
    sheet: 'billLines',
    columns: BILL_LINE_COLUMNS,
    rows: perBill(context, scope, (billIds) =>
      tableRows<BillLineRow>(
        context,
        `select l.bill_id as "billId", l.line_number as "lineNumber", l.kind, l.description, l.department_id as "departmentId", d.name as "departmentName",
                l.model, l.model_tier as "modelTier", to_char(l.adjusted_period_start, 'YYYY-MM') as "adjustedPeriod", l.price_id as "priceId",
                ${isoInstant('p.effective_from')} as "priceEffectiveFrom", p.input_per_million::text as "inputPerMillion",
                p.output_per_million::text as "outputPerMillion", p.cached_input_per_million::text as "cachedInputPerMillion",
                p.per_request::text as "perRequest", p.per_image::text as "perImage", p.per_video_second::text as "perVideoSecond",
                l.request_count::text as "requestCount", l.input_tokens::text as "inputTokens", l.output_tokens::text as "outputTokens",
                l.cached_input_tokens::text as "cachedInputTokens", l.image_count::text as "imageCount", l.video_seconds::text as "videoSeconds",
                l.exact_amount::text as "exactAmount", l.amount::text as amount, l.net::text as net, l.tax::text as tax, l.gross::text as gross
           from bill_line l left join department d on d.id = l.department_id left join model_price p on p.id = l.price_id
          where l.bill_id = any($1) order by l.bill_id, l.line_number`,
        [billIds],
      ),
    ),
  };
}

interface PaymentRow {
  billId: string;
  id: string;
  method: string;
  amount: string;
  currency: string;
  reference: string | null;
  receivedAt: string;
  updatedAt: string;
}

const PAYMENT_COLUMNS: Column<PaymentRow & { bill: BillRow }>[] = [
  { name: 'id', value: (payment) => payment.id },
  { name: 'bill.id', value: ({ bill }) => bill.id },
  { name: 'bill.number', value: ({ bill }) => bill.number },
  { name: 'bill.period', value: ({ bill }) => bill.period },
  ...tenantColumns(),
  { name: 'method', value: (payment) => payment.method },
  { name: 'amount.amount', kind: 'money', value: (payment) => payment.amount },
  { name: 'amount.currency', value: (payment) => payment.currency },
  { name: 'reference', value: (payment) => payment.reference },
  { name: 'receivedAt', value: (payment) => payment.receivedAt },
  { name: 'updatedAt', value: (payment) => payment.updatedAt },
];

export function paymentsTable(context: RequestContext, scope: BillScope): Table<PaymentRow & { bill: BillRow }> {
  return {
    sheet: 'payments',
    columns: PAYMENT_COLUMNS,
    rows: perBill(context, scope, (billIds) =>
      tableRows<PaymentRow>(
        context,
        `select bill_id as "billId", id, method, amount::text as amount, currency, reference,
                ${isoInstant('received_at')} as "receivedAt", ${isoInstant('updated_at')} as "updatedAt"
           from payment where bill_id = any($1) order by bill_id, received_at, id`,
        [billIds],
      ),
    ),
  };
}
