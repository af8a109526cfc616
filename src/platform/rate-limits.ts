import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { Actor } from './auth/actor.js';
import { Role } from './auth/roles.js';

/** A bucket of query cost points: holds at most `maximum`, refills `restorePerSecond` continuously. */
export interface BucketLimit {
  maximum: number;
  restorePerSecond: number;
}

/**
 * Every limit, per server instance: behind a load balancer with N instances a caller can get up
 * to N times these (README, "Rate limits").
 */
export interface RateLimitConfig {
  /** The gateway's own budget, so portal traffic never starves usageAuthorize and usageRecord. */
  gateway: BucketLimit;
  /** Operator staff (PLATFORM_ADMIN): bulk work through the API. */
  operator: BucketLimit;
  /** Tenant users and ERP systems. */
  standard: BucketLimit;
  /** Failed authentications per client address before it gets 429 for `blockSeconds`. */
  failedAuthentication: { attempts: number; perSeconds: number; blockSeconds: number };
  /** Renders (PDF and other exports) in flight: per token, and in the whole process. */
  renders: { perToken: number; perProcess: number };
}

export const DEFAULT_RATE_LIMITS: RateLimitConfig = {
  gateway: { maximum: 1_000_000, restorePerSecond: 200_000 },
  operator: { maximum: 40_000, restorePerSecond: 4_000 },
  standard: { maximum: 10_000, restorePerSecond: 1_000 },
  failedAuthentication: { attempts: 30, perSeconds: 60, blockSeconds: 60 },
  renders: { perToken: 2, perProcess: 4 },
};

/** What a caller's bucket holds, as `extensions.cost.throttleStatus` reports it (Shopify's shape). */
export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

export type Charge = { allowed: true; status: ThrottleStatus } | { allowed: false; status: ThrottleStatus; retryAfterSeconds: number };

interface Bucket {
  points: number;
  /** performance.now() when `points` was measured. */
  at: number;
  limit: BucketLimit;
}

function levelOf(bucket: Bucket, now: number): number {
  return Math.min(bucket.limit.maximum, bucket.points + ((now - bucket.at) / 1000) * bucket.limit.restorePerSecond);
}

/** Buckets of callers that are full again are dropped once this many are held. */
const PRUNE_AT = 10_000;

/**
 * Leaky buckets of cost points per access token (Shopify's calculated query cost): a request
 * takes its requested cost up front and gets back what it did not use. rate-limiter-flexible
 * limits fixed windows, not a continuously refilling bucket, so this part is our own.
 */
export class CostBuckets {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly config: RateLimitConfig) {}

  limitOf(actor: Actor): BucketLimit {
    if (actor.role === Role.GATEWAY) return this.config.gateway;
    if (actor.role === Role.PLATFORM_ADMIN) return this.config.operator;
    return this.config.standard;
  }

  private level(key: string, limit: BucketLimit, now: number): number {
    const bucket = this.buckets.get(key);
    return bucket ? levelOf(bucket, now) : limit.maximum;
  }

  private status(limit: BucketLimit, points: number): ThrottleStatus {
    return { maximumAvailable: limit.maximum, currentlyAvailable: Math.floor(points), restoreRate: limit.restorePerSecond };
  }

  /** Takes `cost` points from the actor's bucket, or says how long until it could. */
  take(actor: Actor, cost: number, now = performance.now()): Charge {
    const limit = this.limitOf(actor);
    const points = this.level(actor.tokenId, limit, now);
    if (points < cost) {
      return { allowed: false, status: this.status(limit, points), retryAfterSeconds: Math.max(1, Math.ceil((cost - points) / limit.restorePerSecond)) };
    }
    if (this.buckets.size >= PRUNE_AT) this.prune(now);
    this.buckets.set(actor.tokenId, { points: points - cost, at: now, limit });
    return { allowed: true, status: this.status(limit, points - cost) };
  }

  /** Returns points a request took but did not use. */
  give(actor: Actor, points: number, now = performance.now()): ThrottleStatus {
    const limit = this.limitOf(actor);
    const level = Math.min(limit.maximum, this.level(actor.tokenId, limit, now) + Math.max(0, points));
    this.buckets.set(actor.tokenId, { points: level, at: now, limit });
    return this.status(limit, level);
  }

  private prune(now: number): void {
    for (const [key, bucket] of this.buckets) if (levelOf(bucket, now) >= bucket.limit.maximum) this.buckets.delete(key);
  }
}

/** How many of a kind of work run at once, per key and in all. */
export class ConcurrencyLimit {
  private readonly running = new Map<string, number>();
  private total = 0;

  constructor(private readonly limits: { perKey: number; total: number }) {}

  /** A release function, or undefined when the key or the process is at its limit. */
  tryAcquire(key: string): (() => void) | undefined {
    const current = this.running.get(key) ?? 0;
    if (current >= this.limits.perKey || this.total >= this.limits.total) return undefined;
    this.running.set(key, current + 1);
    this.total += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.total -= 1;
      const left = (this.running.get(key) ?? 1) - 1;
      if (left === 0) this.running.delete(key);
      else this.running.set(key, left);
    };
  }
}

/** Failed authentications per client address (rate-limiter-flexible); over the limit, the address waits. */
export class FailedAuthenticationThrottle {
  private readonly limiter: RateLimiterMemory;

  constructor(config: RateLimitConfig['failedAuthentication']) {
    this.limiter = new RateLimiterMemory({ points: config.attempts, duration: config.perSeconds, blockDuration: config.blockSeconds });
  }

  /** Seconds the address must wait before trying again, or 0. */
  async waitFor(address: string): Promise<number> {
    const state = await this.limiter.get(address);
    return state && state.remainingPoints <= 0 ? Math.max(1, Math.ceil(state.msBeforeNext / 1000)) : 0;
  }

  /** Counts a failure; the seconds to wait when it was one too many, else 0. */
  async fail(address: string): Promise<number> {
    try {
      await this.limiter.consume(address);
      return 0;
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) return Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
      throw rejection;
    }
  }
}
