import type { EntityManager } from '@mikro-orm/postgresql';
import type { Actor } from '../../platform/auth/actor.js';
import type { Role } from '../../platform/auth/roles.js';
import { nativePool, parseTimestamptz } from '../../platform/database/sql.js';

/** The unrevoked token with this secret hash: one prepared statement, as it runs on cache misses of every request. */
export async function findActiveAccessToken(em: EntityManager, secretHash: string): Promise<{ actor: Actor; expiresAt: Date | null } | null> {
  const { rows } = await (await nativePool(em)).query<{ id: string; role: Role; tenant_id: string | null; expires_at: string | null }>({
    name: 'find-active-access-token',
    text: 'select id, role, tenant_id, expires_at from access_token where secret_hash = $1 and revoked_at is null',
    values: [secretHash],
  });
  const [token] = rows;
  return token ? { actor: { tokenId: token.id, role: token.role, tenantId: token.tenant_id }, expiresAt: parseTimestamptz(token.expires_at) } : null;
}
