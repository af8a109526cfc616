import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Money, TaxedMoney } from '../../platform/graphql/money.types.js';
import { payloadType } from '../../platform/graphql/payload.js';
import { UserError } from '../../platform/graphql/user-error.types.js';
import { connectionType, Node, OrderDirection } from '../../platform/graphql/relay.js';
import { DecimalScalar, LocalDateScalar, SafeIntScalar } from '../../platform/graphql/scalars.js';
import { TaxMode } from '../../platform/money.js';
import { periodOfDate } from '../../platform/period.js';
import { BillingMode } from '../contract/contract.entity.js';
import { ModelTier } from '../price/model-price.entity.js';
import { quantitiesOf } from './bill-builder.js';
import { BillingEventType } from './bill-events.js';
import {
  Bill,
  BillLine,
  BillLineKind,
  BillPaymentMethod,
  BillStatus,
  Payment,
  SettlementFailureCode,
  SettlementRun,
  SettlementRunStatus,
} from './bill.entity.js';
import { amountDue, amountInvoiceable, billSubtotal } from './bill-amounts.js';
import { BillOrderField, PaymentOrderField } from './bill.service.js';
import { RUN_HEARTBEAT_TIMEOUT_MS } from './settlement.service.js';

registerEnumType(BillStatus, {
  name: 'BillStatus',
  description: 'Where a bill is in its life.',
  valuesConfig: {
    DRAFT: { description: 'Being built inside a settlement; never visible outside it.' },
    FINALIZED: { description: 'Numbered, immutable and payable by its due date.' },
    PARTIALLY_PAID: { description: 'Some of it is paid, and it is not yet due.' },
    PAID: { description: 'Paid in full (prepaid statements are paid from the balance when finalized).' },
    OVERDUE: { description: 'Past its due date and not paid in full.' },
    VOID: { description: 'Cancelled with a reason; the period can be settled again.' },
  },
});
registerEnumType(BillLineKind, {
  name: 'BillLineKind',
  description: 'What a bill line is for.',
  valuesConfig: {
    USAGE: { description: "The period's usage of one department, model and price version: the rounded sum of the records' exact charges." },
    DISCOUNT: {
      description:
        "The contract's discount on one model tier's usage, as a negative amount; late usage of an earlier period gets its own, on that period's terms.",
    },
    COMMITMENT_TRUE_UP: { description: "Makes up the difference when the period's usage, net of discounts, is below the contract's monthly commitment." },
    LATE_USAGE_ADJUSTMENT: {
      description: 'Usage recorded after its own period was billed, charged on this bill instead; adjustedPeriod names that period.',
    },
  },
});
registerEnumType(BillPaymentMethod, {
  name: 'BillPaymentMethod',
  description: 'How a bill was paid.',
  valuesConfig: {
    BANK_TRANSFER: { description: 'Received by bank transfer.' },
    ALIPAY: { description: 'Received through Alipay.' },
    WECHAT_PAY: { description: 'Received through WeChat Pay.' },
    BALANCE: {
      description:
        "From the tenant's prepaid balance: paymentRecord debits it (refused when it does not cover the amount); prepaid statements are paid this way when finalized.",
    },
  },
});
registerEnumType(BillOrderField, {
  name: 'BillOrderField',
  description: 'What bills are sorted by.',
  valuesConfig: {
    UPDATED_AT: {
      description: 'The order bills last changed in, by a change counter: paged ascending with `after`, every change is seen exactly once (for ERP sync).',
    },
    PERIOD: { description: 'The billing period (month) the bill covers.' },
  },
});
registerEnumType(PaymentOrderField, {
  name: 'PaymentOrderField',
  description: 'What payments are sorted by.',
  valuesConfig: {
    UPDATED_AT: {
      description:
        "The order payments were booked in, by the bills' change counter: paged ascending with `after`, every payment is seen exactly once (for ERP sync).",
    },
    RECEIVED_AT: { description: 'When the money was received (for reconciling a bank statement).' },
  },
});
registerEnumType(SettlementRunStatus, {
  name: 'SettlementRunStatus',
  description: 'State of a settlement run.',
  valuesConfig: {
    RUNNING: { description: 'Settling its tenants now; the counts and percentDone move as it goes.' },
    COMPLETED: { description: 'Every tenant was handled: billed, skipped, or failed (see failures).' },
    FAILED: {
      description:
        'The run stopped on an unexpected error before handling every tenant (see the server log). Bills made stay; settle again with a new idempotencyKey.',
    },
    INTERRUPTED: {
      description:
        'Its process stopped: the run is RUNNING but wrote no heartbeat for a minute. Bills made stay; settle again with a new idempotencyKey for the rest.',
    },
  },
});
registerEnumType(BillingEventType, {
  name: 'BillingEventType',
  description: 'What happened to a bill.',
  valuesConfig: {
    BILL_FINALIZED: { description: 'Settlement finalized the bill: numbered and payable (a prepaid statement is paid from the balance at once).' },
    PAYMENT_RECORDED: { description: 'A payment was booked against the bill (see payment).' },
    BILL_OVERDUE: { description: "The bill passed its due date in the tenant's time zone without being paid in full." },
    BILL_VOIDED: { description: 'The operator voided the bill; its period can be settled again.' },
    INVOICE_ISSUED: { description: 'A VAT invoice was issued for the bill (see invoice).' },
    INVOICE_REVERSED: { description: 'A VAT invoice of the bill was reversed; invoice is the red-letter invoice, and the amount can be invoiced again.' },
  },
});
registerEnumType(SettlementFailureCode, {
  name: 'SettlementFailureCode',
  description: 'Why a settlement run could not bill a tenant.',
  valuesConfig: {
    PERIOD_NOT_ENDED: { description: "The period has not ended in the tenant's time zone. Settle it again once it has." },
    LATER_PERIOD_BILLED: {
      description:
        'A later period of the tenant is already settled (billed, or closed with nothing to bill); periods are settled in order. Usage that arrives late goes on the next bill by itself.',
    },
    EARLIER_PERIOD_UNSETTLED: { description: 'An earlier period of the tenant has usage and was never settled. Settle that period first, then this one.' },
    INTERNAL_ERROR: {
      description: 'Settling this tenant failed unexpectedly (see the server log); the others went on. Run the settlement again: it is safe to repeat.',
    },
  },
});

@ObjectType('BillUsageQuantities', { description: 'What a usage line counts.' })
export class BillUsageQuantities {
  @Field(() => SafeIntScalar, { description: 'Requests.' })
  requestCount!: number;

  @Field(() => SafeIntScalar, { description: 'Input tokens (not cached).' })
  inputTokens!: number;

  @Field(() => SafeIntScalar, { description: 'Output tokens.' })
  outputTokens!: number;

  @Field(() => SafeIntScalar, { description: 'Cached input tokens.' })
  cachedInputTokens!: number;

  @Field(() => SafeIntScalar, { description: 'Images.' })
  imageCount!: number;

  @Field(() => SafeIntScalar, { description: 'Seconds of video.' })
  videoSeconds!: number;
}

@ObjectType('BillLine', { description: 'One line of a bill. Its amount is rounded half-up to the minor unit; VAT is per line.' })
export class BillLineNode {
  departmentId!: string | null;
  priceId!: string | null;

  @Field(() => Int, { description: 'Position on the bill, from 1: stable, as bills never change.' })
  lineNumber!: number;

  @Field(() => BillLineKind, { description: 'Usage, discount, commitment true-up or late-usage adjustment.' })
  kind!: BillLineKind;

  @Field({ description: 'What the line is, as printed.' })
  description!: string;

  @Field(() => String, { nullable: true, description: 'The model, for usage lines.' })
  model!: string | null;

  @Field(() => ModelTier, { nullable: true, description: 'The model tier, for usage and discount lines.' })
  modelTier!: ModelTier | null;

  @Field(() => String, { nullable: true, description: 'For late usage and its discount: the earlier period the usage belongs to.' })
  adjustedPeriod!: string | null;

  @Field(() => BillUsageQuantities, { nullable: true, description: 'Quantities, for usage lines.' })
  quantity!: BillUsageQuantities | null;

  @Field(() => DecimalScalar, {
    description:
      "The exact amount before rounding: for usage lines the sum of the usage records' charges, for a discount line the percent of its tier's usage lines; a commitment true-up is exact in the minor unit.",
  })
  exactAmount!: string;

  @Field(() => Money, { description: "The line's amount as priced: net under tax-exclusive terms, gross under tax-inclusive ones." })
  amount!: Money;

  @Field(() => TaxedMoney, { description: 'Net, VAT and gross of the line.' })
  total!: TaxedMoney;
}

export function toBillLineNode(line: BillLine, currency: Bill['currency']): BillLineNode {
  const isUsage = line.kind === BillLineKind.USAGE || line.kind === BillLineKind.LATE_USAGE_ADJUSTMENT;
  return Object.assign(new BillLineNode(), {
    departmentId: line.departmentId ?? null,
    priceId: line.priceId ?? null,
    lineNumber: line.lineNumber,
    kind: line.kind,
    description: line.description,
    model: line.model ?? null,
    modelTier: line.modelTier ?? null,
    adjustedPeriod: line.adjustedPeriodStart ? periodOfDate(line.adjustedPeriodStart) : null,
    quantity: isUsage ? Object.assign(new BillUsageQuantities(), quantitiesOf(line)) : null,
    exactAmount: line.exactAmount,
    amount: Money.of(line.amount, currency),
    total: TaxedMoney.of(line.net, line.tax, line.gross, currency),
  });
}

@ObjectType('Payment', { implements: Node, description: 'Money received against a bill. Never changed once recorded.' })
export class PaymentNode extends Node {
  billId!: string;
  tenantId!: string;

  @Field(() => BillPaymentMethod, { description: 'How it was paid.' })
  method!: BillPaymentMethod;

  @Field(() => Money, { description: 'How much.' })
  amount!: Money;

  @Field(() => String, { nullable: true, description: 'Bank slip, Alipay or WeChat Pay trade number ...' })
  reference!: string | null;

  @Field(() => Date, { description: 'When the money was received.' })
  receivedAt!: Date;

  @Field(() => Date, { description: 'When it was booked.' })
  createdAt!: Date;

  @Field(() => Date, { description: 'When it was booked, as the change order sees it: what `payments(filter: { updatedSince })` compares.' })
  updatedAt!: Date;
}

export function toPaymentNode(payment: Payment): PaymentNode {
  return Object.assign(new PaymentNode(), {
    id: payment.id,
    billId: payment.billId,
    tenantId: payment.tenantId,
    updatedAt: payment.updatedAt,
    method: payment.method,
    amount: Money.of(payment.amount, payment.currency),
    reference: payment.reference ?? null,
    receivedAt: payment.receivedAt,
    createdAt: payment.createdAt,
  });
}

const LINK_NOTE =
  'Absolute links that open without an Authorization header, with the visibility of the token that asked for them, until expiresAt; ask again for fresh ones.';

@ObjectType('BillExportUrls', { description: `Where to download the bill. ${LINK_NOTE}` })
export class BillExportUrls {
  @Field({ description: 'CSV of its lines, UTF-8 with a byte-order mark (Excel opens it as is); columns named as the BillLine fields.' })
  csv!: string;

  @Field({ description: 'The same CSV in GBK, for importers that want it.' })
  csvGbk!: string;

  @Field({ description: 'XLSX workbook: the bill, its lines, payments, invoices and invoice lines, a sheet each.' })
  xlsx!: string;

  @Field({ description: 'JSON: the bill with its lines and payments, amounts as exact decimal strings.' })
  json!: string;

  @Field({ description: 'PDF statement, with Chinese text.' })
  pdf!: string;

  @Field(() => Date, { description: 'When the links stop opening.' })
  expiresAt!: Date;
}

@ObjectType('TableExportUrls', { description: `One money table of a period as a file. ${LINK_NOTE}` })
export class TableExportUrls {
  @Field({ description: 'CSV, UTF-8 with a byte-order mark; columns named as the GraphQL fields they hold.' })
  csv!: string;

  @Field({ description: 'The same CSV in GBK.' })
  csvGbk!: string;

  @Field({ description: 'XLSX: amounts as numbers with two decimals, exact values as text.' })
  xlsx!: string;

  @Field(() => Date, { description: 'When the links stop opening.' })
  expiresAt!: Date;
}

@ObjectType('PeriodExport', {
  description:
    "Every bill of a period the caller can see (a tenant's users: their own), with their lines, payments, VAT invoices and invoice lines, as files finance tools open. Written as they stream, so a period of any size downloads in bounded memory.",
})
export class PeriodExportNode {
  @Field({ description: 'The period, "YYYY-MM".' })
  period!: string;

  @Field(() => TableExportUrls, { description: 'A row per bill: totals, paid, due, invoiced.' })
  bills!: TableExportUrls;

  @Field(() => TableExportUrls, { description: 'A row per bill line, with its unit price and price version.' })
  billLines!: TableExportUrls;

  @Field(() => TableExportUrls, { description: 'A row per payment of those bills.' })
  payments!: TableExportUrls;

  @Field(() => TableExportUrls, { description: 'A row per VAT invoice of those bills (red-letter ones negative).' })
  invoices!: TableExportUrls;

  @Field(() => TableExportUrls, { description: 'A row per VAT invoice line.' })
  invoiceLines!: TableExportUrls;
}

@ObjectType('Bill', {
  implements: Node,
  description: "A tenant's monthly bill: one per tenant and period, immutable once finalized except for its payment status.",
})
export class BillNode extends Node {
  tenantId!: string;
  contractId!: string | null;

  @Field(() => String, { nullable: true, description: 'Gap-free number within the period, "2026-10-000001"; assigned at finalization.' })
  number!: string | null;

  @Field({ description: 'The period billed, "2026-10" (a month in the tenant\'s time zone).' })
  period!: string;

  @Field(() => BillStatus, { description: 'Where the bill is in its life.' })
  status!: BillStatus;

  @Field(() => BillingMode, { description: 'Prepaid statements are paid from the balance when finalized.' })
  billingMode!: BillingMode;

  @Field(() => TaxMode, { description: 'Whether line amounts include VAT.' })
  taxMode!: TaxMode;

  @Field(() => DecimalScalar, { description: 'The VAT rate applied to each line.' })
  taxRate!: string;

  @Field(() => Int, { nullable: true, description: 'The contract version whose terms were applied; null without a contract.' })
  contractVersion!: number | null;

  @Field(() => Money, { description: 'Sum of the line amounts as priced.' })
  subtotal!: Money;

  @Field(() => TaxedMoney, { description: "Totals: each is the sum of the lines' figures." })
  total!: TaxedMoney;

  @Field(() => Money, { description: 'Paid so far.' })
  amountPaid!: Money;

  @Field(() => Money, { description: 'Still to pay: total gross minus payments.' })
  amountDue!: Money;

  @Field(() => Money, {
    description:
      "Covered by VAT invoices so far, in the bill's priced terms like subtotal (net under tax-exclusive terms, gross under tax-inclusive ones); reversed invoices no longer count.",
  })
  amountInvoiced!: Money;

  @Field(() => Money, { description: 'Still to invoice: subtotal minus amountInvoiced; 0 for bills that cannot be invoiced (not finalized, or not in CNY).' })
  amountInvoiceable!: Money;

  @Field(() => LocalDateScalar, { nullable: true, description: "Due date in the tenant's time zone." })
  dueOn!: string | null;

  @Field(() => Date, { nullable: true, description: 'When it was finalized.' })
  finalizedAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'When it was voided.' })
  voidedAt!: Date | null;

  @Field(() => String, { nullable: true, description: 'Why it was voided.' })
  voidReason!: string | null;

  @Field(() => Date, { description: 'When it was created.' })
  createdAt!: Date;

  @Field(() => Date, { description: 'When it last changed; `bills(filter: { updatedSince })` pulls by it.' })
  updatedAt!: Date;
}

export function toBillNode(bill: Bill): BillNode {
  return Object.assign(new BillNode(), {
    id: bill.id,
    tenantId: bill.tenantId,
    contractId: bill.contractId ?? null,
    number: bill.number ?? null,
    period: periodOfDate(bill.periodStart),
    status: bill.status,
    billingMode: bill.billingMode,
    taxMode: bill.taxMode,
    taxRate: bill.taxRate,
    contractVersion: bill.contractVersion ?? null,
    subtotal: Money.of(billSubtotal(bill), bill.currency),
    total: TaxedMoney.of(bill.netTotal, bill.taxTotal, bill.grossTotal, bill.currency),
    amountPaid: Money.of(bill.amountPaid, bill.currency),
    amountDue: Money.of(amountDue(bill), bill.currency),
    amountInvoiced: Money.of(bill.amountInvoiced, bill.currency),
    amountInvoiceable: Money.of(amountInvoiceable(bill), bill.currency),
    dueOn: bill.dueOn ?? null,
    finalizedAt: bill.finalizedAt ?? null,
    voidedAt: bill.voidedAt ?? null,
    voidReason: bill.voidReason ?? null,
    createdAt: bill.createdAt,
    updatedAt: bill.updatedAt,
  });
}

export const BillConnection = connectionType(BillNode, 'Bill');

@InputType('BillFilterInput', { description: 'Which bills to list.' })
export class BillFilterInput {
  @Field(() => ID, { nullable: true, description: "Only this tenant's (tenant users always get their own)." })
  tenantId?: string | null;

  @Field(() => String, { nullable: true, description: 'Only this period, "YYYY-MM".' })
  period?: string | null;

  @Field(() => BillStatus, { nullable: true, description: 'Only bills in this status.' })
  status?: BillStatus | null;

  @Field(() => Date, {
    nullable: true,
    description:
      'Only bills changed at or after this time. With orderBy UPDATED_AT ASC and cursors, an ERP sees every change exactly once, even while bills are being written.',
  })
  updatedSince?: Date | null;
}

@InputType('BillOrderInput', { description: 'Sort order of bills.' })
export class BillOrderInput {
  @Field(() => BillOrderField, { defaultValue: BillOrderField.UPDATED_AT, description: 'UPDATED_AT (change order) or PERIOD.' })
  field!: BillOrderField;

  @Field(() => OrderDirection, { defaultValue: OrderDirection.ASC, description: 'Direction.' })
  direction!: OrderDirection;
}

export const PaymentConnection = connectionType(PaymentNode, 'Payment');

@InputType('PaymentFilterInput', { description: 'Which payments to list.' })
export class PaymentFilterInput {
  @Field(() => ID, { nullable: true, description: "Only this tenant's (tenant users always get their own)." })
  tenantId?: string | null;

  @Field(() => ID, { nullable: true, description: 'Only the payments of this bill.' })
  billId?: string | null;

  @Field(() => BillPaymentMethod, { nullable: true, description: 'Only payments made this way.' })
  method?: BillPaymentMethod | null;

  @Field(() => Date, { nullable: true, description: 'Only money received at or after this instant.' })
  receivedFrom?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Only money received before this instant.' })
  receivedTo?: Date | null;

  @Field(() => Date, {
    nullable: true,
    description: 'Only payments booked at or after this time. With orderBy UPDATED_AT ASC and cursors, an ERP sees every payment exactly once.',
  })
  updatedSince?: Date | null;
}

@InputType('PaymentOrderInput', { description: 'Sort order of payments.' })
export class PaymentOrderInput {
  @Field(() => PaymentOrderField, { defaultValue: PaymentOrderField.UPDATED_AT, description: 'UPDATED_AT (booking order) or RECEIVED_AT.' })
  field!: PaymentOrderField;

  @Field(() => OrderDirection, { defaultValue: OrderDirection.ASC, description: 'Direction.' })
  direction!: OrderDirection;
}

@ObjectType('SettlementFailure', { description: 'A tenant a run could not bill, and why.' })
export class SettlementFailureNode {
  @Field(() => ID, { description: 'The tenant.' })
  tenantId!: string;

  @Field(() => SettlementFailureCode, { description: 'Why, and what to do about it.' })
  code!: SettlementFailureCode;

  @Field({ description: 'Explanation.' })
  message!: string;
}

@ObjectType('SettlementRun', { implements: Node, description: 'One settlement of a period over many tenants, with its progress.' })
export class SettlementRunNode extends Node {
  @Field({ description: 'The period settled, "YYYY-MM".' })
  period!: string;

  @Field(() => SettlementRunStatus, { description: 'RUNNING, COMPLETED, FAILED, or INTERRUPTED (its process stopped; run it again).' })
  status!: SettlementRunStatus;

  @Field(() => Int, { description: 'Tenants in the run.' })
  tenantCount!: number;

  @Field(() => Int, { description: 'Bills made.' })
  billedCount!: number;

  @Field(() => Int, { description: 'Tenants skipped: already billed for the period, or nothing to bill.' })
  skippedCount!: number;

  @Field(() => Int, { description: 'Tenants that could not be billed; see failures.' })
  failedCount!: number;

  @Field(() => [SettlementFailureNode], { description: 'Why each failed tenant was not billed.' })
  failures!: SettlementFailureNode[];

  @Field(() => DecimalScalar, { description: 'Share of tenants done, 0 to 100.' })
  percentDone!: string;

  @Field(() => Date, { description: 'When the run started.' })
  startedAt!: Date;

  @Field(() => Date, { nullable: true, description: 'When it finished.' })
  finishedAt!: Date | null;
}

export function toSettlementRunNode(run: SettlementRun, now: Date): SettlementRunNode {
  const done = run.billedCount + run.skippedCount + run.failedCount;
  const isStale = run.status === SettlementRunStatus.RUNNING && now.getTime() - run.heartbeatAt.getTime() > RUN_HEARTBEAT_TIMEOUT_MS;
  return Object.assign(new SettlementRunNode(), {
    id: run.id,
    period: run.period,
    status: isStale ? SettlementRunStatus.INTERRUPTED : run.status,
    tenantCount: run.tenantCount,
    billedCount: run.billedCount,
    skippedCount: run.skippedCount,
    failedCount: run.failedCount,
    failures: run.failures.map((failure) => Object.assign(new SettlementFailureNode(), failure)),
    percentDone: run.tenantCount === 0 ? (run.status === SettlementRunStatus.RUNNING ? '0' : '100') : ((done * 100) / run.tenantCount).toFixed(1),
    startedAt: run.startedAt,
    finishedAt: run.finishedAt ?? null,
  });
}

@InputType('BillingPeriodSettleInput', { description: 'Settle a period into bills.' })
export class BillingPeriodSettleInput {
  @Field({ description: 'The period, "YYYY-MM"; it must have ended in each tenant\'s time zone.' })
  period!: string;

  @Field(() => [ID], { nullable: true, description: 'Only these tenants (at most 10,000); default every tenant.' })
  tenantIds?: string[] | null;

  @Field({ description: 'A retry with the same key returns the same run; the same key with other input is refused.' })
  idempotencyKey!: string;
}

export const SettlementRunConnection = connectionType(SettlementRunNode, 'SettlementRun');
export const SettlementRunPayload = payloadType('BillingPeriodSettlePayload', 'settlementRun', SettlementRunNode, 'Result of billingPeriodSettle.');

@InputType('PaymentRecordInput', { description: 'Money received against a bill.' })
export class PaymentRecordInput {
  @Field(() => ID, { description: 'The bill.' })
  billId!: string;

  @Field(() => BillPaymentMethod, { description: "How it was paid; BALANCE debits the tenant's prepaid balance." })
  method!: BillPaymentMethod;

  @Field(() => DecimalScalar, { description: 'Amount, greater than 0 with at most 2 decimal places, not more than is due.' })
  amount!: string;

  @Field(() => String, { nullable: true, description: 'Bank slip, trade number ..., at most 200 characters.' })
  reference?: string | null;

  @Field(() => Date, { description: 'When the money was received; not in the future.' })
  receivedAt!: Date;

  @Field({ description: 'Unique per tenant: a retry returns the first payment; the same key with other input is refused.' })
  idempotencyKey!: string;
}

@ObjectType('PaymentRecordPayload', { description: 'Result of paymentRecord.' })
export class PaymentRecordPayload {
  @Field(() => PaymentNode, { nullable: true, description: 'The payment; null when userErrors is not empty.' })
  payment!: PaymentNode | null;

  @Field(() => BillNode, { nullable: true, description: 'The bill after the payment.' })
  bill!: BillNode | null;

  @Field(() => [UserError], { description: 'Why the input was refused; empty on success.' })
  userErrors!: UserError[];
}

@InputType('BillVoidInput', { description: 'Void an unpaid bill.' })
export class BillVoidInput {
  @Field(() => ID, { description: 'The bill.' })
  billId!: string;

  @Field({ description: 'Why, at most 500 characters.' })
  reason!: string;
}

export const BillPayload = payloadType('BillPayload', 'bill', BillNode, 'Result of a bill mutation.');

@ObjectType('BillingEvent', { description: 'Something that happened to a bill.' })
export class BillingEventNode {
  billId!: string;
  paymentId!: string | null;
  invoiceId!: string | null;

  @Field(() => BillingEventType, { description: 'What happened.' })
  type!: BillingEventType;

  @Field(() => Date, { description: 'When.' })
  occurredAt!: Date;
}
