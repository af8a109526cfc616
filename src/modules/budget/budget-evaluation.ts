import { decimal, type Decimal } from '../../platform/money.js';
import { SpendPeriod, type SpendScopeType, type TaskStage } from '../spend/spend-counter.entity.js';
import type { CounterMove } from '../spend/spend.repository.js';
import type { LiveBudget } from './budget.repository.js';

/*
 * The budget rules of usage ingestion, pure: fed the counters a batch moved and the live budgets
 * on their scopes, they say which thresholds are reached and which months are forecast past their
 * limit. Whether an occasion was alerted already is the alert's dedupe key's business.
 */

/** What the budget alerts of a batch have in common: the budget, its scope, period and limit. */
interface BudgetOccasion {
  budgetId: string;
  tenantId: string;
  scopeType: SpendScopeType;
  scopeId: string;
  period: SpendPeriod;
  periodStart: string;
  limitAmount: string;
  /** A stage budget's task stage; null for a budget of all spend. */
  stage: TaskStage | null;
}

/** A budget whose spend reached one of its thresholds. */
export interface ThresholdCrossing extends BudgetOccasion {
  threshold: number;
  spent: string;
}

/** A monthly budget whose spend, projected to the month's end, passes its limit. */
export interface BudgetForecast extends BudgetOccasion {
  projected: string;
}

/** The thresholds (whole percentages) that spend has reached: spent >= limit x threshold / 100. */
export function reachedThresholds(spent: Decimal, limit: Decimal, thresholds: number[]): number[] {
  return thresholds.filter((threshold) => spent.times(100).gte(limit.times(threshold)));
}

const DAY_MS = 86_400_000;

/**
 * This month's spend projected linearly to the month's end, when that passes a limit not yet
 * reached (a reached one is the 100 % threshold's alert); otherwise null. Only the current month
 * is forecast, and at least a day counts as elapsed, so the first hours of a month do not project
 * wildly. Times are wall-clock in the tenant's time zone, as `localNow` gives it.
 */
export function monthEndProjection(spent: Decimal, limit: Decimal, periodStart: string, localNow: string): Decimal | null {
  if (periodStart !== `${localNow.slice(0, 7)}-01` || spent.gte(limit)) return null;
  const start = new Date(`${periodStart}T00:00:00Z`);
  const monthMs = Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1) - start.getTime();
  const elapsedMs = Math.max(new Date(`${localNow}Z`).getTime() - start.getTime(), DAY_MS);
  if (!spent.times(monthMs).gt(limit.times(elapsedMs))) return null;
  return spent.times(monthMs).div(elapsedMs).toDecimalPlaces(16);
}

/** Finds the live budget of a scope and period among these. */
export function budgetLookup(budgets: LiveBudget[]): (scopeId: string, period: SpendPeriod) => LiveBudget | undefined {
  const byScopePeriod = new Map(budgets.map((budget) => [`${budget.scopeId}\u0000${budget.period}`, budget]));
  return (scopeId, period) => byScopePeriod.get(`${scopeId}\u0000${period}`);
}

/** Measures each moved counter against its scope's live budget for the period, if any. */
export function budgetOccasions(counters: CounterMove[], budgets: LiveBudget[]): { crossings: ThresholdCrossing[]; forecasts: BudgetForecast[] } {
  const budgetOf = budgetLookup(budgets);
  const crossings: ThresholdCrossing[] = [];
  const forecasts: BudgetForecast[] = [];
  for (const counter of counters) {
    const budget = budgetOf(counter.scopeId, counter.period);
    if (!budget) continue;
    const occasion: BudgetOccasion = {
      budgetId: budget.id,
      tenantId: counter.tenantId,
      scopeType: counter.scopeType,
      scopeId: counter.scopeId,
      period: counter.period,
      periodStart: counter.periodStart,
      limitAmount: budget.limitAmount,
      stage: budget.stage,
    };
    const [spent, limit] = [decimal(counter.spent), decimal(budget.limitAmount)];
    for (const threshold of reachedThresholds(spent, limit, budget.thresholds)) crossings.push({ ...occasion, threshold, spent: counter.spent });
    const projected = counter.period === SpendPeriod.MONTHLY ? monthEndProjection(spent, limit, counter.periodStart, budget.localNow) : null;
    if (projected) forecasts.push({ ...occasion, projected: projected.toFixed(16) });
  }
  return { crossings, forecasts };
}
