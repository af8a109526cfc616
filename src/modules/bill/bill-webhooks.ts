import { WebhookEventType } from '../../platform/events/webhook-event-types.js';
import type { WebhookEventDraft } from '../../platform/events/webhook-outbox.js';
import { moneyWriters } from '../../platform/money.js';
import { periodOfDate } from '../../platform/period.js';
import { amountDue, billSubtotal } from './bill-amounts.js';
import { BillingEventType } from './bill-events.js';
import { BillStatus, type Bill, type Payment } from './bill.entity.js';

/** What a bill's summary reads: an entity, or the row settlement just inserted. */
export type BillSummarySource = Pick<
  Bill,
  | 'id'
  | 'number'
  | 'tenantId'
  | 'periodStart'
  | 'status'
  | 'currency'
  | 'billingMode'
  | 'taxMode'
  | 'taxRate'
  | 'netTotal'
  | 'taxTotal'
  | 'grossTotal'
  | 'amountPaid'
  | 'amountInvoiced'
  | 'dueOn'
  | 'finalizedAt'
  | 'voidReason'
  | 'updatedAt'
>;

/** A bill without its lines, as GraphQL names its fields: the JSON export's head and every bill webhook's `bill`. */
export function billSummaryJson(bill: BillSummarySource): Record<string, unknown> {
  const { money, taxed } = moneyWriters(bill.currency);
  return {
    id: bill.id,
    number: bill.number,
    period: periodOfDate(bill.periodStart),
    status: bill.status,
    billingMode: bill.billingMode,
    taxMode: bill.taxMode,
    taxRate: bill.taxRate,
    subtotal: money(billSubtotal(bill)),
    total: taxed(bill.netTotal, bill.taxTotal, bill.grossTotal),
    amountPaid: money(bill.amountPaid),
    amountDue: money(amountDue(bill)),
    amountInvoiced: money(bill.amountInvoiced),
    dueOn: bill.dueOn ?? null,
    finalizedAt: bill.finalizedAt?.toISOString() ?? null,
    voidReason: bill.voidReason ?? null,
    updatedAt: bill.updatedAt.toISOString(),
  };
}

export function paymentJson(payment: Pick<Payment, 'id' | 'method' | 'amount' | 'currency' | 'reference' | 'receivedAt'>): Record<string, unknown> {
  return {
    id: payment.id,
    method: payment.method,
    amount: moneyWriters(payment.currency).money(payment.amount),
    reference: payment.reference ?? null,
    receivedAt: payment.receivedAt.toISOString(),
  };
}

const WEBHOOK_TYPE: Record<BillingEventType, WebhookEventType> = {
  [BillingEventType.BILL_FINALIZED]: WebhookEventType.BILL_FINALIZED,
  [BillingEventType.PAYMENT_RECORDED]: WebhookEventType.PAYMENT_RECORDED,
  [BillingEventType.BILL_OVERDUE]: WebhookEventType.BILL_OVERDUE,
  [BillingEventType.BILL_VOIDED]: WebhookEventType.BILL_VOIDED,
  [BillingEventType.INVOICE_ISSUED]: WebhookEventType.INVOICE_ISSUED,
  [BillingEventType.INVOICE_REVERSED]: WebhookEventType.INVOICE_REVERSED,
};

/**
 * The webhooks a billing event sends: the event itself with the bill as it now stands (and the
 * payment, or what the caller adds, such as the invoice), then `bill.paid` when a payment settled
 * the bill. One bill's events share an order key, so an endpoint receives them as they happened.
 */
export function billWebhookEvents(
  bill: BillSummarySource,
  type: BillingEventType,
  extra: { payment?: Parameters<typeof paymentJson>[0]; data?: Record<string, unknown> } = {},
): WebhookEventDraft[] {
  const summary = billSummaryJson(bill);
  const event = (webhookType: WebhookEventType, data: Record<string, unknown>): WebhookEventDraft => ({
    type: webhookType,
    tenantId: bill.tenantId,
    orderKey: bill.id,
    data,
  });
  const events = [event(WEBHOOK_TYPE[type], { bill: summary, ...(extra.payment ? { payment: paymentJson(extra.payment) } : {}), ...extra.data })];
  if (type === BillingEventType.PAYMENT_RECORDED && bill.status === BillStatus.PAID) events.push(event(WebhookEventType.BILL_PAID, { bill: summary }));
  return events;
}
