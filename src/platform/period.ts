import { z } from 'zod';
import { UserErrorCode } from './user-errors.js';

/**
 * A billing period: a calendar month in a tenant's time zone, written "2026-10". Contracts start,
 * change and end on period boundaries, and each period has one bill per tenant.
 */
export type Period = string;

const PERIOD_PATTERN = /^(\d{4})-(0[1-9]|1[0-2])$/;

export function isPeriod(value: string): boolean {
  return PERIOD_PATTERN.test(value);
}

/** Months a caller may name, the same span as instants (INSTANT_RANGE). */
const PERIOD_RANGE = { first: '1970-01', last: '2199-12' } as const;

export const periodInput = z
  .string()
  .regex(PERIOD_PATTERN, { message: 'must be a month written YYYY-MM, e.g. "2026-10"', abort: true })
  .refine((period) => period >= PERIOD_RANGE.first && period <= PERIOD_RANGE.last, {
    message: `must be from ${PERIOD_RANGE.first} to ${PERIOD_RANGE.last}`,
    params: { code: UserErrorCode.OUT_OF_RANGE },
  });

function parts(period: Period): [year: number, month: number] {
  const match = PERIOD_PATTERN.exec(period);
  if (!match) throw new RangeError(`not a period: ${period}`);
  return [Number(match[1]), Number(match[2])];
}

function fromParts(year: number, month: number): Period {
  const index = year * 12 + (month - 1);
  return `${String(Math.floor(index / 12)).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}`;
}

export function addPeriods(period: Period, count: number): Period {
  const [year, month] = parts(period);
  return fromParts(year, month + count);
}

/** The first local day of the period, as a date column holds it: "2026-10-01". */
export function periodFirstDay(period: Period): string {
  return `${period}-01`;
}

/** The period a local date ("2026-10-15") falls in. */
export function periodOfDate(localDate: string): Period {
  return localDate.slice(0, 7);
}

function localParts(instant: Date, timeZone: string): Record<string, number> {
  const formatted = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(instant);
  return Object.fromEntries(formatted.filter((part) => part.type !== 'literal').map((part) => [part.type, Number(part.value)]));
}

/** The local calendar date of an instant in a time zone: "2026-11-01" for 2026-10-31T16:30Z in Asia/Shanghai. */
export function localDateOf(instant: Date, timeZone: string): string {
  const local = localParts(instant, timeZone);
  return `${String(local.year).padStart(4, '0')}-${String(local.month).padStart(2, '0')}-${String(local.day).padStart(2, '0')}`;
}

/** The local date a number of calendar days after another: "2026-10-31" from "2026-10-01" and 30, whatever the clocks do between. */
export function addDays(localDate: string, days: number): string {
  const [year, month, day] = localDate.split('-').map(Number);
  return new Date(Date.UTC(year, month - 1, day + days)).toISOString().slice(0, 10);
}

export function periodOf(instant: Date, timeZone: string): Period {
  return periodOfDate(localDateOf(instant, timeZone));
}

function offsetMs(instant: Date, timeZone: string): number {
  const local = localParts(instant, timeZone);
  const asUtc = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second);
  return asUtc - Math.floor(instant.getTime() / 1000) * 1000;
}

/** The instant the period begins: local midnight of its first day in the time zone. */
export function periodStartInstant(period: Period, timeZone: string): Date {
  const [year, month] = parts(period);
  const wallClock = Date.UTC(year, month - 1, 1);
  const first = wallClock - offsetMs(new Date(wallClock), timeZone);
  // A second pass lands on the offset in force at midnight itself (it differs across a DST change).
  return new Date(wallClock - offsetMs(new Date(first), timeZone));
}

/** The instant the period is over: the start of the next one. */
export function periodEndInstant(period: Period, timeZone: string): Date {
  return periodStartInstant(addPeriods(period, 1), timeZone);
}
