import type { RequestContext } from '../../context.js';
import { decimal } from '../../platform/money.js';
import { amountInChineseCapitals } from '../../platform/tax/chinese-amount.js';
import type { Column, Table } from '../../platform/tables.js';
import { isoInstant, perBill, tableRows, type BillRow, type BillScope } from '../bill/bill-tables.js';

/**
 * VAT invoices and their lines as tables (platform/tables.ts), for the same scope as the bill
 * tables: one bill's invoices, or those of every bill of a period. Red-letter invoices are rows of
 * their own, with negative amounts. Plain rows from SQL, a page of bills at a time.
 */
interface InvoiceRow {
  billId: string;
  id: string;
  number: string;
  type: string;
  status: string;
  isRedLetter: boolean;
  reversalOfId: string | null;
  reversedById: string | null;
  reversalReason: string | null;
  buyerLegalName: string | null;
  buyerTaxpayerId: string | null;
  sellerLegalName: string | null;
  sellerTaxpayerId: string | null;
  issuedOn: string;
  issuedAt: string;
  taxMode: string;
  taxRate: string;
  currency: string;
  amount: string;
  netTotal: string;
  taxTotal: string;
  grossTotal: string;
  updatedAt: string;
}

type InvoiceOfBill = InvoiceRow & { bill: BillRow };

const INVOICE_COLUMNS: Column<InvoiceOfBill>[] = [
  { name: 'id', value: (invoice) => invoice.id },
  { name: 'number', value: (invoice) => invoice.number },
  { name: 'type', value: (invoice) => invoice.type },
  { name: 'status', value: (invoice) => invoice.status },
  { name: 'isRedLetter', value: (invoice) => String(invoice.isRedLetter) },
  { name: 'reversalOf.id', value: (invoice) => invoice.reversalOfId },
  { name: 'reversedBy.id', value: (invoice) => invoice.reversedById },
  { name: 'reversalReason', value: (invoice) => invoice.reversalReason },
  { name: 'bill.id', value: ({ bill }) => bill.id },
  { name: 'bill.number', value: ({ bill }) => bill.number },
  { name: 'bill.period', value: ({ bill }) => bill.period },
  { name: 'tenant.id', value: ({ bill }) => bill.tenantId },
  { name: 'tenant.externalId', value: ({ bill }) => bill.tenantExternalId },
  { name: 'buyer.legalName', value: (invoice) => invoice.buyerLegalName },
  { name: 'buyer.taxpayerId', value: (invoice) => invoice.buyerTaxpayerId },
  { name: 'seller.legalName', value: (invoice) => invoice.sellerLegalName },
  { name: 'seller.taxpayerId', value: (invoice) => invoice.sellerTaxpayerId },
  { name: 'issuedOn', value: (invoice) => invoice.issuedOn },
  { name: 'issuedAt', value: (invoice) => invoice.issuedAt },
  { name: 'taxMode', value: (invoice) => invoice.taxMode },
  { name: 'taxRate', kind: 'exact', value: (invoice) => decimal(invoice.taxRate).toFixed() },
  { name: 'currency', value: (invoice) => invoice.currency },
  { name: 'amount.amount', kind: 'money', value: (invoice) => invoice.amount },
  { name: 'total.net.amount', kind: 'money', value: (invoice) => invoice.netTotal },
  { name: 'total.tax.amount', kind: 'money', value: (invoice) => invoice.taxTotal },
  { name: 'total.gross.amount', kind: 'money', value: (invoice) => invoice.grossTotal },
  { name: 'totalInWords', value: (invoice) => amountInChineseCapitals(invoice.grossTotal) },
  { name: 'updatedAt', value: (invoice) => invoice.updatedAt },
];

/** The invoices of each page of bills, by bill and number. */
function invoicePages(context: RequestContext, scope: BillScope): AsyncIterable<InvoiceOfBill[]> {
  return perBill(context, scope, (billIds) =>
    tableRows<InvoiceRow>(
      context,
      `select bill_id as "billId", id, number, type, status, is_red_letter as "isRedLetter", reversal_of_id as "reversalOfId",
              reversed_by_id as "reversedById", reversal_reason as "reversalReason",
              buyer->>'legalName' as "buyerLegalName", buyer->>'taxpayerId' as "buyerTaxpayerId",
              seller->>'legalName' as "sellerLegalName", seller->>'taxpayerId' as "sellerTaxpayerId",
              issued_on::text as "issuedOn", ${isoInstant('issued_at')} as "issuedAt", tax_mode as "taxMode", tax_rate::text as "taxRate", currency,
              amount::text as amount, net_total::text as "netTotal", tax_total::text as "taxTotal", gross_total::text as "grossTotal",
              ${isoInstant('updated_at')} as "updatedAt"
         from vat_invoice where bill_id = any($1) order by bill_id, number`,
      [billIds],
    ),
  );
}

export function invoicesTable(context: RequestContext, scope: BillScope): Table<InvoiceOfBill> {
  return { sheet: 'invoices', columns: INVOICE_COLUMNS, rows: invoicePages(context, scope) };
}

interface InvoiceLineRow {
  invoiceId: string;
  lineNumber: number;
  item: string;
  itemName: string;
  taxRate: string;
  amount: string;
  net: string;
  tax: string;
  gross: string;
}

type InvoiceLineOfBill = InvoiceLineRow & { invoice: InvoiceOfBill };

const INVOICE_LINE_COLUMNS: Column<InvoiceLineOfBill>[] = [
  { name: 'invoice.id', value: ({ invoice }) => invoice.id },
  { name: 'invoice.number', value: ({ invoice }) => invoice.number },
  { name: 'invoice.isRedLetter', value: ({ invoice }) => String(invoice.isRedLetter) },
  { name: 'bill.number', value: ({ invoice }) => invoice.bill.number },
  { name: 'tenant.externalId', value: ({ invoice }) => invoice.bill.tenantExternalId },
  { name: 'lineNumber', kind: 'integer', value: (line) => line.lineNumber },
  { name: 'item', value: (line) => line.item },
  { name: 'itemName', value: (line) => line.itemName },
  { name: 'taxRate', kind: 'exact', value: (line) => decimal(line.taxRate).toFixed() },
  { name: 'amount.amount', kind: 'money', value: (line) => line.amount },
  { name: 'total.net.amount', kind: 'money', value: (line) => line.net },
  { name: 'total.tax.amount', kind: 'money', value: (line) => line.tax },
  { name: 'total.gross.amount', kind: 'money', value: (line) => line.gross },
];

export function invoiceLinesTable(context: RequestContext, scope: BillScope): Table<InvoiceLineOfBill> {
  return {
    sheet: 'invoiceLines',
    columns: INVOICE_LINE_COLUMNS,
    rows: (async function* () {
      for await (const invoices of invoicePages(context, scope)) {
        const lines = await tableRows<InvoiceLineRow>(
          context,
          `select invoice_id as "invoiceId", line_number as "lineNumber", item, item_name as "itemName", tax_rate::text as "taxRate",
                  amount::text as amount, net::text as net, tax::text as tax, gross::text as gross
             from vat_invoice_line where invoice_id = any($1)`,
          [invoices.map((invoice) => invoice.id)],
        );
        const position = new Map(invoices.map((invoice, index) => [invoice.id, index]));
        lines.sort((left, right) => position.get(left.invoiceId)! - position.get(right.invoiceId)! || left.lineNumber - right.lineNumber);
        yield lines.map((line) => ({ ...line, invoice: invoices[position.get(line.invoiceId)!] }));
      }
    })(),
  };
}
