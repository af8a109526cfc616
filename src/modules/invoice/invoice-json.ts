import { moneyWriters } from '../../platform/money.js';
import { periodOfDate } from '../../platform/period.js';
import { amountInChineseCapitals } from '../../platform/tax/chinese-amount.js';
import type { Bill } from '../bill/bill.entity.js';
import type { Tenant } from '../tenant/tenant.entity.js';
import type { VatInvoice, VatInvoiceLine } from './invoice.entity.js';

/** An invoice with what its exports and webhooks print. */
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
