import { decimal, type Decimal } from '../../platform/money.js';
import type { SpendScopeType } from '../spend/spend-counter.entity.js';
import type { HourSpend } from '../spend/spend.repository.js';

/**
 * When a scope's spend in the current clock hour counts as a spike: above `multiple` times its
 * average hourly spend over the 7 local days before today, and at least `floor` (in the tenant's
 * currency), so quiet scopes do not alert on cents. Set with SPEND_SPIKE_MULTIPLE / SPEND_SPIKE_FLOOR.
 */
export interface SpendSpikeRule {
  multiple: string;
  floor: string;
}

export const DEFAULT_SPEND_SPIKE_RULE: SpendSpikeRule = { multiple: '5', floor: '10' };

/** A scope whose spend this clock hour is a spike. */
export interface SpendSpike {
  tenantId: string;
  scopeType: SpendScopeType;
  scopeId: string;
  /** Written "2026-11-10T10:00Z". */
  hourStart: string;
  spent: string;
  hourlyAverage: string;
}

const HOURS_PER_WEEK = 168;

/** The rule, multiplied out by the 168 hours of the week, so nothing is divided (and rounded) before comparing. */
export function isSpendSpike(hourSpent: Decimal, previousWeekSpent: Decimal, rule: SpendSpikeRule): boolean {
  return hourSpent.gte(rule.floor) && hourSpent.times(HOURS_PER_WEEK).gt(previousWeekSpent.times(rule.multiple));
}

/** The current hours of scopes that are spikes, with the hourly average they are measured against. */
export function spendSpikes(hours: HourSpend[], rule: SpendSpikeRule): SpendSpike[] {
  return hours
    .filter((hour) => isSpendSpike(decimal(hour.spent), decimal(hour.previousWeekSpent), rule))
    .map(({ previousWeekSpent, ...hour }) => ({ ...hour, hourlyAverage: decimal(previousWeekSpent).div(HOURS_PER_WEEK).toFixed(16) }));
}
