import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { CurrencyCode, decimal, formatAmount, type Decimal } from '../money.js';
import { DecimalScalar } from './scalars.js';

registerEnumType(CurrencyCode, {
  name: 'CurrencyCode',
  description: 'ISO 4217 currency code.',
  valuesConfig: {
    CNY: { description: 'Chinese yuan (renminbi), rounded to the fen (0.01). VAT invoices are issued only for CNY bills.' },
    USD: { description: 'US dollar, rounded to the cent (0.01).' },
    EUR: { description: 'Euro, rounded to the cent (0.01).' },
    HKD: { description: 'Hong Kong dollar, rounded to the cent (0.01).' },
  },
});

@ObjectType('Money', { description: 'An exact amount of money in one currency.' })
export class Money {
  @Field(() => DecimalScalar, { description: 'The amount as an exact decimal string, e.g. "1060.00".' })
  amount!: string;

  @Field(() => CurrencyCode, { description: 'The currency of the amount.' })
  currency!: CurrencyCode;

  static of(amount: string | Decimal, currency: CurrencyCode): Money {
    return Object.assign(new Money(), { amount: formatAmount(decimal(amount), currency), currency });
  }
}

@ObjectType('TaxedMoney', { description: 'An amount with its VAT: gross = net + tax.' })
export class TaxedMoney {
  @Field(() => Money, { description: 'Before VAT.' })
  net!: Money;

  @Field(() => Money, { description: 'The VAT.' })
  tax!: Money;

  @Field(() => Money, { description: 'Including VAT.' })
  gross!: Money;

  static of(net: string, tax: string, gross: string, currency: CurrencyCode): TaxedMoney {
    return Object.assign(new TaxedMoney(), { net: Money.of(net, currency), tax: Money.of(tax, currency), gross: Money.of(gross, currency) });
  }
}
