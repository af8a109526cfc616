/**
 * The events webhook endpoints subscribe to, as Standard Webhooks names them (`type` in the body).
 * GraphQL shows the keys (BILL_FINALIZED); the wire and the database carry the values.
 */
export enum WebhookEventType {
  BILL_FINALIZED = 'bill.finalized',
  BILL_PAID = 'bill.paid',
  BILL_OVERDUE = 'bill.overdue',
  BILL_VOIDED = 'bill.voided',
  PAYMENT_RECORDED = 'payment.recorded',
  INVOICE_ISSUED = 'invoice.issued',
  INVOICE_REVERSED = 'invoice.reversed',
  ALERT_RAISED = 'alert.raised',
  BALANCE_LOW = 'balance.low',
  SETTLEMENT_COMPLETED = 'settlement.completed',
}

/** Events about the operator's own work, across tenants: only operator endpoints receive them. */
export const OPERATOR_ONLY_EVENT_TYPES: readonly WebhookEventType[] = [WebhookEventType.SETTLEMENT_COMPLETED];
