import type { Dictionary } from '@mikro-orm/core';
import { Filter } from '@mikro-orm/decorators/legacy';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Actor } from '../auth/actor.js';

/**
 * Tenant scoping of ORM reads. Every tenant-owned entity carries the `tenant` filter (`TenantOwned`),
 * on by default. Its parameter, set once on the EntityManager a context is given
 * (`entityManagerFor`), says whose rows that EntityManager reads: a tenant user's tenant's, or every
 * tenant's (`acrossTenants`). An EntityManager given neither throws "No arguments provided for
 * filter 'tenant'" on its first read of such an entity, so forgetting to scope fails loudly instead
 * of reading every tenant's rows.
 *
 * The filter covers em.find / findOne / count / ... and nativeUpdate / nativeDelete. It cannot
 * cover SQL of our own: em.execute, the pg pool (nativePool, queryRows, sqlTransaction) and query
 * builders. Those paths (the gateway's usage ingestion and authorization, settlement, spend and
 * usage aggregates, the balance ledger, contract terms, department trees) stay scoped by hand:
 * each carries its own `tenant_id = $n` condition or takes its ids from a scoped read.
 */
export const TENANT_FILTER = 'tenant';

/** The filter's parameter. */
type TenantScope = { tenantId: string } | { acrossTenants: true };

/**
 * Declares an entity tenant-owned: reads return only the scoped tenant's rows, matched on
 * `property` (the tenant relation, the tenantId column, or the tenant's own id).
 */
export function TenantOwned(property: 'tenant' | 'tenantId' | 'id') {
  return Filter({
    name: TENANT_FILTER,
    default: true,
    // Declares its parameter, so MikroORM refuses to run it without one.
    cond: (scope: Dictionary) => ('tenantId' in scope ? { [property]: scope.tenantId } : {}),
  });
}

function withScope(em: EntityManager, scope: TenantScope): EntityManager {
  const fork = em.fork();
  fork.setFilterParams(TENANT_FILTER, scope);
  return fork;
}

/** A fork of `em` whose reads return only this tenant's rows. */
function forTenant(em: EntityManager, tenantId: string): EntityManager {
  return withScope(em, { tenantId });
}

/**
 * A fork of `em` whose reads return every tenant's rows: for whoever acts across tenants (the
 * operator, the gateway, the operator's ERP, the CLI and startup). Tenant users never get one.
 */
export function acrossTenants(em: EntityManager): EntityManager {
  return withScope(em, { acrossTenants: true });
}

/** The EntityManager of one request of this actor: the one place that decides how far its reads reach. */
export function entityManagerFor(em: EntityManager, actor: Actor): EntityManager {
  return actor.tenantId === null ? acrossTenants(em) : forTenant(em, actor.tenantId);
}

/**
 * Whether reads through `em` may return rows of this tenant: the filter's rule, for lookups that go
 * below the ORM by tenant id. Throws, as the filter does, when `em` was never scoped.
 */
export function reachesTenant(em: EntityManager, tenantId: string): boolean {
  const scope = em.getFilterParams<TenantScope>(TENANT_FILTER) as TenantScope | undefined;
  if (!scope) throw new Error(`No arguments provided for filter '${TENANT_FILTER}'`);
  return 'acrossTenants' in scope || scope.tenantId === tenantId;
}
