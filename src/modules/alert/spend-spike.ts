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
