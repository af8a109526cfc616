import { LockMode, type EntityManager, type FilterQuery } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { inTransaction, type RequestContext } from '../../context.js';
import { requireRole, tenantScope } from '../../platform/auth/actor.js';
import { INVOICE_ISSUERS, MONEY_DOCUMENT_READERS } from '../../platform/auth/roles.js';
import { OrderDirection, paginate, type PageArgs } from '../../platform/graphql/relay.js';
import { once } from '../../platform/idempotency.js';
import { CurrencyCode, decimal, Decimal, isDecimalString } from '../../platform/money.js';
import { newId } from '../../platform/ids.js';
import { localDateOf } from '../../platform/period.js';
import { taxPartySchema, type TaxParty } from '../../platform/tax/tax-party.js';
import { UserErrorCode, UserInputErrors } from '../../platform/user-errors.js';
import { inputId, requiredText, validateInput, validateTogether } from '../../platform/validation.js';
import { recordAudit } from '../audit/audit.service.js';
import { BillingEventType } from '../bill/bill-events.js';
import { Bill, BillLine } from '../bill/bill.entity.js';
import { billSubtotal, INVOICEABLE_BILL_STATUSES } from '../bill/bill-amounts.js';
import { invoiceJson } from './invoice-json.js';
import { announce, lockBill, touchBill } from '../bill/bill.service.js';
import { InvoiceType } from '../contract/contract.entity.js';
import { loadOperatorProfile, sellerOf } from '../operator-profile/operator-profile.service.js';
import { Tenant } from '../tenant/tenant.entity.js';
import { allocateInvoiceAmount, invoiceableByItem, invoiceLines, invoiceTotals, type DraftInvoiceLine } from './invoice-lines.js';
import { VatInvoice, VatInvoiceLine, VatInvoiceStatus } from './invoice.entity.js';
import { invoicedLinesOfBill, nextInvoiceNumber } from './invoice.repository.js';

/** VAT invoices are Chinese tax documents: dated, and numbered by year, in China's time zone. */
export const FAPIAO_TIME_ZONE = 'Asia/Shanghai';

export async function findInvoice(context: RequestContext, id: string): Promise<VatInvoice | null> {
  requireRole(context.actor, MONEY_DOCUMENT_READERS);
  return context.loaders.vatInvoiceById.load(id);
}

export enum VatInvoiceOrderField {
  /** Change order (ascending = oldest change first): what ERP pulls page by. */
  UPDATED_AT = 'UPDATED_AT',
  ISSUED_AT = 'ISSUED_AT',
}

export interface VatInvoiceFilter {
  tenantId?: string | null;
  billId?: string | null;
  status?: VatInvoiceStatus | null;
  type?: InvoiceType | null;
  issuedFrom?: Date | null;
  issuedTo?: Date | null;
  updatedSince?: Date | null;
}

export function listInvoices(
  context: RequestContext,
  filter: VatInvoiceFilter | null,
  order: { field: VatInvoiceOrderField; direction: OrderDirection },
  page: PageArgs,
) {
  requireRole(context.actor, MONEY_DOCUMENT_READERS);
  const where: FilterQuery<VatInvoice> = {};
  const tenantId = tenantScope(context.actor, filter?.tenantId);
  if (tenantId) where.tenantId = tenantId;
  if (filter?.billId) where.billId = filter.billId;
  if (filter?.status) where.status = filter.status;
  if (filter?.type) where.type = filter.type;
  if (filter?.issuedFrom || filter?.issuedTo) {
    where.issuedAt = { ...(filter.issuedFrom ? { $gte: filter.issuedFrom } : {}), ...(filter.issuedTo ? { $lt: filter.issuedTo } : {}) };
  }
  if (filter?.updatedSince) where.updatedAt = { $gte: filter.updatedSince };
  const sortField = order.field === VatInvoiceOrderField.UPDATED_AT ? 'syncVersion' : 'issuedAt';
  return paginate({ em: context.em, entity: VatInvoice, where, sortField, direction: order.direction, page });
}

export interface VatInvoiceIssueInput {
  billId: string;
  type: InvoiceType;
  buyer?: Partial<Record<keyof TaxParty, string | null>> | null;
  amount?: string | null;
  idempotencyKey: string;
}

const issueSchema = z.object({
  type: z.enum(InvoiceType),
  amount: z
    .string()
    .refine(
      (value) => isDecimalString(value) && decimal(value).gt(0) && decimal(value).decimalPlaces() <= 2,
      'must be greater than 0 with at most 2 decimal places',
    )
    .nullish(),
  idempotencyKey: requiredText(100),
});

/** A SPECIAL invoice needs the buyer's taxpayer id; a NORMAL one checks it only when present. */
function buyerSchema(type: InvoiceType) {
  return taxPartySchema({ requireTaxpayerId: type === InvoiceType.SPECIAL, requireDetails: false });
}

/** Without a buyer in the input, the tenant's profile is the buyer; each failure names the field under input.buyer. */
function buyerFromProfile(type: InvoiceType, tenant: Tenant): TaxParty {
  try {
    return validateInput(buyerSchema(type), { ...tenant.buyerTaxProfile }, ['input', 'buyer']);
  } catch (error) {
    if (!(error instanceof UserInputErrors)) throw error;
    throw new UserInputErrors(
      error.errors.map((problem) => ({
        ...problem,
        message: `${problem.message}: no buyer was given and the tenant's buyer tax profile does not qualify (give input.buyer or update the profile)`,
      })),
    );
  }
}

/** The invoice a tenant's idempotency key first issued or reversed with, for `once`. */
function earlierInvoice(em: EntityManager, tenantId: string, idempotencyKey: string) {
  return async () => {
    const earlier = await em.findOne(VatInvoice, { tenantId, idempotencyKey });
    return earlier && { result: earlier, fingerprint: earlier.inputFingerprint };
  };
}

interface NewInvoice {
  id: string;
  bill: Bill;
  type: InvoiceType;
  seller: TaxParty;
  buyer: TaxParty;
  amount: Decimal;
  lines: DraftInvoiceLine[];
  idempotencyKey: string;
  fingerprint: string;
  reversal?: { of: VatInvoice; reason: string };
}

/**
 * The last steps of both issuance and reversal: numbers the invoice, moves the bill's invoiced
 * amount and writes both. The number and change-version counters are rows every issuance (and,
 * for the version, every bill change) locks until commit, so they are taken here, last, once.
 */
async function writeInvoice(transaction: RequestContext, draft: NewInvoice): Promise<VatInvoice> {
  const { em, clock } = transaction;
  const { bill } = draft;
  const now = clock.now();
  const issuedOn = localDateOf(now, FAPIAO_TIME_ZONE);
  const totals = invoiceTotals(draft.lines);
  const number = await nextInvoiceNumber(em, Number(issuedOn.slice(0, 4)));
  bill.amountInvoiced = decimal(bill.amountInvoiced).plus(draft.amount).toFixed(2);
  const sync = await touchBill(transaction, bill);
  const invoice = em.create(VatInvoice, {
    id: draft.id,
    tenantId: bill.tenantId,
    billId: bill.id,
    number,
    type: draft.type,
    status: VatInvoiceStatus.ISSUED,
    isRedLetter: draft.reversal !== undefined,
    reversalOfId: draft.reversal?.of.id ?? null,
    reversalReason: draft.reversal?.reason ?? null,
    currency: bill.currency,
    taxMode: bill.taxMode,
    taxRate: bill.taxRate,
    amount: draft.amount.toFixed(2),
    netTotal: totals.net.toFixed(2),
    taxTotal: totals.tax.toFixed(2),
    grossTotal: totals.gross.toFixed(2),
    seller: draft.seller,
    buyer: draft.buyer,
    issuedAt: now,
    issuedOn,
    idempotencyKey: draft.idempotencyKey,
    inputFingerprint: draft.fingerprint,
    createdByTokenId: transaction.actor.tokenId,
    syncVersion: sync.version,
    createdAt: now,
    updatedAt: sync.updatedAt,
  });
  const lines = draft.lines.map((line, index) =>
    em.create(VatInvoiceLine, {
      invoiceId: invoice.id,
      lineNumber: index + 1,
      tenantId: invoice.tenantId,
      item: line.item,
      itemName: line.itemName,
      amount: line.amount.toFixed(2),
      net: line.net.toFixed(2),
      taxRate: bill.taxRate,
      tax: line.tax.toFixed(2),
      gross: line.gross.toFixed(2),
    }),
  );
  const tenant = (await em.findOne(Tenant, { id: bill.tenantId }))!;
  const reversedNumber = draft.reversal?.of.number ?? null;
  await announce(transaction, bill, draft.reversal ? BillingEventType.INVOICE_REVERSED : BillingEventType.INVOICE_ISSUED, {
    invoiceId: invoice.id,
    data: { invoice: invoiceJson({ invoice, lines, bill, tenant, reversedNumber, reversedByNumber: null }) },
  });
  return invoice;
}

function invoiceAudit(invoice: VatInvoice, bill: Bill): Record<string, unknown> {
  return {
    number: invoice.number,
    type: invoice.type,
    billId: bill.id,
    amount: invoice.amount,
    total: { net: invoice.netTotal, tax: invoice.taxTotal, gross: invoice.grossTotal },
    buyer: invoice.buyer,
    billAmountInvoiced: bill.amountInvoiced,
  };
}

/**
 * Issues a VAT invoice for all or part of what is left to invoice of a finalized CNY bill. Under
 * the bill's row lock, so concurrent issues for one bill never together exceed it; idempotent on
 * its key. Steps: buyer, invoiceable amount per item, allocation, lines with VAT, number, write.
 */
export async function issueInvoice(context: RequestContext, input: VatInvoiceIssueInput): Promise<VatInvoice> {
  requireRole(context.actor, INVOICE_ISSUERS);
  const [values, givenBuyer] = validateTogether(
    () => validateInput(issueSchema, input),
    () => (input.buyer ? validateInput(buyerSchema(input.type), input.buyer, ['input', 'buyer']) : null),
  );
  const requested = values.amount ? decimal(values.amount) : null;
  const fingerprint = JSON.stringify(['issue', input.billId, values.type, givenBuyer, requested?.toFixed(2) ?? null]);
  return inTransaction(context, async (transaction) => {
    const { em } = transaction;
    const bill = await lockBill(transaction, input.billId);
    return once(
      em,
      { scope: `vatInvoice:${bill.tenantId}`, key: values.idempotencyKey, fingerprint, findEarlier: earlierInvoice(em, bill.tenantId, values.idempotencyKey) },
      async () => {
        const billField = ['input', 'billId'];
        if (!INVOICEABLE_BILL_STATUSES.includes(bill.status)) {
          throw UserInputErrors.single(
            UserErrorCode.INVALID_STATE,
            billField,
            `bill ${bill.number ?? bill.id} is ${bill.status}: only a finalized bill can be invoiced`,
          );
        }
        if (bill.currency !== CurrencyCode.CNY) {
          throw UserInputErrors.single(
            UserErrorCode.CURRENCY_MISMATCH,
            billField,
            `bill ${bill.number} is in ${bill.currency}: VAT invoices are issued for CNY bills only`,
          );
        }
        const profile = await loadOperatorProfile(em);
        if (!profile) throw UserInputErrors.single(UserErrorCode.INVALID_STATE, null, 'the operator has not set the seller profile yet (operatorProfileSet)');
        const buyer = givenBuyer ?? buyerFromProfile(values.type, (await em.findOne(Tenant, { id: bill.tenantId }))!);

        const remaining = invoiceableByItem(await em.find(BillLine, { billId: bill.id }), await invoicedLinesOfBill(em, bill.id));
        const left = [...remaining.values()].reduce((sum, item) => sum.plus(item.amount), new Decimal(0));
        if (left.isZero()) {
          throw UserInputErrors.single(
            UserErrorCode.OVER_INVOICED,
            billField,
            `bill ${bill.number} is fully invoiced (${bill.amountInvoiced} of ${billSubtotal(bill)})`,
          );
        }
        const amount = requested ?? left;
        if (amount.gt(left)) {
          throw UserInputErrors.single(
            UserErrorCode.OVER_INVOICED,
            ['input', 'amount'],
            `amount ${amount.toFixed(2)} is more than the ${left.toFixed(2)} left to invoice on bill ${bill.number}`,
          );
        }
        const lines = invoiceLines(allocateInvoiceAmount(remaining, amount), remaining, bill.taxRate, bill.taxMode, bill.currency);

        const id = newId('VatInvoice');
        const invoice = await writeInvoice(transaction, {
          id,
          bill,
          type: values.type,
          seller: sellerOf(profile),
          buyer,
          amount,
          lines,
          idempotencyKey: values.idempotencyKey,
          fingerprint,
        });
        await recordAudit(transaction, { tenantId: bill.tenantId, action: 'vatInvoice.issue', targetId: invoice.id, after: invoiceAudit(invoice, bill) });
        return invoice;
      },
    );
  });
}

export interface VatInvoiceReverseInput {
  invoiceId: string;
  reason: string;
  idempotencyKey: string;
}

/**
 * Reverses an issued invoice with a red-letter invoice: its own number, the original's parties,
 * every line negated. The original becomes REVERSED and the bill's invoiceable amount comes back.
 * Returns the red-letter invoice.
 */
export async function reverseInvoice(context: RequestContext, input: VatInvoiceReverseInput): Promise<VatInvoice> {
  requireRole(context.actor, INVOICE_ISSUERS);
  const values = validateInput(z.object({ reason: requiredText(200), idempotencyKey: requiredText(100) }), input);
  const field = ['input', 'invoiceId'];
  const invoiceId = inputId('VatInvoice', input.invoiceId, field);
  const fingerprint = JSON.stringify(['reverse', invoiceId, values.reason]);
  return inTransaction(context, async (transaction) => {
    const { em } = transaction;
    const found = await em.findOne(VatInvoice, { id: invoiceId });
    if (!found) throw UserInputErrors.single(UserErrorCode.NOT_FOUND, field, 'invoiceId names no invoice you can see');
    const bill = await lockBill(transaction, found.billId, field);
    const original = (await em.findOne(VatInvoice, { id: invoiceId }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true }))!;
    return once(
      em,
      { scope: `vatInvoice:${bill.tenantId}`, key: values.idempotencyKey, fingerprint, findEarlier: earlierInvoice(em, bill.tenantId, values.idempotencyKey) },
      async () => {
        if (original.isRedLetter)
          throw UserInputErrors.single(UserErrorCode.INVALID_STATE, field, `invoice ${original.number} is a red-letter invoice: it cannot be reversed`);
        if (original.status === VatInvoiceStatus.REVERSED)
          throw UserInputErrors.single(UserErrorCode.ALREADY_REVERSED, field, `invoice ${original.number} is already reversed`);

        const lines = (await em.find(VatInvoiceLine, { invoiceId: original.id }, { orderBy: { lineNumber: 'asc' } })).map((line) => ({
          item: line.item,
          itemName: line.itemName,
          amount: decimal(line.amount).negated(),
          net: decimal(line.net).negated(),
          tax: decimal(line.tax).negated(),
          gross: decimal(line.gross).negated(),
        }));
        const id = newId('VatInvoice');
        const red = await writeInvoice(transaction, {
          id,
          bill,
          type: original.type,
          seller: original.seller,
          buyer: original.buyer,
          amount: decimal(original.amount).negated(),
          lines,
          idempotencyKey: values.idempotencyKey,
          fingerprint,
          reversal: { of: original, reason: values.reason },
        });
        Object.assign(original, { status: VatInvoiceStatus.REVERSED, reversedById: red.id, syncVersion: red.syncVersion, updatedAt: red.updatedAt });
        await recordAudit(transaction, {
          tenantId: bill.tenantId,
          action: 'vatInvoice.reverse',
          targetId: original.id,
          before: { status: VatInvoiceStatus.ISSUED },
          after: { status: original.status, reason: values.reason, redLetterInvoice: invoiceAudit(red, bill) },
        });
        return red;
      },
    );
  });
}
