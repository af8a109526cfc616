import { Decimal, decimal } from '../../platform/money.js';

/** The rates of one price version, as exact decimal strings. */
export interface PriceRates {
  inputPerMillion: string;
  outputPerMillion: string;
  cachedInputPerMillion: string;
  perImage: string;
  perVideoSecond: string;
  perRequest: string;
}

/** What one request used. `inputTokens` excludes the cached ones, which have their own rate. */
export interface UsageQuantities {
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  imageCount: number;
  videoSeconds: number;
}

const MILLION = new Decimal(1_000_000);

/**
 * The exact cost of one request: tokens x rate / 1,000,000 per token class, plus images, video
 * seconds and the per-request fee. Nothing is rounded: with rates of at most 10 decimal places the
 * result has at most 16, which the usage and counter columns (numeric(30,16)) keep whole.
 */
export function usageCost(rates: PriceRates, usage: UsageQuantities): Decimal {
  const tokens = decimal(rates.inputPerMillion)
    .times(usage.inputTokens)
    .plus(decimal(rates.outputPerMillion).times(usage.outputTokens))
    .plus(decimal(rates.cachedInputPerMillion).times(usage.cachedInputTokens))
    .div(MILLION);
  return tokens.plus(decimal(rates.perImage).times(usage.imageCount)).plus(decimal(rates.perVideoSecond).times(usage.videoSeconds)).plus(rates.perRequest);
}
