import { Field, ObjectType } from 'type-graphql';
import { Money } from '../../platform/graphql/money.types.js';
import { SafeIntScalar } from '../../platform/graphql/scalars.js';
import { CurrencyCode } from '../../platform/money.js';
import { BalanceEntryType, type BalanceEntry } from '../balance/balance.entity.js';
import { BalanceEntryNode, toBalanceEntryNode } from '../balance/balance.types.js';
import { BillNode, PaymentNode, toBillNode, toPaymentNode } from '../bill/bill.types.js';
import { toVatInvoiceNode, VatInvoiceNode } from '../invoice/invoice.types.js';
import type { Statement, Summed } from './statement.service.js';

@ObjectType('StatementEntries', { description: 'Ledger entries of one type in the month, and their sum.' })
export class StatementEntriesNode {
  @Field(() => Money, { description: 'The sum of the entries: signed, credits positive.' })
  total!: Money;

  @Field(() => [BalanceEntryNode], { description: 'The entries, in booking order.' })
  entries!: BalanceEntryNode[];
}

@ObjectType('StatementBalance', {
  description: 'The prepaid balance over the month: closing = opening + topUps + redemptions + usage + adjustments + refunds, to the last digit.',
})
export class StatementBalanceNode {
  @Field(() => Money, { description: 'The balance when the month began: every ledger entry booked before it, summed.' })
  opening!: Money;

  @Field(() => StatementEntriesNode, { description: 'Money paid in (TOP_UP).' })
  topUps!: StatementEntriesNode;

  @Field(() => StatementEntriesNode, { description: 'Vouchers redeemed (REDEMPTION).' })
  redemptions!: StatementEntriesNode;

  @Field(() => StatementEntriesNode, { description: 'Usage debited as it was recorded (USAGE), negative.' })
  usage!: StatementEntriesNode;

  @Field(() => StatementEntriesNode, { description: 'Corrections by the operator (ADJUSTMENT), signed.' })
  adjustments!: StatementEntriesNode;

  @Field(() => StatementEntriesNode, { description: 'Refunds (REFUND).' })
  refunds!: StatementEntriesNode;

  @Field(() => Money, { description: 'The balance when the month ended: every ledger entry booked before its end, summed.' })
  closing!: Money;
}

@ObjectType('StatementReceivable', {
  description: 'What is owed on bills over the month: closing = opening + billed - voided - paid.',
})
export class StatementReceivableNode {
  @Field(() => Money, { description: 'Owed when the month began: bills finalized and not voided by then, gross, less payments received by then.' })
  opening!: Money;

  @Field(() => Money, { description: 'The gross of the bills finalized in the month.' })
  billed!: Money;

  @Field(() => [BillNode], { description: 'The bills finalized in the month.' })
  bills!: BillNode[];

  @Field(() => Money, { description: 'The gross of the bills voided in the month (only unpaid bills are voided).' })
  voided!: Money;

  @Field(() => [BillNode], { description: 'The bills voided in the month.' })
  voidedBills!: BillNode[];

  @Field(() => Money, { description: 'Payments received in the month.' })
  paid!: Money;

  @Field(() => [PaymentNode], { description: 'The payments received in the month.' })
  payments!: PaymentNode[];

  @Field(() => Money, { description: 'Owed when the month ended.' })
  closing!: Money;
}

@ObjectType('StatementUsage', { description: "Charged usage of one department and model in the month's local days, as settlement sums it." })
export class StatementUsageNode {
  @Field({ description: 'The department the usage was recorded under.' })
  departmentId!: string;

  @Field({ description: "The department's name." })
  departmentName!: string;

  @Field({ description: 'The model.' })
  model!: string;

  @Field(() => SafeIntScalar, { description: 'Charged requests.' })
  requestCount!: number;

  @Field(() => Money, { description: 'Their charged amount, exact.' })
  charged!: Money;
}

@ObjectType('StatementInvoices', { description: 'VAT invoices issued in the month.' })
export class StatementInvoicesNode {
  @Field(() => Money, { description: 'The gross of the invoices issued (not red-letter).' })
  issued!: Money;

  @Field(() => [VatInvoiceNode], { description: 'The invoices issued, in order.' })
  issuedInvoices!: VatInvoiceNode[];

  @Field(() => Money, { description: 'The gross of the red-letter reversals issued, negative.' })
  reversed!: Money;

  @Field(() => [VatInvoiceNode], { description: 'The red-letter reversals issued, in order.' })
  reversals!: VatInvoiceNode[];
}

@ObjectType('StatementExportUrls', {
  description:
    'The statement as files: absolute links that open without an Authorization header, with the visibility of the token that asked for them, until expiresAt.',
})
export class StatementExportUrls {
  @Field({ description: 'XLSX workbook: the figures, then the ledger entries, bills, payments, usage and invoices behind them, a sheet each.' })
  xlsx!: string;

  @Field({ description: 'PDF, with Chinese text: the same figures and documents.' })
  pdf!: string;

  @Field(() => Date, { description: 'When the links stop opening.' })
  expiresAt!: Date;
}

@ObjectType('Statement', {
  description:
    "A tenant's statement of account (对账单) for one month of its local calendar: its prepaid balance, what it owes on bills, its usage, and its VAT invoices, each figure with the documents it sums.",
})
export class StatementNode {
  tenantId!: string;

  @Field({ description: 'The month, "YYYY-MM".' })
  period!: string;

  @Field(() => Date, { description: "The month's first instant in the tenant's time zone." })
  from!: Date;

  @Field(() => Date, { description: 'The instant the month ended (the next one began).' })
  to!: Date;

  @Field(() => CurrencyCode, { description: "The tenant's billing currency: every amount's." })
  currency!: CurrencyCode;

  @Field(() => StatementBalanceNode, { description: 'The prepaid balance (all zero for a tenant that never had one).' })
  balance!: StatementBalanceNode;

  @Field(() => StatementReceivableNode, { description: 'What is owed on bills.' })
  receivable!: StatementReceivableNode;

  @Field(() => [StatementUsageNode], { description: 'Charged usage by department and model, departments by name.' })
  usage!: StatementUsageNode[];

  @Field(() => StatementInvoicesNode, { description: 'VAT invoices issued and reversed.' })
  invoices!: StatementInvoicesNode;
}

function entriesNode(entries: Summed<BalanceEntry> | undefined, currency: CurrencyCode): StatementEntriesNode {
  return Object.assign(new StatementEntriesNode(), {
    total: Money.of(entries?.total ?? '0', currency),
    entries: (entries?.documents ?? []).map(toBalanceEntryNode),
  });
}

export function toStatementNode(statement: Statement): StatementNode {
  const { currency, balance, receivable, invoices } = statement;
  const entries = (type: BalanceEntryType) => entriesNode(balance.byType.get(type), currency);
  return Object.assign(new StatementNode(), {
    tenantId: statement.tenant.id,
    period: statement.period,
    from: statement.from,
    to: statement.to,
    currency,
    balance: Object.assign(new StatementBalanceNode(), {
      opening: Money.of(balance.opening, currency),
      topUps: entries(BalanceEntryType.TOP_UP),
      redemptions: entries(BalanceEntryType.REDEMPTION),
      usage: entries(BalanceEntryType.USAGE),
      adjustments: entries(BalanceEntryType.ADJUSTMENT),
      refunds: entries(BalanceEntryType.REFUND),
      closing: Money.of(balance.closing, currency),
    }),
    receivable: Object.assign(new StatementReceivableNode(), {
      opening: Money.of(receivable.opening, currency),
      billed: Money.of(receivable.billed.total, currency),
      bills: receivable.billed.documents.map(toBillNode),
      voided: Money.of(receivable.voided.total, currency),
      voidedBills: receivable.voided.documents.map(toBillNode),
      paid: Money.of(receivable.paid.total, currency),
      payments: receivable.paid.documents.map(toPaymentNode),
      closing: Money.of(receivable.closing, currency),
    }),
    usage: statement.usage.map((row) => Object.assign(new StatementUsageNode(), { ...row, charged: Money.of(row.charged, currency) })),
    invoices: Object.assign(new StatementInvoicesNode(), {
      issued: Money.of(invoices.issued.total, currency),
      issuedInvoices: invoices.issued.documents.map(toVatInvoiceNode),
      reversed: Money.of(invoices.reversed.total, currency),
      reversals: invoices.reversed.documents.map(toVatInvoiceNode),
    }),
  });
}
