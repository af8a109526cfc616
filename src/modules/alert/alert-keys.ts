import type { BudgetForecast, ThresholdCrossing } from '../budget/budget-evaluation.js';
import type { BalanceLow } from './balance-low.js';
import type { SpendSpike } from './spend-spike.js';

/*
 * The dedupe key of each kind of alert: an occasion is raised once, whatever races it, because its
 * key is unique in the alert table. Each key is built here and nowhere else; stored keys keep
 * these exact forms, so changing one would raise every past occasion again.
 */

/** Once per budget, threshold and period. */
export function thresholdAlertKey(crossing: Pick<ThresholdCrossing, 'budgetId' | 'threshold' | 'periodStart'>): string {
  return `budget:${crossing.budgetId}:${crossing.threshold}:${crossing.periodStart}`;
}

/** Once per budget and month. */
export function forecastAlertKey(forecast: Pick<BudgetForecast, 'budgetId' | 'periodStart'>): string {
  return `forecast:${forecast.budgetId}:${forecast.periodStart}`;
}

/** Once per scope and UTC clock hour ("2026-11-10T10"). */
export function spikeAlertKey(spike: Pick<SpendSpike, 'scopeId' | 'hourStart'>): string {
  return `spike:${spike.scopeId}:${spike.hourStart.slice(0, 13)}`;
}

/** Once per tenant and stretch since its latest credit ("opening" before the first), so a top-up re-arms it. */
export function balanceLowAlertKey(low: Pick<BalanceLow, 'tenantId' | 'sinceEntryId'>): string {
  return `balance-low:${low.tenantId}:${low.sinceEntryId ?? 'opening'}`;
}

/** Once per endpoint and run of failures. */
export function webhookDisabledAlertKey(endpointId: string, failingSince: Date): string {
  return `webhook-disabled:${endpointId}:${failingSince.toISOString()}`;
}
