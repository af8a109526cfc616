import type { EntityManager } from '@mikro-orm/postgresql';
import type { Actor } from '../../platform/auth/actor.js';
import type { Clock } from '../../platform/clock.js';
import type { Logger } from '../../platform/logger.js';
import { TenantStatus } from '../tenant/tenant.entity.js';
import { isAffectedBy } from '../../platform/auth/access-tokens-changed.js';
import { isExpired, type AccessTokenCache } from './access-token-cache.js';
import type { AccessTokenCredential } from './access-token.repository.js';

const TENANT_REFUSALS: Record<TenantStatus, string | null> = {
  [TenantStatus.ACTIVE]: null,
  [TenantStatus.SUSPENDED]: 'Tenant suspended',
  [TenantStatus.CLOSED]: 'Tenant closed',
};

/**
 * Why a token may not hold a live session (null: it may), for the session's client to read.
 * Live spend and alerts are service, which a tenant has only while ACTIVE; HTTP reads go on.
 * `heldAs` is the actor the session was opened as: a token changed since ends it.
 */
export function sessionRefusal(credential: AccessTokenCredential | null, now: Date, heldAs: Actor): string | null {
  if (!credential) return 'Access token revoked';
  if (isExpired(credential, now)) return 'Access token expired';
  if (credential.actor.role !== heldAs.role) return 'Access token role changed';
  return credential.tenantStatus ? TENANT_REFUSALS[credential.tenantStatus] : null;
}

interface Session {
  actor: Actor;
  end(reason: string): void;
}

interface HeldToken {
  secret: string;
  /** The token's id and tenant, which never change; each session keeps the role it was opened with. */
  actor: Actor;
  sessions: Set<Session>;
  expiresAt: Date | null;
  expiryTimer: NodeJS.Timeout | undefined;
}

/** setTimeout fires at once for delays past 2^31 - 1 ms; a later expiry is re-armed on the way. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Long-lived sessions (WebSocket connections) by the access token that opened them. Each ends,
 * with the reason, when its token is revoked, expires, changes role, or its tenant leaves ACTIVE:
 * at once on an ACCESS_TOKENS_CHANGED eviction, at the expiry instant by timer, and, should an
 * event be lost, at the next re-check every RECHECK_MS (through the cache, so within
 * RECHECK_MS + AccessTokenCache.FRESH_MS).
 */
export class AccessTokenSessions {
  static readonly RECHECK_MS = 5_000;
  private readonly tokens = new Map<string, HeldToken>();
  private isSweeping = false;

  constructor(
    private readonly cache: AccessTokenCache,
    private readonly entityManager: () => EntityManager,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** Follows token changes and re-checks every open session periodically, until the returned function is called. */
  start(): () => void {
    const stopFollowing = this.cache.onChange((change) => {
      for (const [tokenId, held] of this.tokens) if (isAffectedBy(held.actor, change)) void this.recheck(tokenId);
    });
    const interval = setInterval(() => void this.sweep(), AccessTokenSessions.RECHECK_MS).unref();
    return () => {
      stopFollowing();
      clearInterval(interval);
      for (const held of this.tokens.values()) clearTimeout(held.expiryTimer);
    };
  }

  /**
   * Holds a session of the token behind `secret`, as `credential` (just looked up) describes it;
   * `end` is called at most once, with the reason. Returns the release for a session that ends on
   * its own.
   */
  hold(secret: string, credential: AccessTokenCredential, end: (reason: string) => void): () => void {
    const { tokenId } = credential.actor;
    let held = this.tokens.get(tokenId);
    if (!held) {
      held = { secret, actor: credential.actor, sessions: new Set(), expiresAt: null, expiryTimer: undefined };
      this.tokens.set(tokenId, held);
      this.armExpiry(tokenId, held, credential.expiresAt);
    }
    const session: Session = { actor: credential.actor, end };
    held.sessions.add(session);
    return () => this.release(tokenId, session);
  }

  /** One token at a time: a sweep over thousands of tokens must not open thousands of queries at once. */
  private async sweep(): Promise<void> {
    if (this.isSweeping) return;
    this.isSweeping = true;
    try {
      for (const tokenId of [...this.tokens.keys()]) await this.recheck(tokenId);
    } finally {
      this.isSweeping = false;
    }
  }

  private release(tokenId: string, session: Session): void {
    const held = this.tokens.get(tokenId);
    if (!held?.sessions.delete(session) || held.sessions.size > 0) return;
    clearTimeout(held.expiryTimer);
    this.tokens.delete(tokenId);
  }

  private async recheck(tokenId: string): Promise<void> {
    const held = this.tokens.get(tokenId);
    if (!held) return;
    let credential: AccessTokenCredential | null;
    try {
      credential = await this.cache.lookup(this.entityManager(), held.secret);
    } catch (error) {
      // Sessions stay open while the database cannot answer; the next re-check tries again.
      this.logger.warn({ err: error, tokenId }, 'access token re-check failed');
      return;
    }
    const now = this.clock.now();
    for (const session of held.sessions) {
      const reason = sessionRefusal(credential, now, session.actor);
      if (reason) {
        this.release(tokenId, session);
        session.end(reason);
      }
    }
    if (credential && this.tokens.get(tokenId) === held) this.armExpiry(tokenId, held, credential.expiresAt);
  }

  private armExpiry(tokenId: string, held: HeldToken, expiresAt: Date | null): void {
    if (held.expiryTimer && held.expiresAt?.getTime() === expiresAt?.getTime()) return;
    clearTimeout(held.expiryTimer);
    held.expiresAt = expiresAt;
    held.expiryTimer = undefined;
    if (!expiresAt) return;
    const delay = Math.min(Math.max(expiresAt.getTime() - this.clock.now().getTime(), 0), MAX_TIMER_MS);
    held.expiryTimer = setTimeout(() => {
      held.expiryTimer = undefined;
      void this.recheck(tokenId);
    }, delay).unref();
  }
}
