import type pg from 'pg';
import type { Clock } from '../../platform/clock.js';
import { Coalescer } from '../../platform/coalescing.js';
import { sqlTransaction } from '../../platform/database/sql.js';
import { decimal, Decimal } from '../../platform/money.js';
import { countReservations, readRateWindows, type ReservedCount } from '../rate-limit/rate-limit.repository.js';
import { windowStartOf } from '../rate-limit/rate-window.js';
import type { RateWindowFigures } from '../spend/spend-events.js';
import { lockReservationScopes, placeHolds, readReservationFigures, type Hold, type LimitedScope } from '../spend/spend-hold.repository.js';
import type { UsageDenial } from './usage.types.js';

/** What a reservation decides on, re-read under the locks, with what the calls before it in its batch reserved added in. */
export interface ReservationFigures {
  /** Spent in the period, the balance, or the credit used, per target in the reservation's order. */
  current: string[];
  /** Held against a scope by calls in flight, other than this request's own earlier hold. */
  held(scopeId: string): Decimal;
  /** A rate-limited scope's windows of this minute and the previous one. */
  windows(scopeId: string): RateWindowFigures[];
}

/** A call to hold an estimate for: the key and tenant policy passed, its limits known. */
export interface Reservation {
  hold: Omit<Hold, 'scopeIds' | 'createdAt'>;
  /** What each limit is measured against, in the order `decide` reads them. */
  targets: LimitedScope[];
  rateLimitedScopeIds: string[];
  /** Refuses the call, or allows it (null), from the figures under the locks. */
  decide(figures: ReservationFigures, now: Date): UsageDenial | null;
  /** Writes what goes with an allowed call's hold, in the transaction that places it. */
  placed?(client: pg.ClientBase): Promise<void>;
}

const NOTHING = new Decimal(0);

/** Reservations are taken into a batch while it holds fewer than this. */
const MAX_BATCH = 200;

/**
 * Places holds for usageReserve, calls that arrive together in one transaction (platform/coalescing.ts):
 * the scopes of every call in the batch are locked at once (advisory locks in a fixed order, so
 * reservations of a scope queue on every instance), their figures and holds read in one statement,
 * and the calls decided in turn, each seeing what those before it in the batch held and counted.
 * Two reservations of one request never share a batch: the later replaces the earlier's hold.
 */
export class UsageReservations {
  private readonly calls = new Coalescer<Reservation, UsageDenial | null>((batch) => this.reserveTogether(batch), {
    maxWeight: MAX_BATCH,
    key: ({ hold }) => JSON.stringify([hold.tenantId, hold.requestId]),
  });

  constructor(
    private readonly pool: pg.Pool,
    private readonly clock: Clock,
  ) {}

  /** Holds the call's estimate against its limits and counts it in its rate limits; or the refusal, holding nothing. */
  reserve(reservation: Reservation): Promise<UsageDenial | null> {
    return this.calls.submit(reservation);
  }

  private reserveTogether(batch: Reservation[]): Promise<(UsageDenial | null)[]> {
    return sqlTransaction(this.pool, async (client) => {
      const now = this.clock.now();
      const targets = batch.flatMap((reservation) => reservation.targets);
      const rateLimitedScopeIds = [...new Set(batch.flatMap((reservation) => reservation.rateLimitedScopeIds))];
      const scopeIds = [...new Set([...targets.map((target) => target.scopeId), ...rateLimitedScopeIds])];
      const tenantIds = [...new Set(batch.map(({ hold }) => hold.tenantId))];
      await lockReservationScopes(client, { scopeIds, tenantIds }, now);
      const figures = await readReservationFigures(client, { targets, scopeIds, tenantIds, requests: batch.map(({ hold }) => hold) }, now);
      const windows = rateLimitedScopeIds.length ? await readRateWindows(client, rateLimitedScopeIds, now) : new Map<string, RateWindowFigures[]>();
      const held = new Map([...figures.held].map(([scopeId, amount]) => [scopeId, decimal(amount)]));
      const counted = new Map<string, ReservedCount>();
      const holds: Hold[] = [];
      let position = 0;
      const decisions = batch.map((reservation) => {
        const current = figures.current.slice(position, (position += reservation.targets.length));
        const denial = reservation.decide({ current, held: (scopeId) => held.get(scopeId) ?? NOTHING, windows: (scopeId) => windows.get(scopeId) ?? [] }, now);
        if (denial) return denial;
        const heldScopeIds = [...new Set(reservation.targets.map((target) => target.scopeId))];
        for (const scopeId of heldScopeIds) held.set(scopeId, (held.get(scopeId) ?? NOTHING).plus(reservation.hold.amount));
        holds.push({ ...reservation.hold, scopeIds: heldScopeIds, createdAt: now });
        for (const scopeId of reservation.rateLimitedScopeIds) {
          const count = counted.get(scopeId) ?? { tenantId: reservation.hold.tenantId, scopeId, requests: 0, tokens: 0 };
          count.requests += 1;
          count.tokens += reservation.hold.estimatedTokens;
          counted.set(scopeId, count);
          windows.set(scopeId, withReservation(windows.get(scopeId) ?? [], now, reservation.hold.estimatedTokens));
        }
        return null;
      });
      // The holds before the windows: recording takes holds, then windows, so the two never wait on each other in a circle.
      if (holds.length) await placeHolds(client, holds);
      if (counted.size) await countReservations(client, [...counted.values()], now);
      for (const [position, reservation] of batch.entries()) if (!decisions[position]) await reservation.placed?.(client);
      return decisions;
    });
  }
}

/** A scope's windows with one more reserved call (and its tokens) in this minute's. */
function withReservation(windows: RateWindowFigures[], now: Date, tokens: number): RateWindowFigures[] {
  const windowStart = windowStartOf(now);
  const current = windows.find((window) => window.windowStart === windowStart) ?? { windowStart, requests: 0, tokens: 0, revision: 0 };
  return [
    ...windows.filter((window) => window !== current),
    { windowStart, requests: current.requests + 1, tokens: current.tokens + tokens, revision: current.revision + 1 },
  ];
}
