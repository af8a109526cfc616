import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Money } from '../../platform/graphql/money.types.js';
import { connectionType, Node } from '../../platform/graphql/relay.js';
import { DecimalScalar } from '../../platform/graphql/scalars.js';
import { UserError } from '../../platform/graphql/user-error.types.js';
import { CurrencyCode } from '../../platform/money.js';
import { BalanceEntryType, PaymentMethod, type BalanceEntry, type RedemptionCode } from './balance.entity.js';

registerEnumType(BalanceEntryType, {
  name: 'BalanceEntryType',
  description: 'What moved a prepaid balance.',
  valuesConfig: {
    TOP_UP: { description: 'Money the operator received from the tenant, credited with balanceTopUp (payment method and reference kept).' },
    REDEMPTION: { description: "A redemption code's amount, credited when the tenant redeemed it." },
    USAGE: { description: 'Recorded usage, debited as it is recorded: one entry per tenant and usage batch.' },
    ADJUSTMENT: {
      description:
        'A signed correction: by the operator (balanceAdjust, with a reason), by a bill paid with BALANCE, or by a prepaid statement squaring its usage debits.',
    },
    REFUND: { description: 'Money refunded to the balance. Reserved: no operation of the API posts this type yet.' },
  },
});
registerEnumType(PaymentMethod, {
  name: 'PaymentMethod',
  description: 'How money was received.',
  valuesConfig: {
    BANK_TRANSFER: { description: 'Received by bank transfer.' },
    ALIPAY: { description: 'Received through Alipay.' },
    WECHAT_PAY: { description: 'Received through WeChat Pay.' },
    CARD: { description: 'Received by card payment.' },
  },
});

@ObjectType('BalanceEntry', { implements: Node, description: 'One append-only movement of a prepaid balance.' })
export class BalanceEntryNode extends Node {
  @Field(() => BalanceEntryType, { description: 'What moved the balance.' })
  type!: BalanceEntryType;

  @Field(() => Money, { description: 'Signed: credits positive, debits negative.' })
  amount!: Money;

  @Field(() => Money, { description: 'The balance right after this entry.' })
  balanceAfter!: Money;

  @Field(() => PaymentMethod, { nullable: true, description: 'For top-ups.' })
  paymentMethod!: PaymentMethod | null;

  @Field(() => String, { nullable: true, description: "Payment reference, or the redemption code's id." })
  reference!: string | null;

  @Field(() => String, { nullable: true, description: 'Why, for adjustments.' })
  reason!: string | null;

  @Field(() => Date, { description: 'When it was booked.' })
  createdAt!: Date;
}

export function toBalanceEntryNode(entry: BalanceEntry): BalanceEntryNode {
  return Object.assign(new BalanceEntryNode(), {
    id: entry.id,
    type: entry.type,
    amount: Money.of(entry.amount, entry.currency),
    balanceAfter: Money.of(entry.balanceAfter, entry.currency),
    paymentMethod: entry.paymentMethod ?? null,
    reference: entry.reference ?? null,
    reason: entry.reason ?? null,
    createdAt: entry.createdAt,
  });
}

export const BalanceEntryConnection = connectionType(BalanceEntryNode, 'BalanceEntry');

@ObjectType('BalanceEntryPayload', { description: 'Result of a balance mutation. A replayed idempotencyKey returns the first entry.' })
export class BalanceEntryPayload {
  @Field(() => BalanceEntryNode, { nullable: true, description: 'The entry booked; null when userErrors is not empty.' })
  balanceEntry!: BalanceEntryNode | null;

  @Field(() => [UserError], { description: 'Why the input was refused; empty on success.' })
  userErrors!: UserError[];
}

@InputType('BalanceTopUpInput', { description: 'Money received for a prepaid tenant.' })
export class BalanceTopUpInput {
  @Field(() => ID, { description: 'The prepaid tenant.' })
  tenantId!: string;

  @Field(() => DecimalScalar, { description: "Amount received, in the tenant's billing currency; greater than 0." })
  amount!: string;

  @Field(() => PaymentMethod, { description: 'How it was received.' })
  paymentMethod!: PaymentMethod;

  @Field({ description: "The payment's reference (bank slip, Alipay trade number ...), at most 200 characters." })
  reference!: string;

  @Field({ description: 'Unique per tenant: a retry with the same key returns the first entry; the same key with other input is refused.' })
  idempotencyKey!: string;
}

@InputType('BalanceAdjustInput', { description: 'A correction of a prepaid balance, with its reason.' })
export class BalanceAdjustInput {
  @Field(() => ID, { description: 'The prepaid tenant.' })
  tenantId!: string;

  @Field(() => DecimalScalar, { description: "Signed, non-zero, at most 16 decimal places (the ledger's precision): negative debits the balance." })
  amount!: string;

  @Field({ description: 'Why, at most 500 characters; kept on the entry and in the audit trail.' })
  reason!: string;

  @Field({ description: 'Unique per tenant, as for top-ups.' })
  idempotencyKey!: string;
}

@ObjectType('RedemptionCode', { implements: Node, description: 'A prepaid voucher (id, not the code). The code itself is shown once, when created.' })
export class RedemptionCodeNode extends Node {
  @Field({ description: 'The first characters of the code, to recognise it.' })
  codePrefix!: string;

  @Field(() => Money, { description: 'What it credits.' })
  amount!: Money;

  @Field(() => Date, { description: 'When it stops being redeemable.' })
  expiresAt!: Date;

  @Field(() => Date, { nullable: true, description: 'When it was redeemed; null while unused.' })
  redeemedAt!: Date | null;
}

export function toRedemptionCodeNode(code: RedemptionCode): RedemptionCodeNode {
  return Object.assign(new RedemptionCodeNode(), {
    id: code.id,
    codePrefix: code.codePrefix,
    amount: Money.of(code.amount, code.currency),
    expiresAt: code.expiresAt,
    redeemedAt: code.redeemedAt ?? null,
  });
}

@ObjectType('IssuedRedemptionCode', { description: 'A new voucher with its code: store or hand out the code now, it is never shown again.' })
export class IssuedRedemptionCode {
  @Field({ description: 'The code to redeem (rc_...).' })
  code!: string;

  @Field(() => RedemptionCodeNode, { description: 'The voucher.' })
  redemptionCode!: RedemptionCodeNode;
}

@ObjectType('RedemptionCodesCreatePayload', { description: 'Result of redemptionCodesCreate.' })
export class RedemptionCodesCreatePayload {
  @Field(() => [IssuedRedemptionCode], { description: 'The new codes; empty when userErrors is not empty.' })
  codes!: IssuedRedemptionCode[];

  @Field(() => [UserError], { description: 'Why the input was refused; empty on success.' })
  userErrors!: UserError[];
}

@InputType('RedemptionCodesCreateInput', { description: 'Vouchers to issue.' })
export class RedemptionCodesCreateInput {
  @Field(() => Int, { description: 'How many, 1 to 100.' })
  count!: number;

  @Field(() => DecimalScalar, { description: 'What each credits; greater than 0.' })
  amount!: string;

  @Field(() => CurrencyCode, { description: 'Currency; only tenants billed in it can redeem.' })
  currency!: CurrencyCode;

  @Field(() => Date, { description: 'When the codes stop being redeemable; in the future.' })
  expiresAt!: Date;
}

@InputType('RedemptionCodeRedeemInput', { description: 'Redeem a voucher into a prepaid balance.' })
export class RedemptionCodeRedeemInput {
  @Field({ description: 'The code (rc_...).' })
  code!: string;

  @Field(() => ID, { nullable: true, description: 'The tenant to credit: the operator only; tenant admins always credit their own.' })
  tenantId?: string | null;
}
