import { firstRateLimitBreach, raiseRateWindow, type ScopeRateLimit } from '../../src/modules/rate-limit/rate-limit-check.js';
import { hasRoom, keyMinuteUsage, positionOf, secondsUntilRoom, slidingUsage, windowStartOf } from '../../src/modules/rate-limit/rate-window.js';
import { SpendScopeType } from '../../src/modules/spend/spend-counter.entity.js';

const MINUTE = Date.UTC(2026, 11, 1, 10, 0) / 1000;
const at = (seconds: number) => new Date((MINUTE + seconds) * 1000);
const window = (start: number, requests: number, tokens = 0, revision = 1) => ({ windowStart: start, requests, tokens, revision });

describe('the minute windows', () => {
  it('start on the UTC minute', () => {
    expect(windowStartOf(at(0))).toBe(MINUTE);
    expect(windowStartOf(at(59.999))).toBe(MINUTE);
    expect(windowStartOf(at(60))).toBe(MINUTE + 60);
  });

  it('weigh the previous minute by the part of it still inside the last 60 s', () => {
    const windows = [window(MINUTE - 60, 60), window(MINUTE, 6)];
    expect(slidingUsage(positionOf(windows, 'requests', at(0)))).toBe(66);
    expect(slidingUsage(positionOf(windows, 'requests', at(15)))).toBe(51);
    expect(slidingUsage(positionOf(windows, 'requests', at(45)))).toBe(21);
    // A minute later the current minute has become the previous one, and the older one no longer counts.
    expect(slidingUsage(positionOf(windows, 'requests', at(90)))).toBe(3);
    expect(slidingUsage(positionOf(windows, 'requests', at(150)))).toBe(0);
  });

  it('count tokens below zero (a true-up past a dropped window) as zero', () => {
    expect(positionOf([window(MINUTE, 1, -500)], 'tokens', at(10)).current).toBe(0);
  });

  it('have room for an amount while usage plus it stays within the limit, and for nothing more once the limit is reached', () => {
    const position = { current: 9, previous: 0, elapsedSeconds: 30 };
    expect(hasRoom(position, 10, 1)).toBe(true);
    expect(hasRoom(position, 10, 2)).toBe(false);
    expect(hasRoom({ ...position, current: 10 }, 10, 0)).toBe(false);
    expect(hasRoom(position, 10, 0)).toBe(true);
  });

  it('stop a burst of twice the limit across a minute boundary', () => {
    // 10 requests at the end of one minute, then at the start of the next: fixed windows would allow 10 more.
    const position = positionOf([window(MINUTE - 60, 10)], 'requests', at(1));
    expect(hasRoom(position, 10, 1)).toBe(false);
    expect(hasRoom(positionOf([window(MINUTE - 60, 10)], 'requests', at(7)), 10, 1)).toBe(true);
  });
});

describe('seconds until room', () => {
  it('wait out this minute and part of the next when this minute alone is full', () => {
    // 10 s left, then until 10 x (60 - s) / 60 <= 9: s = 6; past the instant, so 17.
    expect(secondsUntilRoom({ current: 10, previous: 0, elapsedSeconds: 50 }, 10, 1)).toBe(17);
  });

  it('wait only for the previous minute to weigh less when this minute has room', () => {
    // 5 + 10 x (60 - 30 - t) / 60 <= 9 -> t >= 6.
    expect(secondsUntilRoom({ current: 5, previous: 10, elapsedSeconds: 30 }, 10, 1)).toBe(7);
  });

  it('are null when the amount alone is over the limit', () => {
    expect(secondsUntilRoom({ current: 0, previous: 0, elapsedSeconds: 0 }, 1_000, 1_001)).toBeNull();
  });

  it('are at least 1', () => {
    expect(secondsUntilRoom({ current: 10, previous: 0, elapsedSeconds: 59.9999 }, 10, 0)).toBeGreaterThanOrEqual(1);
  });
});

function limit(overrides: Partial<ScopeRateLimit>): ScopeRateLimit {
  return { scopeType: SpendScopeType.API_KEY, scopeId: 'key_1', requestsPerMinute: null, tokensPerMinute: null, windows: [], ...overrides };
}

describe('the first breached limit', () => {
  it('is the first scope without room, requests before tokens', () => {
    const limits = [
      limit({ requestsPerMinute: 100, tokensPerMinute: 1_000, windows: [window(MINUTE, 5, 900)] }),
      limit({ scopeType: SpendScopeType.DEPARTMENT, scopeId: 'dep_1', requestsPerMinute: 5, windows: [window(MINUTE, 4)] }),
    ];
    expect(firstRateLimitBreach(limits, 50, at(30))).toBeNull();
    expect(firstRateLimitBreach(limits, 200, at(30))).toMatchObject({ scopeId: 'key_1', measure: 'tokens', limit: 1_000, used: 900, amount: 200 });
    expect(firstRateLimitBreach(limits, 0, at(30))).toBeNull();
    const dep = [
      limit({ scopeType: SpendScopeType.DEPARTMENT, scopeId: 'dep_1', requestsPerMinute: 5, tokensPerMinute: 10, windows: [window(MINUTE, 5, 10)] }),
    ];
    expect(firstRateLimitBreach(dep, 0, at(30))).toMatchObject({ scopeId: 'dep_1', measure: 'requests', used: 5, retryAfterSeconds: 43 });
  });
});

describe('raising windows from events', () => {
  it('takes a later revision, keeps a later one it holds, and keeps two minutes', () => {
    const limits = [limit({ scopeId: 'key_1', windows: [window(MINUTE - 60, 4, 0, 3), window(MINUTE, 2, 100, 5)] })];
    raiseRateWindow(limits, { tenantId: 'ten_1', scopeId: 'key_1', ...window(MINUTE, 1, 50, 4) });
    expect(limits[0].windows).toContainEqual(window(MINUTE, 2, 100, 5));
    raiseRateWindow(limits, { tenantId: 'ten_1', scopeId: 'key_1', ...window(MINUTE, 2, 80, 6) });
    expect(limits[0].windows).toContainEqual(window(MINUTE, 2, 80, 6));
    raiseRateWindow(limits, { tenantId: 'ten_1', scopeId: 'key_1', ...window(MINUTE + 60, 1, 10, 1) });
    expect(limits[0].windows).toEqual([window(MINUTE, 2, 80, 6), window(MINUTE + 60, 1, 10, 1)]);
    raiseRateWindow(limits, { tenantId: 'ten_1', scopeId: 'other', ...window(MINUTE + 60, 9, 9, 9) });
    expect(limits[0].windows).toHaveLength(2);
  });
});

describe('keyMinuteUsage', () => {
  const now = new Date((MINUTE + 30) * 1000);
  const call = (requestId: string, windowStart: number, tokens: number, apiKeyId = 'key_1') => ({
    tenantId: 'ten_1',
    requestId,
    apiKeyId,
    windowStart,
    tokens,
  });

  it('counts a call not reserved as a request and its tokens in its own minute', () => {
    expect(keyMinuteUsage([call('a', MINUTE, 100), call('b', MINUTE, 50), call('c', MINUTE - 60, 10)], [], now)).toEqual([
      { tenantId: 'ten_1', apiKeyId: 'key_1', windowStart: MINUTE, requests: 2, tokens: 150 },
      { tenantId: 'ten_1', apiKeyId: 'key_1', windowStart: MINUTE - 60, requests: 1, tokens: 10 },
    ]);
  });

  it("trues a reserved call up (or down) to its tokens in its reservation's minute, as no further request", () => {
    const reserved = [
      { tenantId: 'ten_1', requestId: 'a', windowStart: MINUTE - 60, estimatedTokens: 80 },
      { tenantId: 'ten_1', requestId: 'b', windowStart: MINUTE, estimatedTokens: 500 },
    ];
    expect(keyMinuteUsage([call('a', MINUTE, 100), call('b', MINUTE, 200)], reserved, now)).toEqual([
      { tenantId: 'ten_1', apiKeyId: 'key_1', windowStart: MINUTE - 60, requests: 0, tokens: 20 },
      { tenantId: 'ten_1', apiKeyId: 'key_1', windowStart: MINUTE, requests: 0, tokens: -300 },
    ]);
  });

  it('leaves out what can no longer count: minutes before the previous one', () => {
    const reserved = [{ tenantId: 'ten_1', requestId: 'a', windowStart: MINUTE - 120, estimatedTokens: 10 }];
    expect(keyMinuteUsage([call('a', MINUTE, 100), call('b', MINUTE - 180, 5, 'key_2')], reserved, now)).toEqual([]);
  });
});
