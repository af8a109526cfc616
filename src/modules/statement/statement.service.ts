import type { RequestContext } from '../../context.js';
import { requireRole } from '../../platform/auth/actor.js';
import { BALANCE_LEDGER_READERS } from '../../platform/auth/roles.js';
import { queryRows } from '../../platform/database/sql.js';
import { NotFoundError } from '../../platform/errors.js';
import { decimal, type CurrencyCode, type Decimal } from '../../platform/money.js';
import { addPeriods, periodEndInstant, periodFirstDay, periodInput, periodStartInstant, type Period } from '../../platform/period.js';
import { validateInput } from '../../platform/validation.js';
import { BalanceEntry, BalanceEntryType } from '../balance/balance.entity.js';
import { Bill, Payment } from '../bill/bill.entity.js';
import { VatInvoice } from '../invoice/invoice.entity.js';
import type { Tenant } from '../tenant/tenant.entity.js';

/**
 * A tenant's statement of account (对账单) for one local month [from, to): every figure is a sum of
 * the documents listed with it, and each closing figure is its opening one plus the month's
 * movements, both read from the documents themselves.
 *
 * - The prepaid balance: opening and closing are the sums of the ledger's entries booked before
 *   `from` and before `to` (the balance is always the sum of its entries); the month's entries by
 *   type in between.
 * - What is owed on bills: the gross of the bills finalized and not voided by the instant, less the
 *   payments received by it (only an unpaid bill can be voided); the month's bills, voids and
 *   payments in between.
 * - Usage by department and model: the month's charged usage as settlement sums it (the daily
 *   rollups of its local days), exact.
 * - VAT invoices issued in the month, and red-letter reversals.
 */
export interface Statement {
  tenant: Tenant;
  period: Period;
  from: Date;
  to: Date;
  currency: CurrencyCode;
  balance: {
    opening: Decimal;
    closing: Decimal;
    /** The month's entries in booking order. */
    entries: BalanceEntry[];
    byType: Map<BalanceEntryType, Summed<BalanceEntry>>;
  };
  receivable: {
    opening: Decimal;
    closing: Decimal;
    billed: Summed<Bill>;
    voided: Summed<Bill>;
    paid: Summed<Payment>;
  };
  usage: StatementUsageRow[];
  invoices: { issued: Summed<VatInvoice>; reversed: Summed<VatInvoice> };
}

/** Documents of one figure, and the figure: the sum of their amounts. */
export interface Summed<Document> {
  total: Decimal;
  documents: Document[];
}

function summed<Document>(documents: Document[], amountOf: (document: Document) => string): Summed<Document> {
  return { total: documents.reduce((total, document) => total.plus(amountOf(document)), decimal('0')), documents };
}

export interface StatementUsageRow {
  departmentId: string;
  departmentName: string;
  model: string;
  requestCount: number;
  charged: string;
}

export async function statementOf(context: RequestContext, tenantId: string, month: string): Promise<Statement> {
  requireRole(context.actor, BALANCE_LEDGER_READERS);
  const period = validateInput(periodInput, month, ['period']);
  // A scoped read: another tenant's is not found, as a missing one is.
  const tenant = await context.loaders.tenantById.load(tenantId);
  if (!tenant) throw new NotFoundError('Tenant', tenantId);
  const from = periodStartInstant(period, tenant.timezone);
  const to = periodEndInstant(period, tenant.timezone);
  const during = { $gte: from, $lt: to };
  const { em } = context;
  const [[sums], entries, billed, voided, payments, invoices, usage] = await Promise.all([
    queryRows<{ balanceBefore: string; balanceAfter: string; billedBefore: string; billedAfter: string; paidBefore: string; paidAfter: string }>(
      em,
      `select (select coalesce(sum(amount) filter (where created_at < $2), 0)::text from balance_entry where tenant_id = $1) as "balanceBefore",
              (select coalesce(sum(amount) filter (where created_at < $3), 0)::text from balance_entry where tenant_id = $1) as "balanceAfter",
              (select coalesce(sum(gross_total) filter (where finalized_at < $2 and (voided_at is null or voided_at >= $2)), 0)::text
                 from bill where tenant_id = $1 and finalized_at is not null) as "billedBefore",
              (select coalesce(sum(gross_total) filter (where finalized_at < $3 and (voided_at is null or voided_at >= $3)), 0)::text
                 from bill where tenant_id = $1 and finalized_at is not null) as "billedAfter",
              (select coalesce(sum(amount) filter (where received_at < $2), 0)::text from payment where tenant_id = $1) as "paidBefore",
              (select coalesce(sum(amount) filter (where received_at < $3), 0)::text from payment where tenant_id = $1) as "paidAfter"`,
      [tenant.id, from, to],
    ),
    em.find(BalanceEntry, { tenantId: tenant.id, createdAt: during }, { orderBy: { createdAt: 'asc', id: 'asc' } }),
    em.find(Bill, { tenantId: tenant.id, finalizedAt: during }, { orderBy: { finalizedAt: 'asc', id: 'asc' } }),
    em.find(Bill, { tenantId: tenant.id, voidedAt: during }, { orderBy: { voidedAt: 'asc', id: 'asc' } }),
    em.find(Payment, { tenantId: tenant.id, receivedAt: during }, { orderBy: { receivedAt: 'asc', id: 'asc' } }),
    em.find(VatInvoice, { tenantId: tenant.id, issuedAt: during }, { orderBy: { issuedAt: 'asc', id: 'asc' } }),
    queryRows<StatementUsageRow>(
      em,
      `select r.department_id as "departmentId", d.name as "departmentName", r.model, sum(r.request_count)::int as "requestCount",
              sum(r.charged_amount)::text as charged
         from usage_rollup r join department d on d.id = r.department_id
        where r.tenant_id = $1 and r.local_day >= $2::date and r.local_day < $3::date
        group by 1, 2, 3 order by 2, 1, 3`,
      [tenant.id, periodFirstDay(period), periodFirstDay(addPeriods(period, 1))],
    ),
  ]);
  return {
    tenant,
    period,
    from,
    to,
    currency: tenant.billingCurrency,
    balance: {
      opening: decimal(sums.balanceBefore),
      closing: decimal(sums.balanceAfter),
      entries,
      byType: new Map(
        Object.values(BalanceEntryType).map((type) => [
          type,
          summed(
            entries.filter((entry) => entry.type === type),
            (entry) => entry.amount,
          ),
        ]),
      ),
    },
    receivable: {
      opening: decimal(sums.billedBefore).minus(sums.paidBefore),
      closing: decimal(sums.billedAfter).minus(sums.paidAfter),
      billed: summed(billed, (bill) => bill.grossTotal),
      voided: summed(voided, (bill) => bill.grossTotal),
      paid: summed(payments, (payment) => payment.amount),
    },
    usage,
    invoices: {
      issued: summed(
        invoices.filter((invoice) => !invoice.isRedLetter),
        (invoice) => invoice.grossTotal,
      ),
      reversed: summed(
        invoices.filter((invoice) => invoice.isRedLetter),
        (invoice) => invoice.grossTotal,
      ),
    },
  };
}

/** One figure of a statement, as its files print it: a field path, a bilingual label, the amount and how many documents it sums (none for a balance). */
export interface StatementFigure {
  key: string;
  label: [chinese: string, english: string];
  amount: Decimal;
  documents: number | null;
}

export function statementFigures({ balance, receivable, invoices }: Statement): StatementFigure[] {
  const standing = (key: string, label: StatementFigure['label'], amount: Decimal): StatementFigure => ({ key, label, amount, documents: null });
  const moved = (key: string, label: StatementFigure['label'], summedDocuments: Summed<unknown> | undefined): StatementFigure => ({
    key,
    label,
    amount: summedDocuments?.total ?? decimal('0'),
    documents: summedDocuments?.documents.length ?? 0,
  });
  return [
    standing('balance.opening', ['期初余额', 'Opening balance'], balance.opening),
    moved('balance.topUps', ['充值', 'Top-ups'], balance.byType.get(BalanceEntryType.TOP_UP)),
    moved('balance.redemptions', ['兑换码', 'Vouchers redeemed'], balance.byType.get(BalanceEntryType.REDEMPTION)),
    moved('balance.usage', ['用量扣费', 'Usage'], balance.byType.get(BalanceEntryType.USAGE)),
    moved('balance.adjustments', ['调整', 'Adjustments'], balance.byType.get(BalanceEntryType.ADJUSTMENT)),
    moved('balance.refunds', ['退款', 'Refunds'], balance.byType.get(BalanceEntryType.REFUND)),
    standing('balance.closing', ['期末余额', 'Closing balance'], balance.closing),
    standing('receivable.opening', ['期初应收', 'Owed at the start'], receivable.opening),
    moved('receivable.billed', ['本期账单', 'Billed'], receivable.billed),
    moved('receivable.voided', ['作废账单', 'Voided'], receivable.voided),
    moved('receivable.paid', ['本期收款', 'Paid'], receivable.paid),
    standing('receivable.closing', ['期末应收', 'Owed at the end'], receivable.closing),
    moved('invoices.issued', ['开具发票', 'Invoiced'], invoices.issued),
    moved('invoices.reversed', ['红字发票', 'Reversed (red-letter)'], invoices.reversed),
  ];
}
