import { XMLBuilder } from 'fast-xml-parser';
import type { RequestContext } from '../../context.js';
import { decimal, moneyWriters } from '../../platform/money.js';
import { periodOfDate } from '../../platform/period.js';
import { amountInChineseCapitals } from '../../platform/tax/chinese-amount.js';
import type { TaxParty } from '../../platform/tax/tax-party.js';
import { Bill } from '../bill/bill.entity.js';
import type { Tenant } from '../tenant/tenant.entity.js';
import type { VatInvoice, VatInvoiceLine } from './invoice.entity.js';
import { renderVatInvoicePdf, type VatInvoicePartyPrint } from './invoice-pdf.js';
import { findInvoice } from './invoice.service.js';

export interface VatInvoiceExport {
  invoice: VatInvoice;
  lines: VatInvoiceLine[];
  bill: Bill;
  tenant: Tenant;
  /** The number of the invoice a red-letter one reverses. */
  reversedNumber: string | null;
  /** The number of the red-letter invoice that reversed this one. */
  reversedByNumber: string | null;
}

/** An invoice with everything an export prints, or null when the caller cannot see it. */
export async function loadInvoiceExport(context: RequestContext, invoiceId: string): Promise<VatInvoiceExport | null> {
  const invoice = await findInvoice(context, invoiceId);
  if (!invoice) return null;
  const [lines, bill, tenant, reversed, reversedBy] = await Promise.all([
    context.loaders.vatInvoiceLines.load(invoice.id),
    context.em.findOneOrFail(Bill, { id: invoice.billId }),
    context.loaders.tenantById.load(invoice.tenantId),
    invoice.reversalOfId ? context.loaders.vatInvoiceById.load(invoice.reversalOfId) : null,
    invoice.reversedById ? context.loaders.vatInvoiceById.load(invoice.reversedById) : null,
  ]);
  return { invoice, lines, bill, tenant: tenant!, reversedNumber: reversed?.number ?? null, reversedByNumber: reversedBy?.number ?? null };
}

/** The JSON export (and the XML's content): the VatInvoice as GraphQL has it, amounts as Money with exact decimal strings. */
export function invoiceJson({ invoice, lines, bill, tenant, reversedNumber, reversedByNumber }: VatInvoiceExport): Record<string, unknown> {
  const { money, taxed } = moneyWriters(invoice.currency);
  return {
    id: invoice.id,
    number: invoice.number,
    type: invoice.type,
    status: invoice.status,
    isRedLetter: invoice.isRedLetter,
    reversalOf: invoice.reversalOfId ? { id: invoice.reversalOfId, number: reversedNumber } : null,
    reversedBy: invoice.reversedById ? { id: invoice.reversedById, number: reversedByNumber } : null,
    reversalReason: invoice.reversalReason ?? null,
    issuedAt: invoice.issuedAt.toISOString(),
    issuedOn: invoice.issuedOn,
    bill: { id: bill.id, number: bill.number, period: periodOfDate(bill.periodStart) },
    tenant: { id: tenant.id, externalId: tenant.externalId ?? null, name: tenant.name },
    taxMode: invoice.taxMode,
    taxRate: invoice.taxRate,
    seller: invoice.seller,
    buyer: invoice.buyer,
    amount: money(invoice.amount),
    total: taxed(invoice.netTotal, invoice.taxTotal, invoice.grossTotal),
    totalInWords: amountInChineseCapitals(invoice.grossTotal),
    lines: lines.map((line) => ({
      lineNumber: line.lineNumber,
      item: line.item,
      itemName: line.itemName,
      taxRate: line.taxRate,
      amount: money(line.amount),
      total: taxed(line.net, line.tax, line.gross),
    })),
    updatedAt: invoice.updatedAt.toISOString(),
  };
}

const xmlBuilder = new XMLBuilder({ format: true, ignoreAttributes: false, suppressEmptyNode: true });

/** The XML export: the JSON's content under <vatInvoice>, lines as repeated <line> elements. */
export function invoiceXml(data: VatInvoiceExport): string {
  const { lines, ...content } = invoiceJson(data);
  const document = { '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' }, vatInvoice: { ...content, lines: { line: lines } } };
  return xmlBuilder.build(document);
}

function partyPrint(party: TaxParty): VatInvoicePartyPrint {
  const { legalName, ...rest } = party;
  return { name: legalName, ...rest };
}

/** Rates print as percentages: "0.0600" -> "6%". */
function ratePrint(rate: string): string {
  return `${decimal(rate).times(100).toFixed()}%`;
}

export function invoicePdf({ invoice, lines, bill, reversedNumber }: VatInvoiceExport): Promise<Buffer> {
  const remarks = [`账单 Bill ${bill.number} (${periodOfDate(bill.periodStart)})`];
  if (invoice.isRedLetter) remarks.push(`对应蓝字发票 ${reversedNumber}`, `红冲原因 ${invoice.reversalReason}`);
  return renderVatInvoicePdf({
    number: invoice.number,
    type: invoice.type,
    isRedLetter: invoice.isRedLetter,
    issuedOn: invoice.issuedOn,
    issuedAt: invoice.issuedAt,
    seller: partyPrint(invoice.seller),
    buyer: partyPrint(invoice.buyer),
    lines: lines.map((line) => ({ itemName: line.itemName, net: line.net, taxRate: ratePrint(line.taxRate), tax: line.tax, gross: line.gross })),
    totals: { net: invoice.netTotal, tax: invoice.taxTotal, gross: invoice.grossTotal, grossInWords: amountInChineseCapitals(invoice.grossTotal) },
    remarks,
  });
}
