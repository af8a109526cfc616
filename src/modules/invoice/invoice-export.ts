import { XMLBuilder } from 'fast-xml-parser';
import type { RequestContext } from '../../context.js';
import { decimal } from '../../platform/money.js';
import { periodOfDate } from '../../platform/period.js';
import { amountInChineseCapitals } from '../../platform/tax/chinese-amount.js';
import type { TaxParty } from '../../platform/tax/tax-party.js';
import { Bill } from '../bill/bill.entity.js';
import { renderVatInvoicePdf, type VatInvoicePartyPrint } from './invoice-pdf.js';
import { findInvoice } from './invoice.service.js';
import { invoiceJson, type VatInvoiceExport } from './invoice-json.js';

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
