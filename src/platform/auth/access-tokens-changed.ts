import type { Actor } from './actor.js';

/**
 * Published (with `publishOnCommit`) by every change to what tokens may do: a token revoked (or, in
 * future, given another role), a tenant suspended or reactivated. Each server evicts the tokens
 * concerned and re-checks the connections they hold open. Declared here, with the actor, because
 * features that own neither tokens nor tenants' status announce and hear it.
 */
export const ACCESS_TOKENS_CHANGED = 'ACCESS_TOKENS_CHANGED';

/** One token, or every token of a tenant. */
export type AccessTokensChangedEvent = { tokenId: string } | { tenantId: string };

export function isAffectedBy(actor: Actor, change: AccessTokensChangedEvent): boolean {
  return 'tokenId' in change ? actor.tokenId === change.tokenId : actor.tenantId === change.tenantId;
}
