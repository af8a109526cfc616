import type { EntityManager, FilterQuery } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { inTransaction, type RequestContext } from '../../context.js';
import { requireRole, tenantScope } from '../../platform/auth/actor.js';
import { publishOnCommit } from '../../platform/events/pubsub.js';
import { ACCESS_TOKEN_ADMINS, PLATFORM_ROLES, Role, TENANT_ROLES } from '../../platform/auth/roles.js';
import { OrderDirection, paginate, type PageArgs } from '../../platform/graphql/relay.js';
import { ACCESS_TOKEN_PREFIX, displayPrefix, generateSecret, hashSecret } from '../../platform/secrets.js';
import { UserErrorCode, UserInputErrors } from '../../platform/user-errors.js';
import { futureDate, inputId, requiredText, validateInput } from '../../platform/validation.js';
import { recordAudit } from '../audit/audit.service.js';
import { Tenant } from '../tenant/tenant.entity.js';
import { ACCESS_TOKENS_CHANGED, type AccessTokensChangedEvent } from '../../platform/auth/access-tokens-changed.js';
import { AccessToken } from './access-token.entity.js';
import type { AccessTokenCreateInput, AccessTokenFilterInput, AccessTokenRevokeInput } from './access-token.types.js';

/** Roles a tenant admin may hand out, always for its own tenant. */
const TENANT_GRANTABLE_ROLES: readonly Role[] = [...TENANT_ROLES, Role.ERP];

/** Makes sure a PLATFORM_ADMIN token with exactly this secret exists (BOOTSTRAP_ADMIN_TOKEN). */
export async function ensureBootstrapToken(em: EntityManager, secret: string): Promise<void> {
  const secretHash = hashSecret(secret);
  await em.transactional(async (transaction) => {
    const existing = await transaction.findOne(AccessToken, { secretHash });
    if (existing) {
      if (existing.role !== Role.PLATFORM_ADMIN || existing.revokedAt) {
        throw new Error('BOOTSTRAP_ADMIN_TOKEN matches a token that is revoked or not PLATFORM_ADMIN; choose another secret');
      }
      return;
    }
    transaction.create(AccessToken, {
      name: 'Bootstrap admin (BOOTSTRAP_ADMIN_TOKEN)',
      role: Role.PLATFORM_ADMIN,
      tenant: null,
      secretHash,
      secretPrefix: displayPrefix(secret, ACCESS_TOKEN_PREFIX),
    });
  });
}

export async function getViewerToken(context: RequestContext): Promise<AccessToken> {
  return context.em.findOneOrFail(AccessToken, { id: context.actor.tokenId });
}

export function listAccessTokens(context: RequestContext, filter: AccessTokenFilterInput | null | undefined, page: PageArgs) {
  requireRole(context.actor, ACCESS_TOKEN_ADMINS);
  const tenantId = tenantScope(context.actor, filter?.tenantId);
  const where: FilterQuery<AccessToken> = {};
  if (tenantId) where.tenant = tenantId;
  if (!filter?.includeRevoked) where.revokedAt = null;
  return paginate({ em: context.em, entity: AccessToken, where, sortField: 'createdAt', direction: OrderDirection.DESC, page });
}

function auditView(token: AccessToken): Record<string, unknown> {
  return {
    name: token.name,
    role: token.role,
    tenantId: token.tenant?.id ?? null,
    secretPrefix: token.secretPrefix,
    expiresAt: token.expiresAt?.toISOString() ?? null,
    revokedAt: token.revokedAt?.toISOString() ?? null,
  };
}

/** Which tenant a new token belongs to, by the rules of its role and of the creator. */
async function tenantForNewToken(transaction: RequestContext, role: Role, tenantId: string | null | undefined): Promise<Tenant | null> {
  const field = ['input', 'tenantId'];
  const { actor } = transaction;
  if (actor.role === Role.TENANT_ADMIN) {
    if (!TENANT_GRANTABLE_ROLES.includes(role)) {
      throw UserInputErrors.single(UserErrorCode.NOT_PERMITTED, ['input', 'role'], `role ${role} cannot be granted by a tenant admin`);
    }
    if (tenantId && tenantId !== actor.tenantId) {
      throw UserInputErrors.single(UserErrorCode.NOT_FOUND, field, 'tenantId names no tenant you can see');
    }
    tenantId = actor.tenantId;
  } else if (PLATFORM_ROLES.includes(role)) {
    if (tenantId) throw UserInputErrors.single(UserErrorCode.INVALID, field, `tenantId must be left out for role ${role}`);
    return null;
  } else if (TENANT_ROLES.includes(role) && !tenantId) {
    throw UserInputErrors.single(UserErrorCode.BLANK, field, `tenantId is required for role ${role}`);
  }
  if (!tenantId) return null;
  const tenant = await transaction.em.findOne(Tenant, { id: inputId('Tenant', tenantId, field) });
  if (!tenant) throw UserInputErrors.single(UserErrorCode.NOT_FOUND, field, 'tenantId names no tenant you can see');
  return tenant;
}

export interface IssuedAccessToken {
  accessToken: AccessToken;
  secret: string;
}

export async function createAccessToken(context: RequestContext, input: AccessTokenCreateInput): Promise<IssuedAccessToken> {
  requireRole(context.actor, ACCESS_TOKEN_ADMINS);
  const values = validateInput(z.object({ name: requiredText(100), role: z.enum(Role), expiresAt: futureDate(context.clock.now()).nullish() }), {
    name: input.name,
    role: input.role,
    expiresAt: input.expiresAt,
  });
  return inTransaction(context, async (transaction) => {
    const tenant = await tenantForNewToken(transaction, values.role, input.tenantId);
    const secret = generateSecret(ACCESS_TOKEN_PREFIX);
    const token = transaction.em.create(AccessToken, {
      name: values.name,
      role: values.role,
      tenant,
      expiresAt: values.expiresAt ?? null,
      secretHash: hashSecret(secret),
      secretPrefix: displayPrefix(secret, ACCESS_TOKEN_PREFIX),
      createdByTokenId: transaction.actor.tokenId,
    });
    await recordAudit(transaction, { tenantId: tenant?.id ?? null, action: 'accessToken.create', targetId: token.id, after: auditView(token) });
    return { accessToken: token, secret };
  });
}

export async function revokeAccessToken(context: RequestContext, input: AccessTokenRevokeInput): Promise<AccessToken> {
  requireRole(context.actor, ACCESS_TOKEN_ADMINS);
  const revoked = await inTransaction(context, async (transaction) => {
    const field = ['input', 'accessTokenId'];
    const token = await transaction.em.findOne(AccessToken, { id: inputId('AccessToken', input.accessTokenId, field) });
    if (!token) throw UserInputErrors.single(UserErrorCode.NOT_FOUND, field, 'accessTokenId names no access token you can see');
    if (token.revokedAt) throw UserInputErrors.single(UserErrorCode.INVALID_STATE, field, 'accessTokenId names a token that is already revoked');
    const before = auditView(token);
    token.revokedAt = transaction.clock.now();
    await recordAudit(transaction, { tenantId: token.tenant?.id ?? null, action: 'accessToken.revoke', targetId: token.id, before, after: auditView(token) });
    await publishOnCommit(transaction.em, ACCESS_TOKENS_CHANGED, { tokenId: token.id } satisfies AccessTokensChangedEvent);
    return token;
  });
  // Other servers evict it when the event arrives; this one must not wait for it.
  context.accessTokens.evict({ tokenId: revoked.id });
  return revoked;
}

/** An access token the actor may see, or null. */
export async function findAccessToken(context: RequestContext, id: string): Promise<AccessToken | null> {
  requireRole(context.actor, ACCESS_TOKEN_ADMINS);
  return context.em.findOne(AccessToken, { id });
}
