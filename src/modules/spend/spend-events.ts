import type { CurrencyCode } from '../../platform/money.js';
import type { CounterMove } from './spend.repository.js';

/** One scope's counts in one UTC minute. */
export interface RateWindowFigures {
  /** Start of the minute, in seconds since the epoch. */
  windowStart: number;
  requests: number;
  /** May be below zero for a moment: a true-up of a reservation whose window was already dropped. */
  tokens: number;
  /** Rises with every write to the row, so of two figures of a window the higher revision is the later. */
  revision: number;
}

/** A window a usage batch moved, with its totals after the batch . */
export interface RateWindowMove extends RateWindowFigures {
  tenantId: string;
  scopeId: string;
}

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
