import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Money, TaxedMoney } from '../../platform/graphql/money.types.js';
import { connectionType, Node, OrderDirection } from '../../platform/graphql/relay.js';
import { DecimalScalar, LocalDateScalar } from '../../platform/graphql/scalars.js';
import { TaxPartyInput, TaxPartyNode, toTaxPartyNode } from '../../platform/graphql/tax-party.types.js';
import { UserError } from '../../platform/graphql/user-error.types.js';
import { TaxMode } from '../../platform/money.js';
import { amountInChineseCapitals } from '../../platform/tax/chinese-amount.js';
import { BillNode } from '../bill/bill.types.js';
import { InvoiceType } from '../contract/contract.entity.js';
import { VatInvoiceItem, VatInvoiceStatus, type VatInvoice, type VatInvoiceLine } from './invoice.entity.js';
import { VatInvoiceOrderField } from './invoice.service.js';

registerEnumType(VatInvoiceStatus, {
  name: 'VatInvoiceStatus',
  description: 'Where an invoice is in its life. Invoices are never edited: a red-letter invoice reverses one.',
  valuesConfig: {
    ISSUED: { description: 'Issued and in force (red-letter invoices stay ISSUED).' },
    REVERSED: { description: 'Reversed by a red-letter invoice (see reversedBy).' },
  },
});
registerEnumType(VatInvoiceItem, {
  name: 'VatInvoiceItem',
  description: 'What an invoice line is for: one line per group of bill lines.',
  valuesConfig: {
    AI_API_ECONOMY: { description: 'Usage of ECONOMY models, net of their discount.' },
    AI_API_STANDARD: { description: 'Usage of STANDARD models, net of their discount.' },
    AI_API_PREMIUM: { description: 'Usage of PREMIUM models, net of their discount.' },
    COMMITMENT_TRUE_UP: { description: 'The monthly commitment true-up.' },
  },
});
registerEnumType(VatInvoiceOrderField, {
  name: 'VatInvoiceOrderField',
  description: 'What invoices are sorted by.',
  valuesConfig: {
    UPDATED_AT: {
      description: 'The order invoices last changed in, by a change counter: paged ascending with `after`, every change is seen exactly once (for ERP sync).',
    },
    ISSUED_AT: { description: 'When the invoice was issued.' },
  },
});

@ObjectType('VatInvoiceLine', { description: 'One line of a VAT invoice: net, rate, tax and gross rounded per line; tax is within 0.01 of net x rate.' })
export class VatInvoiceLineNode {
  invoiceId!: string;

  @Field(() => Int, { description: 'Position on the invoice, from 1.' })
  lineNumber!: number;

  @Field(() => VatInvoiceItem, { description: 'What the line is for.' })
  item!: VatInvoiceItem;

  @Field({ description: 'The item name as printed, fapiao style: "*信息技术服务*AI模型API服务(标准型)".' })
  itemName!: string;

  @Field(() => Money, { description: "The line's amount in the bill's priced terms: net under tax-exclusive terms, gross under tax-inclusive ones." })
  amount!: Money;

  @Field(() => DecimalScalar, { description: 'VAT rate, e.g. "0.0600".' })
  taxRate!: string;

  @Field(() => TaxedMoney, { description: 'Net (金额), tax (税额) and gross of the line.' })
  total!: TaxedMoney;
}

export function toVatInvoiceLineNode(line: VatInvoiceLine, currency: VatInvoice['currency']): VatInvoiceLineNode {
  return Object.assign(new VatInvoiceLineNode(), {
    invoiceId: line.invoiceId,
    lineNumber: line.lineNumber,
    item: line.item,
    itemName: line.itemName,
    amount: Money.of(line.amount, currency),
    taxRate: line.taxRate,
    total: TaxedMoney.of(line.net, line.tax, line.gross, currency),
  });
}

@ObjectType('VatInvoiceExportUrls', {
  description:
    'Where to download the invoice: absolute links that open without an Authorization header, with the visibility of the token that asked for them, until expiresAt.',
})
export class VatInvoiceExportUrls {
  @Field({ description: 'PDF in the fapiao layout, with Chinese text.' })
  pdf!: string;

  @Field({ description: 'JSON for ERP import: the invoice, its parties and lines, amounts as exact decimal strings.' })
  json!: string;

  @Field({ description: 'XML for ERP import: the same content as the JSON.' })
  xml!: string;

  @Field(() => Date, { description: 'When the links stop opening.' })
  expiresAt!: Date;
}

@ObjectType('VatInvoice', {
  implements: Node,
  description: 'A VAT invoice (fapiao, 发票) against a bill. Never edited: a red-letter invoice (红字发票) reverses it.',
})
export class VatInvoiceNode extends Node {
  billId!: string;
  reversalOfId!: string | null;
  reversedById!: string | null;

  @Field({ description: '20 digits: the year of issue and a gap-free sequence within it.' })
  number!: string;

  @Field(() => InvoiceType, { description: 'SPECIAL (专票: the buyer may deduct the input VAT) or NORMAL (普票).' })
  type!: InvoiceType;

  @Field(() => VatInvoiceStatus, { description: 'ISSUED, or REVERSED by a red-letter invoice.' })
  status!: VatInvoiceStatus;

  @Field({ description: 'Whether this is a red-letter invoice reversing another: its amounts are negative.' })
  isRedLetter!: boolean;

  @Field(() => String, { nullable: true, description: 'For a red-letter invoice: why the original was reversed.' })
  reversalReason!: string | null;

  @Field(() => TaxPartyNode, { description: 'The seller as it was when the invoice was issued.' })
  seller!: TaxPartyNode;

  @Field(() => TaxPartyNode, { description: 'The buyer as it was when the invoice was issued.' })
  buyer!: TaxPartyNode;

  @Field(() => TaxMode, { description: "The bill's tax mode: how each line's VAT was computed." })
  taxMode!: TaxMode;

  @Field(() => DecimalScalar, { description: 'VAT rate of every line.' })
  taxRate!: string;

  @Field(() => Money, {
    description:
      "What the invoice takes of the bill, in the bill's priced terms (net under tax-exclusive terms, gross under tax-inclusive ones); negative on a red-letter invoice.",
  })
  amount!: Money;

  @Field(() => TaxedMoney, { description: "Totals: each is the sum of the lines' figures." })
  total!: TaxedMoney;

  @Field({ description: 'Gross total in Chinese capital numerals as printed (价税合计大写), e.g. "壹仟零陆拾元整".' })
  totalInWords!: string;

  @Field(() => Date, { description: 'When it was issued.' })
  issuedAt!: Date;

  @Field(() => LocalDateScalar, { description: 'Date of issue in China, as printed.' })
  issuedOn!: string;

  @Field(() => Date, { description: 'When it last changed (issued, or reversed); `vatInvoices(filter: { updatedSince })` pulls by it.' })
  updatedAt!: Date;
}

export function toVatInvoiceNode(invoice: VatInvoice): VatInvoiceNode {
  const { currency } = invoice;
  return Object.assign(new VatInvoiceNode(), {
    id: invoice.id,
    billId: invoice.billId,
    reversalOfId: invoice.reversalOfId ?? null,
    reversedById: invoice.reversedById ?? null,
    number: invoice.number,
    type: invoice.type,
    status: invoice.status,
    isRedLetter: invoice.isRedLetter,
    reversalReason: invoice.reversalReason ?? null,
    seller: toTaxPartyNode(invoice.seller),
    buyer: toTaxPartyNode(invoice.buyer),
    taxMode: invoice.taxMode,
    taxRate: invoice.taxRate,
    amount: Money.of(invoice.amount, currency),
    total: TaxedMoney.of(invoice.netTotal, invoice.taxTotal, invoice.grossTotal, currency),
    totalInWords: amountInChineseCapitals(invoice.grossTotal),
    issuedAt: invoice.issuedAt,
    issuedOn: invoice.issuedOn,
    updatedAt: invoice.updatedAt,
  });
}

export const VatInvoiceConnection = connectionType(VatInvoiceNode, 'VatInvoice');

@InputType('VatInvoiceFilterInput', { description: 'Which invoices to list.' })
export class VatInvoiceFilterInput {
  @Field(() => ID, { nullable: true, description: "Only this tenant's (tenant users always get their own)." })
  tenantId?: string | null;

  @Field(() => ID, { nullable: true, description: 'Only invoices of this bill.' })
  billId?: string | null;

  @Field(() => VatInvoiceStatus, { nullable: true, description: 'Only invoices in this status.' })
  status?: VatInvoiceStatus | null;

  @Field(() => InvoiceType, { nullable: true, description: 'Only SPECIAL or only NORMAL invoices.' })
  type?: InvoiceType | null;

  @Field(() => Date, { nullable: true, description: 'Only invoices issued at or after this instant.' })
  issuedFrom?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Only invoices issued before this instant.' })
  issuedTo?: Date | null;

  @Field(() => Date, {
    nullable: true,
    description: 'Only invoices changed at or after this time. With orderBy UPDATED_AT ASC and cursors, an ERP sees every issue and reversal exactly once.',
  })
  updatedSince?: Date | null;
}

@InputType('VatInvoiceOrderInput', { description: 'Sort order of invoices.' })
export class VatInvoiceOrderInput {
  @Field(() => VatInvoiceOrderField, { defaultValue: VatInvoiceOrderField.UPDATED_AT, description: 'UPDATED_AT (change order) or ISSUED_AT.' })
  field!: VatInvoiceOrderField;

  @Field(() => OrderDirection, { defaultValue: OrderDirection.ASC, description: 'Direction.' })
  direction!: OrderDirection;
}

@InputType('VatInvoiceIssueInput', { description: 'Issue a VAT invoice for all or part of a finalized CNY bill.' })
export class VatInvoiceIssueInput {
  @Field(() => ID, { description: 'The bill: FINALIZED, PARTIALLY_PAID, PAID or OVERDUE, in CNY.' })
  billId!: string;

  @Field(() => InvoiceType, { description: "SPECIAL needs the buyer's name and a valid unified social credit code; NORMAL needs the name." })
  type!: InvoiceType;

  @Field(() => TaxPartyInput, { nullable: true, description: "The buyer; default the tenant's buyer tax profile." })
  buyer?: TaxPartyInput | null;

  @Field(() => DecimalScalar, {
    nullable: true,
    description:
      'How much of the bill to invoice, in its priced terms (net under tax-exclusive terms, gross under tax-inclusive ones), at most 2 decimal places; default all that is left (Bill.amountInvoiceable). Spread over the lines in proportion.',
  })
  amount?: string | null;

  @Field({ description: 'Unique per tenant: a retry returns the first invoice; the same key with other input is refused.' })
  idempotencyKey!: string;
}

@InputType('VatInvoiceReverseInput', { description: 'Reverse an issued invoice with a red-letter invoice.' })
export class VatInvoiceReverseInput {
  @Field(() => ID, { description: 'The invoice to reverse: ISSUED and not itself red-letter.' })
  invoiceId!: string;

  @Field({ description: 'Why, 1 to 200 characters; printed on the red-letter invoice.' })
  reason!: string;

  @Field({ description: 'Unique per tenant: a retry returns the same red-letter invoice; the same key with other input is refused.' })
  idempotencyKey!: string;
}

@ObjectType('VatInvoiceIssuePayload', { description: 'Result of vatInvoiceIssue.' })
export class VatInvoiceIssuePayload {
  @Field(() => VatInvoiceNode, { nullable: true, description: 'The invoice; null when userErrors is not empty.' })
  invoice!: VatInvoiceNode | null;

  @Field(() => BillNode, { nullable: true, description: 'The bill after the invoice (amountInvoiced, amountInvoiceable).' })
  bill!: BillNode | null;

  @Field(() => [UserError], { description: 'Why the input was refused; empty on success.' })
  userErrors!: UserError[];
}

@ObjectType('VatInvoiceReversePayload', { description: 'Result of vatInvoiceReverse.' })
export class VatInvoiceReversePayload {
  @Field(() => VatInvoiceNode, { nullable: true, description: 'The red-letter invoice; null when userErrors is not empty.' })
  redLetterInvoice!: VatInvoiceNode | null;

  @Field(() => VatInvoiceNode, { nullable: true, description: 'The reversed invoice, now REVERSED.' })
  reversedInvoice!: VatInvoiceNode | null;

  @Field(() => BillNode, { nullable: true, description: 'The bill, its invoiceable amount restored.' })
  bill!: BillNode | null;

  @Field(() => [UserError], { description: 'Why the input was refused; empty on success.' })
  userErrors!: UserError[];
}
