import { Field, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { Money } from '../../platform/graphql/money.types.js';
import { payloadType } from '../../platform/graphql/payload.js';
import { connectionType, Node } from '../../platform/graphql/relay.js';
import { DecimalScalar } from '../../platform/graphql/scalars.js';
import { CurrencyCode } from '../../platform/money.js';
import { ModelTier, type ModelPrice } from './model-price.entity.js';

registerEnumType(ModelTier, {
  name: 'ModelTier',
  description: 'Price class of a model; contracts may discount each tier differently.',
  valuesConfig: {
    ECONOMY: { description: 'The economy class, as the operator classes the model; 经济型 on bills and VAT invoices.' },
    STANDARD: { description: 'The standard class, as the operator classes the model; 标准型 on bills and VAT invoices.' },
    PREMIUM: { description: 'The premium class, as the operator classes the model; 高级型 on bills and VAT invoices.' },
  },
});

@ObjectType('ModelPrice', {
  implements: Node,
  description:
    "One version of a model's price in one currency. Versions are never edited: a change is a new version that supersedes this one from its effectiveFrom. Usage is priced with the version in force when it occurred.",
})
export class ModelPriceNode extends Node {
  @Field({ description: 'Model name as the gateway reports it, e.g. "gpt-4o".' })
  model!: string;

  @Field(() => ModelTier, { description: 'Price class of the model.' })
  tier!: ModelTier;

  @Field(() => CurrencyCode, { description: 'Currency of every rate; tenants are priced in their billing currency.' })
  currency!: CurrencyCode;

  @Field(() => Money, { description: 'Per million input tokens not served from cache.' })
  inputPerMillionTokens!: Money;

  @Field(() => Money, { description: 'Per million output tokens.' })
  outputPerMillionTokens!: Money;

  @Field(() => Money, { description: 'Per million input tokens served from the prompt cache.' })
  cachedInputPerMillionTokens!: Money;

  @Field(() => Money, { description: 'Per generated image.' })
  perImage!: Money;

  @Field(() => Money, { description: 'Per second of generated video.' })
  perVideoSecond!: Money;

  @Field(() => Money, { description: 'Per request, on top of the quantities.' })
  perRequest!: Money;

  @Field(() => Money, {
    nullable: true,
    description: 'What usageReserve holds for a call of this model when the gateway sends no estimate; null: the gateway must send one.',
  })
  defaultEstimate!: Money | null;

  @Field(() => Date, { description: 'When this version takes effect.' })
  effectiveFrom!: Date;

  @Field(() => Date, { nullable: true, description: 'When the next version took over; null while this is the latest version.' })
  effectiveTo!: Date | null;

  @Field(() => Date, { description: 'When the version was entered.' })
  createdAt!: Date;
}

export function toModelPriceNode(price: ModelPrice): ModelPriceNode {
  const money = (amount: string) => Money.of(amount, price.currency);
  return Object.assign(new ModelPriceNode(), {
    id: price.id,
    model: price.model,
    tier: price.tier,
    currency: price.currency,
    inputPerMillionTokens: money(price.inputPerMillion),
    outputPerMillionTokens: money(price.outputPerMillion),
    cachedInputPerMillionTokens: money(price.cachedInputPerMillion),
    perImage: money(price.perImage),
    perVideoSecond: money(price.perVideoSecond),
    perRequest: money(price.perRequest),
    defaultEstimate: price.defaultEstimate ? money(price.defaultEstimate) : null,
    effectiveFrom: price.effectiveFrom,
    effectiveTo: price.effectiveTo ?? null,
    createdAt: price.createdAt,
  });
}

export const ModelPriceConnection = connectionType(ModelPriceNode, 'ModelPrice');

@InputType('ModelPriceFilter', { description: 'Which price versions to list.' })
export class ModelPriceFilterInput {
  @Field(() => [String], { nullable: true, description: 'Only these models.' })
  models?: string[] | null;

  @Field(() => ModelTier, { nullable: true, description: 'Only this tier.' })
  tier?: ModelTier | null;

  @Field(() => CurrencyCode, { nullable: true, description: 'Only this currency.' })
  currency?: CurrencyCode | null;
}

@InputType('ModelPriceSetInput', { description: 'A new price version. Rates are exact decimals with at most 10 decimal places.' })
export class ModelPriceSetInput {
  @Field({ description: 'Model name as the gateway reports it: letters, digits and . _ : / -, at most 100 characters.' })
  model!: string;

  @Field(() => ModelTier, { description: 'Price class.' })
  tier!: ModelTier;

  @Field(() => CurrencyCode, { description: 'Currency of the rates.' })
  currency!: CurrencyCode;

  @Field(() => DecimalScalar, { description: 'Per million input tokens not served from cache.' })
  inputPerMillionTokens!: string;

  @Field(() => DecimalScalar, { description: 'Per million output tokens.' })
  outputPerMillionTokens!: string;

  @Field(() => DecimalScalar, { defaultValue: '0', description: 'Per million cached input tokens; default 0.' })
  cachedInputPerMillionTokens!: string;

  @Field(() => DecimalScalar, { defaultValue: '0', description: 'Per generated image; default 0.' })
  perImage!: string;

  @Field(() => DecimalScalar, { defaultValue: '0', description: 'Per second of video; default 0.' })
  perVideoSecond!: string;

  @Field(() => DecimalScalar, { defaultValue: '0', description: 'Per request; default 0.' })
  perRequest!: string;

  @Field(() => DecimalScalar, {
    nullable: true,
    description:
      'What usageReserve holds for a call of this model when the gateway sends no estimate: set it at least the cost of a typical large call. Null: the gateway must send one.',
  })
  defaultEstimate?: string | null;

  @Field(() => Date, {
    nullable: true,
    description:
      'When the version takes effect; default now. May be in the past only if no usage after that instant was priced with the version it supersedes.',
  })
  effectiveFrom?: Date | null;
}

export const ModelPricePayload = payloadType('ModelPricePayload', 'modelPrice', ModelPriceNode, 'Result of modelPriceSet.');
