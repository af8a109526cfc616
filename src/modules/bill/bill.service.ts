import { LockMode, type FilterQuery } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { inTransaction, type RequestContext } from '../../context.js';
import { requireRole, tenantScope } from '../../platform/auth/actor.js';
import { MONEY_DOCUMENT_READERS, Role } from '../../platform/auth/roles.js';
import { sqlTransaction } from '../../platform/database/sql.js';
import { publishOnCommit } from '../../platform/events/pubsub.js';
import { recordWebhookEvents } from '../../platform/events/webhook-outbox.js';
import { OrderDirection, paginate, type PageArgs } from '../../platform/graphql/relay.js';
import { once } from '../../platform/idempotency.js';
import { decimal, isDecimalString } from '../../platform/money.js';
import { periodFirstDay, periodInput, periodOfDate } from '../../platform/period.js';
import { UserErrorCode, UserInputErrors } from '../../platform/user-errors.js';
import { argumentId, inputId, requiredText, validateInput } from '../../platform/validation.js';
import { recordAudit } from '../audit/audit.service.js';
import { postLedgerEntry } from '../balance/balance-ledger.js';
import { BalanceEntryType } from '../balance/balance.entity.js';
import { amountDue } from './bill-amounts.js';
import { BILLING_EVENT, BillingEventType, type BillingEventMessage } from './bill-events.js';
import { billWebhookEvents } from './bill-webhooks.js';
import { Bill, BillPaymentMethod, BillStatus, OPEN_BILL_STATUSES, Payment, SettlementRun } from './bill.entity.js';
import { markBillOverdue, nextBillSync } from './settlement.repository.js';
import type { SettlementDependencies } from './settlement.service.js';

export enum BillOrderField {
  /** Change order (ascending = oldest change first): what ERP pulls page by. */
  UPDATED_AT = 'UPDATED_AT',
  PERIOD = 'PERIOD',
}

export interface BillFilter {
  tenantId?: string | null;
  period?: string | null;
  status?: BillStatus | null;
  updatedSince?: Date | null;
}

export async function listBills(
  context: RequestContext,
  filter: BillFilter | null,
  order: { field: BillOrderField; direction: OrderDirection },
  page: PageArgs,
) {
  requireRole(context.actor, MONEY_DOCUMENT_READERS);
  const where: FilterQuery<Bill> = {};
  const tenantId = tenantScope(context.actor, filter?.tenantId);
  if (tenantId) where.tenantId = tenantId;
  if (filter?.period) where.periodStart = periodFirstDay(validateInput(periodInput, filter.period, ['filter', 'period']));
  if (filter?.status) where.status = filter.status;
  if (filter?.updatedSince) where.updatedAt = { $gte: filter.updatedSince };
  const sortField = order.field === BillOrderField.UPDATED_AT ? 'syncVersion' : 'periodStart';
  return paginate({ em: context.em, entity: Bill, where, sortField, direction: order.direction, page });
}

export enum PaymentOrderField {
  /** Change order (ascending = oldest first): what ERP pulls page by. */
  UPDATED_AT = 'UPDATED_AT',
  RECEIVED_AT = 'RECEIVED_AT',
}

export interface PaymentFilter {
  tenantId?: string | null;
  billId?: string | null;
  method?: BillPaymentMethod | null;
  receivedFrom?: Date | null;
  receivedTo?: Date | null;
  updatedSince?: Date | null;
}

/** Payments, for ERP pulls by change and for reconciling receipts by date. */
export async function listPayments(
  context: RequestContext,
  filter: PaymentFilter | null,
  order: { field: PaymentOrderField; direction: OrderDirection },
  page: PageArgs,
) {
  requireRole(context.actor, MONEY_DOCUMENT_READERS);
  const where: FilterQuery<Payment>[] = [];
  const tenantId = tenantScope(context.actor, filter?.tenantId);
  if (tenantId) where.push({ tenantId });
  if (filter?.billId) where.push({ billId: argumentId('Bill', filter.billId, 'filter.billId') });
  if (filter?.method) where.push({ method: filter.method });
  if (filter?.receivedFrom) where.push({ receivedAt: { $gte: filter.receivedFrom } });
  if (filter?.receivedTo) where.push({ receivedAt: { $lt: filter.receivedTo } });
  if (filter?.updatedSince) where.push({ updatedAt: { $gte: filter.updatedSince } });
  const sortField = order.field === PaymentOrderField.UPDATED_AT ? 'syncVersion' : 'receivedAt';
  return paginate({ em: context.em, entity: Payment, where: { $and: where }, sortField, direction: order.direction, page });
}

/** What a period export covers: a valid period, and the tenant the caller may name (its own, for a tenant's users). */
export function periodExportScope(context: RequestContext, period: string, tenantId?: string | null): { period: string; tenantId?: string } {
  requireRole(context.actor, MONEY_DOCUMENT_READERS);
  const valid = validateInput(periodInput, period, ['period']);
  const tenant = tenantScope(context.actor, tenantId == null ? undefined : argumentId('Tenant', tenantId, 'tenantId'));
  return tenant ? { period: valid, tenantId: tenant } : { period: valid };
}

export async function findBill(context: RequestContext, id: string): Promise<Bill | null> {
  requireRole(context.actor, MONEY_DOCUMENT_READERS);
  return context.loaders.billById.load(id);
}

export async function findPayment(context: RequestContext, id: string): Promise<Payment | null> {
  requireRole(context.actor, MONEY_DOCUMENT_READERS);
  return context.em.findOne(Payment, { id });
}

/** Settlement runs, newest first (operator only). */
export async function listSettlementRuns(context: RequestContext, page: PageArgs) {
  requireRole(context.actor, [Role.PLATFORM_ADMIN]);
  return paginate({ em: context.em, entity: SettlementRun, where: {}, sortField: 'startedAt', direction: OrderDirection.DESC, page });
}

export async function findSettlementRun(context: RequestContext, id: string): Promise<SettlementRun | null> {
  requireRole(context.actor, [Role.PLATFORM_ADMIN]);
  return context.em.findOne(SettlementRun, { id });
}

/**
 * Bumps a bill's change version and time: every change to a bill goes through here. Returns the
 * version, for other rows the same transaction changes. The counter row stays locked until commit:
 * call it as late as possible.
 */
export async function touchBill(transaction: RequestContext, bill: Bill): Promise<{ version: number; updatedAt: Date }> {
  const sync = await nextBillSync(transaction.em, transaction.clock.now());
  bill.syncVersion = sync.version;
  bill.updatedAt = sync.updatedAt;
  return sync;
}

/**
 * Announces a billing event when the transaction commits: to subscriptions, and to webhook
 * endpoints through the outbox, with the bill as it now stands (and the payment, or what the
 * caller adds under `data`, such as the invoice).
 */
export async function announce(
  transaction: RequestContext,
  bill: Bill,
  type: BillingEventType,
  extra: { payment?: Payment; invoiceId?: string; data?: Record<string, unknown> } = {},
): Promise<void> {
  const now = transaction.clock.now();
  const event: BillingEventMessage = {
    type,
    billId: bill.id,
    tenantId: bill.tenantId,
    paymentId: extra.payment?.id,
    invoiceId: extra.invoiceId,
    occurredAt: now.toISOString(),
  };
  await publishOnCommit(transaction.em, BILLING_EVENT, event);
  await recordWebhookEvents(transaction.em, billWebhookEvents(bill, type, extra), now);
}

/** The bill a mutation changes, locked until commit; NOT_FOUND on `field` when the caller cannot see it. */
export async function lockBill(transaction: RequestContext, billId: string, field = ['input', 'billId']): Promise<Bill> {
  const bill = await transaction.em.findOne(Bill, { id: inputId('Bill', billId, field) }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  if (!bill) throw UserInputErrors.single(UserErrorCode.NOT_FOUND, field, `${field.at(-1)} names no bill you can see`);
  return bill;
}

export interface PaymentRecordInput {
  billId: string;
  method: BillPaymentMethod;
  amount: string;
  reference?: string | null;
  receivedAt: Date;
  idempotencyKey: string;
}

/**
 * Books money received against a bill: never more than is due, idempotent on its key. A BALANCE
 * payment also debits the tenant's balance, which must cover it.
 */
export async function recordPayment(context: RequestContext, input: PaymentRecordInput): Promise<Payment> {
  requireRole(context.actor, [Role.PLATFORM_ADMIN]);
  const now = context.clock.now();
  const values = validateInput(
    z.object({
      method: z.enum(BillPaymentMethod),
      amount: z
        .string()
        .refine(
          (value) => isDecimalString(value) && decimal(value).gt(0) && decimal(value).decimalPlaces() <= 2,
          'must be greater than 0 with at most 2 decimal places',
        ),
      reference: requiredText(200).nullish(),
      receivedAt: z.date().refine((value) => value.getTime() <= now.getTime() + 5 * 60_000, 'must not be in the future'),
      idempotencyKey: requiredText(100),
    }),
    input,
  );
  const amount = decimal(values.amount).toFixed(2);
  const fingerprint = JSON.stringify([input.billId, values.method, amount, values.reference ?? null, values.receivedAt.toISOString()]);
  return inTransaction(context, async (transaction) => {
    const { em } = transaction;
    const bill = await lockBill(transaction, input.billId);
    const findEarlier = async () => {
      const earlier = await em.findOne(Payment, { tenantId: bill.tenantId, idempotencyKey: values.idempotencyKey });
      return earlier && { result: earlier, fingerprint: earlier.inputFingerprint };
    };
    return once(em, { scope: `paymentRecord:${bill.tenantId}`, key: values.idempotencyKey, fingerprint, findEarlier }, async () => {
      if (!OPEN_BILL_STATUSES.includes(bill.status)) {
        throw UserInputErrors.single(UserErrorCode.INVALID_STATE, ['input', 'billId'], `bill ${bill.number} is ${bill.status}: it takes no payments`);
      }
      const due = amountDue(bill);
      if (decimal(amount).gt(due)) {
        throw UserInputErrors.single(UserErrorCode.OVERPAYMENT, ['input', 'amount'], `amount ${amount} is more than the ${due} due on bill ${bill.number}`);
      }
      const payment = em.create(Payment, {
        billId: bill.id,
        tenantId: bill.tenantId,
        method: values.method,
        amount,
        currency: bill.currency,
        reference: values.reference ?? null,
        receivedAt: values.receivedAt,
        idempotencyKey: values.idempotencyKey,
        inputFingerprint: fingerprint,
        createdByTokenId: transaction.actor.tokenId,
        createdAt: now,
      });
      if (values.method === BillPaymentMethod.BALANCE) await payFromBalance(transaction, bill, amount);
      const before = { status: bill.status, amountPaid: bill.amountPaid };
      bill.amountPaid = decimal(bill.amountPaid).plus(amount).toFixed(2);
      if (decimal(bill.amountPaid).eq(bill.grossTotal)) bill.status = BillStatus.PAID;
      else if (bill.status !== BillStatus.OVERDUE) bill.status = BillStatus.PARTIALLY_PAID;
      const sync = await touchBill(transaction, bill);
      Object.assign(payment, { syncVersion: sync.version, updatedAt: sync.updatedAt });
      await recordAudit(transaction, {
        tenantId: bill.tenantId,
        action: 'payment.record',
        targetId: payment.id,
        before,
        after: { billId: bill.id, method: values.method, amount, reference: values.reference ?? null, status: bill.status, amountPaid: bill.amountPaid },
      });
      await announce(transaction, bill, BillingEventType.PAYMENT_RECORDED, { payment });
      return payment;
    });
  });
}

async function payFromBalance(transaction: RequestContext, bill: Bill, amount: string): Promise<void> {
  const posted = await postLedgerEntry(transaction.em, {
    tenantId: bill.tenantId,
    type: BalanceEntryType.ADJUSTMENT,
    amount: `-${amount}`,
    currency: bill.currency,
    reason: `Payment of bill ${bill.number}`,
    reference: bill.id,
    createdByTokenId: transaction.actor.tokenId,
    createdAt: transaction.clock.now(),
    isCoverRequired: true,
  });
  if (!posted)
    throw UserInputErrors.single(UserErrorCode.INSUFFICIENT_BALANCE, ['input', 'amount'], `amount ${amount} is more than the tenant's prepaid balance`);
}

/**
 * Voids a finalized bill with no payments and no live invoices, so the period can be settled
 * again. Only the tenant's latest bill: a later one built its late-usage lines on it.
 */
export async function voidBill(context: RequestContext, input: { billId: string; reason: string }): Promise<Bill> {
  requireRole(context.actor, [Role.PLATFORM_ADMIN]);
  const { reason } = validateInput(z.object({ reason: requiredText(500) }), input);
  return inTransaction(context, async (transaction) => {
    const { em } = transaction;
    const bill = await lockBill(transaction, input.billId);
    const field = ['input', 'billId'];
    if (!OPEN_BILL_STATUSES.includes(bill.status) || decimal(bill.amountPaid).gt(0) || (await em.count(Payment, { billId: bill.id })) > 0) {
      throw UserInputErrors.single(
        UserErrorCode.INVALID_STATE,
        field,
        `bill ${bill.number} is ${bill.status}${decimal(bill.amountPaid).gt(0) ? ' with payments' : ''}: only an unpaid finalized bill can be voided`,
      );
    }
    if (decimal(bill.amountInvoiced).gt(0)) {
      throw UserInputErrors.single(
        UserErrorCode.INVALID_STATE,
        field,
        `bill ${bill.number} has VAT invoices for ${bill.amountInvoiced}: reverse them (vatInvoiceReverse) before voiding it`,
      );
    }
    const later = await em.findOne(Bill, { tenantId: bill.tenantId, periodStart: { $gt: bill.periodStart }, status: { $ne: BillStatus.VOID } });
    if (later) {
      throw UserInputErrors.single(
        UserErrorCode.INVALID_STATE,
        field,
        `bill ${bill.number} is followed by bill ${later.number} for ${periodOfDate(later.periodStart)}: void that one first`,
      );
    }
    const before = { status: bill.status };
    bill.status = BillStatus.VOID;
    bill.voidedAt = transaction.clock.now();
    bill.voidReason = reason;
    await touchBill(transaction, bill);
    await recordAudit(transaction, { tenantId: bill.tenantId, action: 'bill.void', targetId: bill.id, before, after: { status: bill.status, reason } });
    await announce(transaction, bill, BillingEventType.BILL_VOIDED);
    return bill;
  });
}

/**
 * Marks unpaid bills whose due date has passed in their tenant's time zone as OVERDUE, each once
 * (concurrent sweeps skip the rows another holds), and announces each.
 */
export function markOverdueBills(dependencies: SettlementDependencies): Promise<number> {
  return sqlTransaction(dependencies.pool, async (client) => {
    const now = dependencies.clock.now();
    const { rows } = await client.query<{ id: string; tenantId: string }>(
      `select b.id, b.tenant_id as "tenantId" from bill b join tenant t on t.id = b.tenant_id
        where b.status in ('FINALIZED', 'PARTIALLY_PAID') and b.due_on < ($1::timestamptz at time zone t.timezone)::date
        order by b.id for update of b skip locked`,
      [now],
    );
    for (const row of rows) {
      const bill = await markBillOverdue(client, row.id, await nextBillSync(client, now));
      const event: BillingEventMessage = { type: BillingEventType.BILL_OVERDUE, billId: row.id, tenantId: row.tenantId, occurredAt: now.toISOString() };
      await publishOnCommit(client, BILLING_EVENT, event);
      await recordWebhookEvents(client, billWebhookEvents(bill, BillingEventType.BILL_OVERDUE), now);
    }
    return rows.length;
  });
}
