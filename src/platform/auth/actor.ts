import { ForbiddenError, NotFoundError } from '../errors.js';
import { Role } from './roles.js';

/** Who is calling: resolved once per request from the bearer token. */
export interface Actor {
  tokenId: string;
  role: Role;
  /** The tenant the credential belongs to; null for platform-wide credentials. */
  tenantId: string | null;
}

export function isPlatformWide(actor: Actor): boolean {
  return actor.tenantId === null;
}

export function requireRole(actor: Actor, roles: readonly Role[]): void {
  if (!roles.includes(actor.role)) throw new ForbiddenError();
}

/**
 * The tenant a read is limited to. A tenant credential always reads its own tenant, whatever it
 * asks for; asking for another one is NOT_FOUND (no existence leak). A platform credential reads
 * the tenant it names, or every tenant when it names none (undefined).
 */
export function tenantScope(actor: Actor, requestedTenantId?: string | null): string | undefined {
  if (actor.tenantId === null) return requestedTenantId ?? undefined;
  if (requestedTenantId && requestedTenantId !== actor.tenantId) throw new NotFoundError('Tenant', requestedTenantId);
  return actor.tenantId;
}

/**
 * Whether the actor may see an object of this tenant (null: a platform-wide object) at all: for
 * what no EntityManager reads, such as events pushed to subscriptions. ORM reads need no such
 * check: the tenant filter returns nothing of another tenant's (database/tenant-scope.ts).
 */
export function canSeeTenant(actor: Actor, tenantId: string | null): boolean {
  return actor.tenantId === null || actor.tenantId === tenantId;
}
