/*
 * Per-minute counting with a sliding-window estimate, as Cloudflare counts: what a scope used in
 * the last 60 s is this minute's count plus the previous minute's, weighted by the part of the
 * previous minute still inside those 60 s. Two fixed windows per scope are exact enough and cost two
 * rows, and the estimate lets no burst of twice the limit through across a minute boundary.
 * Pure. A window's figures are declared with the event that carries them (spend-events.ts), which
 * spend, below rate limits, announces.
 */
import type { RateWindowFigures } from '../spend/spend-events.js';

export const WINDOW_SECONDS = 60;

/** What a limit is counted in. */
export type RateMeasure = 'requests' | 'tokens';

/** The start (epoch seconds) of the minute that holds `now`. */
export function windowStartOf(now: Date): number {
  return Math.floor(now.getTime() / 1000 / WINDOW_SECONDS) * WINDOW_SECONDS;
}

/** Where `now` is: this minute's and the previous minute's counts of a measure, and the seconds elapsed in this minute. */
export interface WindowPosition {
  current: number;
  previous: number;
  elapsedSeconds: number;
}

export function positionOf(windows: readonly RateWindowFigures[], measure: RateMeasure, now: Date): WindowPosition {
  const start = windowStartOf(now);
  const countAt = (windowStart: number) => Math.max(0, windows.find((window) => window.windowStart === windowStart)?.[measure] ?? 0);
  return { current: countAt(start), previous: countAt(start - WINDOW_SECONDS), elapsedSeconds: now.getTime() / 1000 - start };
}

/** The sliding estimate of what was used in the last 60 s. */
export function slidingUsage({ current, previous, elapsedSeconds }: WindowPosition): number {
  return current + (previous * (WINDOW_SECONDS - elapsedSeconds)) / WINDOW_SECONDS;
}

/** Whether `amount` more (1 request, or the estimated tokens) fits under the limit; 0 more fits while something is left. */
export function hasRoom(position: WindowPosition, limit: number, amount: number): boolean {
  const used = slidingUsage(position);
  return used < limit && used + amount <= limit;
}

/**
 * Whole seconds until `amount` more fits, if nothing else is counted meanwhile; null when it never
 * does (more than the limit in one request). Within this minute only the previous minute's weight
 * falls; once this minute is over, its count becomes the previous one and falls in turn.
 */
export function secondsUntilRoom(position: WindowPosition, limit: number, amount: number): number | null {
  if (amount > limit) return null;
  const { current, previous, elapsedSeconds } = position;
  const target = limit - amount;
  const secondsLeft = WINDOW_SECONDS - elapsedSeconds;
  const wait =
    current <= target && previous > 0
      ? Math.max(0, secondsLeft - (WINDOW_SECONDS * (target - current)) / previous)
      : secondsLeft + Math.max(0, (WINDOW_SECONDS * (current - target)) / current);
  // Past the instant of room, not on it (a limit with nothing left is not yet free at it), never 0.
  return Math.floor(wait) + 1;
}

/** A recorded call as rate limits count it: its key, the minute it occurred in and its tokens. */
export interface RecordedCall {
  tenantId: string;
  requestId: string;
  apiKeyId: string;
  windowStart: number;
  tokens: number;
}

/** The reservation a recorded call had: counted then, in its minute, with its estimated tokens. */
export interface ReservedCall {
  tenantId: string;
  requestId: string;
  windowStart: number;
  estimatedTokens: number;
}

/** What a batch's recorded calls add to one key's minute. */
export interface KeyMinuteUsage {
  tenantId: string;
  apiKeyId: string;
  /** Epoch seconds: the minute the reservation was counted in, or, for a call not reserved, the minute it occurred in. */
  windowStart: number;
  requests: number;
  tokens: number;
}

/**
 * What recorded calls add to their keys' windows that can still count (this minute and the
 * previous one): a reserved call by the tokens beyond its reservation's estimate (or below it), in
 * the minute the reservation was counted in; any other call as one request and its tokens, in
 * its own minute.
 */
export function keyMinuteUsage(recorded: RecordedCall[], reserved: ReservedCall[], now: Date): KeyMinuteUsage[] {
  const reservations = new Map(reserved.map((call) => [`${call.tenantId}\u0000${call.requestId}`, call]));
  const earliest = windowStartOf(now) - WINDOW_SECONDS;
  const byMinute = new Map<string, KeyMinuteUsage>();
  for (const call of recorded) {
    const reservation = reservations.get(`${call.tenantId}\u0000${call.requestId}`);
    const windowStart = reservation?.windowStart ?? call.windowStart;
    if (windowStart < earliest) continue;
    const key = `${call.apiKeyId}\u0000${windowStart}`;
    const usage = byMinute.get(key) ?? { tenantId: call.tenantId, apiKeyId: call.apiKeyId, windowStart, requests: 0, tokens: 0 };
    usage.requests += reservation ? 0 : 1;
    usage.tokens += call.tokens - (reservation?.estimatedTokens ?? 0);
    byMinute.set(key, usage);
  }
  return [...byMinute.values()];
}
