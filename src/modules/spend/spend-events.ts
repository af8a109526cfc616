import type { CurrencyCode } from '../../platform/money.js';
import type { SpendPeriod, SpendScopeType } from './spend-counter.entity.js';

/** Published on commit by each usage batch that moved spend, to every process. */
export const SPEND_UPDATED = 'SPEND_UPDATED';

/** A counter a batch moved, with its totals after the batch and the tightest limit on it. */
export interface SpendMove {
  tenantId: string;
  scopeType: SpendScopeType;
  scopeId: string;
  period: SpendPeriod;
  periodStart: string;
  spent: string;
  requestCount: string;
  limit: string | null;
}

/** One notification per batch: every counter it moved. */
export interface SpendUpdatedEvent {
  recordedAt: string;
  currencies: Record<string, CurrencyCode>;
  moves: SpendMove[];
}
