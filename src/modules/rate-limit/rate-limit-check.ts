import type { SpendScopeType } from '../spend/spend-counter.entity.js';
import { hasRoom, positionOf, secondsUntilRoom, slidingUsage, WINDOW_SECONDS, type RateMeasure } from './rate-window.js';
import type { RateWindowFigures, RateWindowMove } from '../spend/spend-events.js';

/** A rate limit on one of a key's scopes, with its recent windows: what the pre-call checks read. */
export interface ScopeRateLimit {
  scopeType: SpendScopeType;
  scopeId: string;
  requestsPerMinute: number | null;
  tokensPerMinute: number | null;
  /** This minute's and the previous minute's counts, as far as they are known. */
  windows: RateWindowFigures[];
}

/** The limit a call would pass, and when it would fit. */
export interface RateLimitBreach {
  scopeType: SpendScopeType;
  scopeId: string;
  measure: RateMeasure;
  limit: number;
  /** The sliding estimate of the last 60 s, rounded down. */
  used: number;
  /** The tokens the call was estimated at (1 for requests). */
  amount: number;
  /** Null when the call never fits (it alone is over the limit). */
  retryAfterSeconds: number | null;
}

/** The first limit that has no room for one more request carrying `tokens`, requests before tokens. */
export function firstRateLimitBreach(limits: readonly ScopeRateLimit[], tokens: number, now: Date): RateLimitBreach | null {
  for (const limit of limits) {
    const checks: [RateMeasure, number | null, number][] = [
      ['requests', limit.requestsPerMinute, 1],
      ['tokens', limit.tokensPerMinute, tokens],
    ];
    for (const [measure, perMinute, amount] of checks) {
      if (perMinute === null) continue;
      const position = positionOf(limit.windows, measure, now);
      if (hasRoom(position, perMinute, amount)) continue;
      return {
        scopeType: limit.scopeType,
        scopeId: limit.scopeId,
        measure,
        limit: perMinute,
        used: Math.floor(slidingUsage(position)),
        amount,
        retryAfterSeconds: secondsUntilRoom(position, perMinute, amount),
      };
    }
  }
  return null;
}

/**
 * Raises the windows of the limits a batch moved to the batch's totals, keeping the two latest
 * minutes: a figure with a lower revision than the one held is older and never replaces it.
 */
export function raiseRateWindow(limits: ScopeRateLimit[], move: RateWindowMove): void {
  for (const limit of limits) {
    if (limit.scopeId !== move.scopeId) continue;
    const held = limit.windows.find((window) => window.windowStart === move.windowStart);
    if (held && held.revision >= move.revision) continue;
    const figures = { windowStart: move.windowStart, requests: move.requests, tokens: move.tokens, revision: move.revision };
    const latest = Math.max(move.windowStart, ...limit.windows.map((window) => window.windowStart));
    limit.windows = [...limit.windows.filter((window) => window !== held), figures].filter((window) => window.windowStart >= latest - WINDOW_SECONDS);
  }
}
