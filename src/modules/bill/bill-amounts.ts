import { CurrencyCode, decimal, Decimal, TaxMode } from '../../platform/money.js';
import { BillStatus, type Bill } from './bill.entity.js';

/** What is still owed on a bill. */
export function amountDue(bill: Pick<Bill, 'grossTotal' | 'amountPaid'>): string {
  return decimal(bill.grossTotal).minus(bill.amountPaid).toFixed(2);
}

/** What a bill is priced at: net under tax-exclusive terms, gross under tax-inclusive ones. */
export function billSubtotal(bill: Pick<Bill, 'taxMode' | 'netTotal' | 'grossTotal'>): string {
  return bill.taxMode === TaxMode.TAX_EXCLUSIVE ? bill.netTotal : bill.grossTotal;
}

/** Bills that can be invoiced: finalized ones, paid or not. */
export const INVOICEABLE_BILL_STATUSES = [BillStatus.FINALIZED, BillStatus.PARTIALLY_PAID, BillStatus.PAID, BillStatus.OVERDUE];

/** What is left to invoice of a bill, in its priced terms; 0 for bills that cannot be invoiced (VAT invoices are for CNY bills). */
export function amountInvoiceable(bill: Pick<Bill, 'status' | 'currency' | 'taxMode' | 'netTotal' | 'grossTotal' | 'amountInvoiced'>): string {
  if (!INVOICEABLE_BILL_STATUSES.includes(bill.status) || bill.currency !== CurrencyCode.CNY) return '0.00';
  return Decimal.max(decimal(billSubtotal(bill)).minus(bill.amountInvoiced), 0).toFixed(2);
}
