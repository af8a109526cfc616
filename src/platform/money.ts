import { Decimal as BaseDecimal } from 'decimal.js';

/** Exact decimal arithmetic for money: never a binary float. 40 significant digits, half-up. */
export const Decimal = BaseDecimal.clone({ precision: 40, rounding: BaseDecimal.ROUND_HALF_UP });
export type Decimal = BaseDecimal;

export enum CurrencyCode {
  CNY = 'CNY',
  USD = 'USD',
  EUR = 'EUR',
  HKD = 'HKD',
}

/** Minor-unit digits per currency (fen, cent). */
const MINOR_DIGITS: Record<CurrencyCode, number> = { CNY: 2, USD: 2, EUR: 2, HKD: 2 };

/** Plain decimal notation: optional minus, digits, optional fraction. No exponents, no spaces. */
export const DECIMAL_PATTERN = /^-?(0|[1-9]\d{0,19})(\.\d{1,20})?$/;

export function isDecimalString(value: string): boolean {
  return DECIMAL_PATTERN.test(value);
}

export function decimal(value: string | Decimal): Decimal {
  return new Decimal(value);
}

/** Rounds half-up to the currency's minor unit (0.01 for CNY). The only rounding of money there is. */
export function roundToMinorUnit(amount: Decimal, currency: CurrencyCode): Decimal {
  return amount.toDecimalPlaces(MINOR_DIGITS[currency], Decimal.ROUND_HALF_UP);
}

/** Canonical text of an amount: no exponent, no trailing zeros beyond the minor unit. */
export function formatAmount(amount: Decimal, currency: CurrencyCode): string {
  const digits = Math.max(MINOR_DIGITS[currency], amount.decimalPlaces());
  return amount.toFixed(digits);
}

/** `part` as a percentage of `whole`, half-up to 2 decimal places: a display figure, not money. */
export function percentOf(part: Decimal, whole: Decimal): Decimal {
  return part.div(whole).times(100).toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
}

export enum TaxMode {
  /** Prices are net: VAT is added per line. */
  TAX_EXCLUSIVE = 'TAX_EXCLUSIVE',
  /** Prices include VAT: each line's net is backed out of its gross. */
  TAX_INCLUSIVE = 'TAX_INCLUSIVE',
}

export interface TaxedAmount {
  net: Decimal;
  tax: Decimal;
  gross: Decimal;
}

/**
 * VAT of one bill line whose amount is already rounded to the minor unit (DESIGN 3): tax-exclusive,
 * tax = round(net x rate); tax-inclusive, net = round(gross / (1 + rate)) and tax = gross - net.
 * Negative lines (discounts) are rounded symmetrically, so a discount's tax mirrors a charge's.
 */
export function lineTax(amount: Decimal, rate: Decimal, mode: TaxMode, currency: CurrencyCode): TaxedAmount {
  if (mode === TaxMode.TAX_EXCLUSIVE) {
    const tax = roundToMinorUnit(amount.times(rate), currency);
    return { net: amount, tax, gross: amount.plus(tax) };
  }
  const net = roundToMinorUnit(amount.div(rate.plus(1)), currency);
  return { net, tax: amount.minus(net), gross: amount };
}

/**
 * Writers of amounts in one currency as the JSON exports carry them, shaped as GraphQL's Money
 * (`{ amount, currency }`) and TaxedMoney (`{ net, tax, gross }`), amounts as exact decimal text.
 */
export function moneyWriters(currency: CurrencyCode) {
  const money = (amount: string) => ({ amount, currency });
  const taxed = (net: string, tax: string, gross: string) => ({ net: money(net), tax: money(tax), gross: money(gross) });
  return { money, taxed };
}
