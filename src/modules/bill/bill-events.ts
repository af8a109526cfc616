/** Topic of the tenant-scoped `billingEvent` subscription. */
export const BILLING_EVENT = 'BILLING_EVENT';

export enum BillingEventType {
  BILL_FINALIZED = 'BILL_FINALIZED',
  PAYMENT_RECORDED = 'PAYMENT_RECORDED',
  BILL_OVERDUE = 'BILL_OVERDUE',
  BILL_VOIDED = 'BILL_VOIDED',
}

/** What travels between processes; subscribers read the bill itself through the API. */
export interface BillingEventMessage {
  type: BillingEventType;
  billId: string;
  tenantId: string;
  paymentId?: string;
  occurredAt: string;
}
