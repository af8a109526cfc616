import type { EntityManager } from '@mikro-orm/postgresql';
import type { Actor } from '../../platform/auth/actor.js';
import type { LocalPubSub } from '../../platform/events.js';
import { ACCESS_TOKEN_PREFIX, hashSecret } from '../../platform/secrets.js';
import { findActiveAccessToken } from './access-token.repository.js';

export const ACCESS_TOKEN_REVOKED = 'ACCESS_TOKEN_REVOKED';

export interface AccessTokenRevokedEvent {
  tokenId: string;
}

interface Entry {
  actor: Actor;
  /** The token's own expiry (epoch ms), checked against the request clock on every use. */
  expiresAt: number | null;
  /** When this entry must be read again from the database (monotonic ms). */
  freshUntil: number;
}

/**
 * Bearer-token lookups, cached per process: every request needs one, and the gateway sends
 * thousands a second. A revocation evicts the token at once on the server that revoked it and, via
 * the ACCESS_TOKEN_REVOKED event, within milliseconds on every other; entries are also re-read
 * after FRESH_MS, which bounds the delay should the event connection be down. Unknown secrets are
 * never cached, so a new token works at once.
 */
export class AccessTokenCache {
  static readonly FRESH_MS = 5_000;
  private static readonly MAX_ENTRIES = 10_000;
  private readonly entries = new Map<string, Entry>();

  /** Evicts tokens revoked on any server, as their events arrive, until the returned function is called. */
  listen(pubSub: LocalPubSub): () => Promise<void> {
    const revocations = pubSub.subscribe(ACCESS_TOKEN_REVOKED);
    void (async () => {
      for await (const event of revocations) this.evict((event as AccessTokenRevokedEvent).tokenId);
    })();
    return async () => {
      await revocations.return?.();
    };
  }

  evict(tokenId: string): void {
    for (const [hash, entry] of this.entries) if (entry.actor.tokenId === tokenId) this.entries.delete(hash);
  }

  /** The actor behind a bearer secret, or null when it is unknown, revoked or expired. */
  async authenticate(em: EntityManager, secret: string, now: Date): Promise<Actor | null> {
    if (!secret.startsWith(ACCESS_TOKEN_PREFIX)) return null;
    const hash = hashSecret(secret);
    let entry = this.entries.get(hash);
    if (!entry || entry.freshUntil <= performance.now()) {
      this.entries.delete(hash);
      const token = await findActiveAccessToken(em, hash);
      if (!token) return null;
      entry = { actor: token.actor, expiresAt: token.expiresAt?.getTime() ?? null, freshUntil: performance.now() + AccessTokenCache.FRESH_MS };
      if (this.entries.size >= AccessTokenCache.MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(hash, entry);
    }
    if (entry.expiresAt !== null && entry.expiresAt <= now.getTime()) return null;
    return entry.actor;
  }
}
