import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Money } from '../../platform/graphql/money.types.js';
import { payloadType } from '../../platform/graphql/payload.js';
import { connectionType, Node } from '../../platform/graphql/relay.js';
import { DecimalScalar } from '../../platform/graphql/scalars.js';
import { decimal, TaxMode, type CurrencyCode } from '../../platform/money.js';
import { addPeriods, periodOfDate } from '../../platform/period.js';
import { ModelTier } from '../price/model-price.entity.js';
import { BillingMode, ContractType, InvoiceType, type Contract, type ContractVersion } from './contract.entity.js';

registerEnumType(ContractType, {
  name: 'ContractType',
  description: 'The commercial form of a contract.',
  valuesConfig: {
    PAY_AS_YOU_GO: { description: 'Open-ended: in force from its start period until terminated.' },
    ANNUAL: { description: 'A 12-month term from its start period, unless terminated earlier.' },
    THREE_YEAR: { description: 'A 36-month term from its start period, unless terminated earlier.' },
  },
});
registerEnumType(BillingMode, {
  name: 'BillingMode',
  description: 'How a tenant pays.',
  valuesConfig: {
    PREPAID: { description: 'Spends a prepaid balance; monthly bills are statements paid from it.' },
    POSTPAID_MONTHLY: { description: 'Billed monthly in arrears, payable within the payment terms.' },
  },
});
registerEnumType(TaxMode, {
  name: 'TaxMode',
  description: 'Whether prices include VAT.',
  valuesConfig: {
    TAX_EXCLUSIVE: { description: 'Prices are net: tax = round(net x rate) is added per line.' },
    TAX_INCLUSIVE: { description: 'Prices are gross: net = round(gross / (1 + rate)) per line, tax = gross - net.' },
  },
});
registerEnumType(InvoiceType, {
  name: 'InvoiceType',
  description: 'Kind of VAT invoice (fapiao).',
  valuesConfig: { SPECIAL: { description: 'Special VAT invoice (专票), deductible by the buyer.' }, NORMAL: { description: 'Normal VAT invoice (普票).' } },
});

@ObjectType('TierDiscount', { description: 'A discount for usage of one model tier, replacing the overall discount for it.' })
export class TierDiscountNode {
  @Field(() => ModelTier, { description: 'The model tier.' })
  tier!: ModelTier;

  @Field(() => DecimalScalar, { description: 'Percent off, 0 to 100.' })
  percent!: string;
}

@ObjectType('ContractTerms', { description: "One version of a contract's commercial terms, in force from `effectivePeriod`." })
export class ContractTermsNode {
  @Field(() => Int, { description: 'Version number, from 1; amendments add versions.' })
  version!: number;

  @Field({ description: 'First period these terms apply to ("2026-12").' })
  effectivePeriod!: string;

  @Field(() => BillingMode, { description: 'Prepaid or postpaid.' })
  billingMode!: BillingMode;

  @Field(() => DecimalScalar, { description: 'Percent off all usage, 0 to 100, unless a tier discount applies.' })
  discountPercent!: string;

  @Field(() => [TierDiscountNode], { description: 'Discounts per model tier, replacing discountPercent for that tier.' })
  tierDiscounts!: TierDiscountNode[];

  @Field(() => Money, { description: 'Minimum net usage per month; a bill below it gets a true-up line.' })
  monthlyCommitment!: Money;

  @Field(() => Money, {
    nullable: true,
    description: 'Postpaid only: usageAuthorize denies CREDIT_LIMIT_EXCEEDED once unpaid bills plus unbilled spend reach it.',
  })
  creditLimit!: Money | null;

  @Field(() => Int, { description: 'Days from finalization to the due date.' })
  paymentTermsDays!: number;

  @Field(() => DecimalScalar, { description: 'VAT rate, e.g. "0.06".' })
  taxRate!: string;

  @Field(() => TaxMode, { description: 'Whether prices include VAT.' })
  taxMode!: TaxMode;

  @Field(() => InvoiceType, { description: 'The invoice type the tenant asked for.' })
  preferredInvoiceType!: InvoiceType;

  @Field(() => Date, { description: 'When this version was written.' })
  createdAt!: Date;
}

export function toContractTermsNode(version: ContractVersion, currency: CurrencyCode): ContractTermsNode {
  return Object.assign(new ContractTermsNode(), {
    version: version.version,
    effectivePeriod: periodOfDate(version.effectiveFrom),
    billingMode: version.billingMode,
    discountPercent: decimal(version.discountPercent).toFixed(),
    tierDiscounts: version.tierDiscounts.map((discount) => Object.assign(new TierDiscountNode(), discount)),
    monthlyCommitment: Money.of(version.monthlyCommitment, currency),
    creditLimit: version.creditLimit ? Money.of(version.creditLimit, currency) : null,
    paymentTermsDays: version.paymentTermsDays,
    taxRate: decimal(version.taxRate).toFixed(),
    taxMode: version.taxMode,
    preferredInvoiceType: version.preferredInvoiceType,
    createdAt: version.createdAt,
  });
}

@ObjectType('Contract', {
  implements: Node,
  description: "A tenant's commercial agreement over whole months in its time zone. At most one is in force at any time.",
})
export class ContractNode extends Node {
  tenantId!: string;

  @Field(() => ContractType, { description: 'Pay-as-you-go, annual or three-year.' })
  type!: ContractType;

  @Field({ description: 'First period the contract covers ("2026-10").' })
  startPeriod!: string;

  @Field(() => String, { nullable: true, description: 'Last period it covers; null while open-ended.' })
  endPeriod!: string | null;

  @Field(() => Int, { description: 'Days of notice a termination needs.' })
  cancellationNoticeDays!: number;

  @Field(() => Date, { nullable: true, description: 'When it was terminated early, if it was.' })
  terminatedAt!: Date | null;

  @Field(() => String, { nullable: true, description: 'Why it was terminated.' })
  terminationReason!: string | null;

  @Field(() => Date, { description: 'When it was created.' })
  createdAt!: Date;

  @Field(() => Date, { description: 'When it last changed (amended or terminated).' })
  updatedAt!: Date;
}

export function toContractNode(contract: Contract): ContractNode {
  return Object.assign(new ContractNode(), {
    id: contract.id,
    tenantId: contract.tenantId,
    type: contract.type,
    startPeriod: periodOfDate(contract.startsOn),
    endPeriod: contract.endsOn ? addPeriods(periodOfDate(contract.endsOn), -1) : null,
    cancellationNoticeDays: contract.cancellationNoticeDays,
    terminatedAt: contract.terminatedAt ?? null,
    terminationReason: contract.terminationReason ?? null,
    createdAt: contract.createdAt,
    updatedAt: contract.updatedAt,
  });
}

export const ContractConnection = connectionType(ContractNode, 'Contract');
export const ContractPayload = payloadType('ContractPayload', 'contract', ContractNode, 'Result of a contract mutation.');

@InputType('TierDiscountInput', { description: 'A discount for one model tier.' })
export class TierDiscountInput {
  @Field(() => ModelTier, { description: 'The model tier.' })
  tier!: ModelTier;

  @Field(() => DecimalScalar, { description: 'Percent off, 0 to 100, at most 2 decimal places.' })
  percent!: string;
}

@InputType('ContractTermsInput', { description: 'Commercial terms of a new contract. Omitted fields take the defaults shown.' })
export class ContractTermsInput {
  @Field(() => BillingMode, { description: 'Prepaid or postpaid.' })
  billingMode!: BillingMode;

  @Field(() => DecimalScalar, { nullable: true, description: 'Percent off all usage, 0 to 100 (default "0").' })
  discountPercent?: string | null;

  @Field(() => [TierDiscountInput], { nullable: true, description: 'Discounts per model tier, each tier at most once (default none).' })
  tierDiscounts?: TierDiscountInput[] | null;

  @Field(() => DecimalScalar, { nullable: true, description: 'Minimum net usage per month in the tenant\'s currency (default "0": none).' })
  monthlyCommitment?: string | null;

  @Field(() => DecimalScalar, { nullable: true, description: 'Postpaid only: the most the tenant may owe (default none).' })
  creditLimit?: string | null;

  @Field(() => Int, { nullable: true, description: 'Days from finalization to the due date, 0 to 365 (default 30).' })
  paymentTermsDays?: number | null;

  @Field(() => DecimalScalar, { nullable: true, description: 'VAT rate from 0 to below 1, at most 4 decimal places (default "0.06").' })
  taxRate?: string | null;

  @Field(() => TaxMode, { nullable: true, description: 'Whether prices include VAT (default TAX_EXCLUSIVE).' })
  taxMode?: TaxMode | null;

  @Field(() => InvoiceType, { nullable: true, description: 'Preferred invoice type (default NORMAL).' })
  preferredInvoiceType?: InvoiceType | null;
}

@InputType('ContractTermsChangeInput', { description: 'Terms to change in an amendment; omitted fields keep their value.' })
export class ContractTermsChangeInput {
  @Field(() => BillingMode, { nullable: true, description: 'Prepaid or postpaid.' })
  billingMode?: BillingMode | null;

  @Field(() => DecimalScalar, { nullable: true, description: 'Percent off all usage, 0 to 100.' })
  discountPercent?: string | null;

  @Field(() => [TierDiscountInput], { nullable: true, description: 'Replaces the tier discounts ([] removes them).' })
  tierDiscounts?: TierDiscountInput[] | null;

  @Field(() => DecimalScalar, { nullable: true, description: 'Minimum net usage per month.' })
  monthlyCommitment?: string | null;

  @Field(() => DecimalScalar, { nullable: true, description: 'Postpaid credit limit (use clearCreditLimit to remove it).' })
  creditLimit?: string | null;

  @Field(() => Int, { nullable: true, description: 'Days from finalization to the due date.' })
  paymentTermsDays?: number | null;

  @Field(() => DecimalScalar, { nullable: true, description: 'VAT rate.' })
  taxRate?: string | null;

  @Field(() => TaxMode, { nullable: true, description: 'Whether prices include VAT.' })
  taxMode?: TaxMode | null;

  @Field(() => InvoiceType, { nullable: true, description: 'Preferred invoice type.' })
  preferredInvoiceType?: InvoiceType | null;
}

@InputType('ContractCreateInput', { description: 'A new contract for a tenant (operator only).' })
export class ContractCreateInput {
  @Field(() => ID, { description: 'The tenant.' })
  tenantId!: string;

  @Field(() => ContractType, { description: 'ANNUAL runs 12 months, THREE_YEAR 36; PAY_AS_YOU_GO until terminated.' })
  type!: ContractType;

  @Field({ description: 'First period covered, "YYYY-MM"; must come after the tenant\'s last billed period and overlap no other contract.' })
  startPeriod!: string;

  @Field(() => Int, { defaultValue: 30, description: 'Days of notice a termination needs, 0 to 730.' })
  cancellationNoticeDays!: number;

  @Field(() => ContractTermsInput, { description: 'The terms from startPeriod on.' })
  terms!: ContractTermsInput;
}

@InputType('ContractAmendInput', { description: 'New terms from a period on; earlier versions stay in the history.' })
export class ContractAmendInput {
  @Field(() => ID, { description: 'The contract.' })
  contractId!: string;

  @Field({ description: 'First period the new terms apply to, "YYYY-MM": inside the contract and after the last billed period.' })
  effectivePeriod!: string;

  @Field(() => ContractTermsChangeInput, { nullable: true, description: 'What changes.' })
  terms?: ContractTermsChangeInput | null;

  @Field({ defaultValue: false, description: 'Remove the credit limit.' })
  clearCreditLimit!: boolean;
}

@InputType('ContractTerminateInput', { description: 'End a contract early, respecting its notice period.' })
export class ContractTerminateInput {
  @Field(() => ID, { description: 'The contract.' })
  contractId!: string;

  @Field(() => String, {
    nullable: true,
    description: 'Last period covered, "YYYY-MM"; default and minimum: the period in which the notice, counted from today, ends.',
  })
  lastPeriod?: string | null;

  @Field({ description: 'Why, at most 500 characters.' })
  reason!: string;
}

@InputType('ContractFilterInput', { description: 'Which contracts to list.' })
export class ContractFilterInput {
  @Field(() => ID, { nullable: true, description: "Only this tenant's (tenant users always get their own)." })
  tenantId?: string | null;
}
