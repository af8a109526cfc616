import type { EntityManager } from '@mikro-orm/postgresql';
import type { Actor } from '../../platform/auth/actor.js';
import { ACCESS_TOKENS_CHANGED, isAffectedBy, type AccessTokensChangedEvent } from '../../platform/auth/access-tokens-changed.js';
import type { LocalPubSub } from '../../platform/events/pubsub.js';
import { ACCESS_TOKEN_PREFIX, hashSecret } from '../../platform/secrets.js';
import { findActiveAccessToken, type AccessTokenCredential } from './access-token.repository.js';

export function isExpired(credential: AccessTokenCredential, now: Date): boolean {
  return credential.expiresAt !== null && credential.expiresAt.getTime() <= now.getTime();
}

interface Entry {
  credential: AccessTokenCredential;
  /** When this entry must be read again from the database (monotonic ms). */
  freshUntil: number;
}

/**
 * Bearer-token lookups, cached per process: every request needs one, and the gateway sends
 * thousands a second. A change evicts the tokens concerned at once on the server that made it and,
 * via the ACCESS_TOKENS_CHANGED event, within milliseconds on every other; entries are also re-read
 * after FRESH_MS, which bounds the delay should the event connection be down. Unknown secrets are
 * never cached, so a new token works at once.
 */
export class AccessTokenCache {
  static readonly FRESH_MS = 5_000;
  private static readonly MAX_ENTRIES = 10_000;
  private readonly entries = new Map<string, Entry>();
  private readonly changeListeners = new Set<(change: AccessTokensChangedEvent) => void>();

  /** Evicts tokens changed on any server, as their events arrive, until the returned function is called. */
  listen(pubSub: LocalPubSub): () => Promise<void> {
    const changes = pubSub.subscribe(ACCESS_TOKENS_CHANGED);
    void (async () => {
      for await (const event of changes) this.evict(event as AccessTokensChangedEvent);
    })();
    return async () => {
      await changes.return?.();
    };
  }

  /** Calls `listener` after every eviction, until the returned function is called. */
  onChange(listener: (change: AccessTokensChangedEvent) => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  evict(change: AccessTokensChangedEvent): void {
    for (const [hash, entry] of this.entries) if (isAffectedBy(entry.credential.actor, change)) this.entries.delete(hash);
    for (const listener of this.changeListeners) listener(change);
  }

  /** Whether this secret authenticated on this server lately (its entry may be due for a re-read): a known caller, not a guess. */
  isKnown(secret: string): boolean {
    return this.entries.has(hashSecret(secret));
  }

  /** What a bearer secret stands for, expired or not, or null when it is unknown or revoked. */
  async lookup(em: EntityManager, secret: string): Promise<AccessTokenCredential | null> {
    if (!secret.startsWith(ACCESS_TOKEN_PREFIX)) return null;
    const hash = hashSecret(secret);
    const cached = this.entries.get(hash);
    if (cached && cached.freshUntil > performance.now()) return cached.credential;
    this.entries.delete(hash);
    const credential = await findActiveAccessToken(em, hash);
    if (!credential) return null;
    if (this.entries.size >= AccessTokenCache.MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(hash, { credential, freshUntil: performance.now() + AccessTokenCache.FRESH_MS });
    return credential;
  }

  /**
   * The actor behind a bearer secret, or null when it is unknown, revoked or expired. A suspended
   * tenant's tokens still authenticate: its people must still read and pay their bills.
   */
  async authenticate(em: EntityManager, secret: string, now: Date): Promise<Actor | null> {
    const credential = await this.lookup(em, secret);
    return credential && !isExpired(credential, now) ? credential.actor : null;
  }
}
