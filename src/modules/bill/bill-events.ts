/** Topic of the tenant-scoped `billingEvent` subscription. */
export const BILLING_EVENT = 'BILLING_EVENT';

export enum BillingEventType {
  BILL_FINALIZED = 'BILL_FINALIZED',
  PAYMENT_RECORDED = 'PAYMENT_RECORDED',
  BILL_OVERDUE = 'BILL_OVERDUE',
  BILL_VOIDED = 'BILL_VOIDED',
  INVOICE_ISSUED = 'INVOICE_ISSUED',
  INVOICE_REVERSED = 'INVOICE_REVERSED',
}

/** What travels between processes; subscribers read the bill itself through the API. */
export interface BillingEventMessage {
  type: BillingEventType;
  billId: string;
  tenantId: string;
  paymentId?: string;
  /** For INVOICE_ISSUED the invoice, for INVOICE_REVERSED the red-letter invoice. */
  invoiceId?: string;
  occurredAt: string;
}
