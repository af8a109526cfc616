import type { EntityManager } from '@mikro-orm/postgresql';
import type { Actor } from '../../platform/auth/actor.js';
import type { Role } from '../../platform/auth/roles.js';
import { nativePool, parseTimestamptz } from '../../platform/database/sql.js';
import type { TenantStatus } from '../tenant/tenant.entity.js';

/** What a bearer secret stands for: the caller, until when, and whether its tenant is in service. */
export interface AccessTokenCredential {
  actor: Actor;
  expiresAt: Date | null;
  /** Null for platform-wide tokens. */
  tenantStatus: TenantStatus | null;
}

/** The unrevoked token with this secret hash: one prepared statement, as it runs on cache misses of every request. */
export function findActiveAccessToken(em: EntityManager, secretHash: string): Promise<AccessTokenCredential | null> {
  return findActive(em, 'find-active-access-token', 'token.secret_hash', secretHash);
}

/** The unrevoked token with this id (a signed export link names its token by id). */
export function findActiveAccessTokenById(em: EntityManager, tokenId: string): Promise<AccessTokenCredential | null> {
  return findActive(em, 'find-active-access-token-by-id', 'token.id', tokenId);
}

async function findActive(em: EntityManager, name: string, column: 'token.secret_hash' | 'token.id', value: string): Promise<AccessTokenCredential | null> {
  const { rows } = await (
    await nativePool(em)
  ).query<{
    id: string;
    role: Role;
    tenant_id: string | null;
    expires_at: string | null;
    tenant_status: TenantStatus | null;
  }>({
    name,
    text: `select token.id, token.role, token.tenant_id, token.expires_at, tenant.status as tenant_status
           from access_token token left join tenant on tenant.id = token.tenant_id
           where ${column} = $1 and token.revoked_at is null`,
    values: [value],
  });
  const [token] = rows;
  return token
    ? {
        actor: { tokenId: token.id, role: token.role, tenantId: token.tenant_id },
        expiresAt: parseTimestamptz(token.expires_at),
        tenantStatus: token.tenant_status,
      }
    : null;
}
