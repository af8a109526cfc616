import type { CurrencyCode } from '../../platform/money.js';
import type { RateWindowMove } from '../rate-limit/rate-window.js';
import type { CounterMove } from './spend.repository.js';

/** Topic of the `spendUpdated` subscription. */
export const SPEND_UPDATED = 'SPEND_UPDATED';

/**
 * One notification per usage batch: every counter it moved, with totals after it and the limit in
 * force, and every rate-limit window it moved, with its totals after it.
 */
export interface SpendUpdatedEvent {
  recordedAt: string;
  currencies: Record<string, CurrencyCode>;
  moves: (CounterMove & { limit: string | null })[];
  rateWindows: RateWindowMove[];
}

/** A counter a batch moved, as the event carries it. */
export type SpendMove = SpendUpdatedEvent['moves'][number];
