import type { EntityManager, FilterQuery } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { inTransaction, type RequestContext } from '../../context.js';
import { requireRole, tenantScope } from '../../platform/auth/actor.js';
import { RATE_LIMIT_CEILING_WRITERS, RATE_LIMIT_READERS, RATE_LIMIT_WRITERS } from '../../platform/auth/roles.js';
import { OrderDirection, paginate, type PageArgs } from '../../platform/graphql/relay.js';
import { UserErrorCode, UserInputErrors, type UserErrorData } from '../../platform/user-errors.js';
import { validateInput } from '../../platform/validation.js';
import { recordAudit } from '../audit/audit.service.js';
import { resolveInputScope, resolveSpendScope } from '../spend/spend.service.js';
import { lockTenantForChange } from '../tenant/tenant.service.js';
import { DEFAULT_CEILING, RateLimit, RateLimitCeiling } from './rate-limit.entity.js';
import type { RateLimitDeleteInput, RateLimitFilterInput, RateLimitSetInput, TenantRateLimitCeilingSetInput } from './rate-limit.types.js';

const perMinute = z.number().int('must be a whole number').min(1, 'must be at least 1').max(1e9, 'must be at most 10^9');

const limitSchema = z.object({ requestsPerMinute: perMinute.nullish(), tokensPerMinute: perMinute.nullish() });
const ceilingSchema = z.object({ requestsPerMinute: perMinute, tokensPerMinute: perMinute });

/** The two measures, as their input fields name them. */
const MEASURES = ['requestsPerMinute', 'tokensPerMinute'] as const;

export interface Ceiling {
  tenantId: string;
  requestsPerMinute: number;
  tokensPerMinute: number;
  isSet: boolean;
}

async function ceilingOf(em: EntityManager, tenantId: string): Promise<Ceiling> {
  const stored = await em.findOne(RateLimitCeiling, { tenantId });
  return stored
    ? { tenantId, requestsPerMinute: stored.requestsPerMinute, tokensPerMinute: stored.tokensPerMinute, isSet: true }
    : { tenantId, ...DEFAULT_CEILING, isSet: false };
}

function auditView(limit: Pick<RateLimit, 'scopeType' | 'scopeId' | 'requestsPerMinute' | 'tokensPerMinute'>): Record<string, unknown> {
  return {
    scopeType: limit.scopeType,
    scopeId: limit.scopeId,
    requestsPerMinute: limit.requestsPerMinute ?? null,
    tokensPerMinute: limit.tokensPerMinute ?? null,
  };
}

/** A limit may allow no more than the tenant bought: each measure above the ceiling is an error on its field. */
function aboveCeiling(values: Partial<Record<(typeof MEASURES)[number], number | null>>, ceiling: Ceiling): UserErrorData[] {
  return MEASURES.flatMap((measure) => {
    const value = values[measure];
    if (value == null || value <= ceiling[measure]) return [];
    return [
      {
        code: UserErrorCode.TOO_LARGE,
        field: ['input', measure],
        message: `${measure} must be at most the tenant's ceiling of ${ceiling[measure]}, which the operator sets`,
      },
    ];
  });
}

/** Sets the rate limit of a scope, or replaces it. Changes of a tenant's limits are serialised on its row. */
export async function setRateLimit(context: RequestContext, input: RateLimitSetInput): Promise<RateLimit> {
  requireRole(context.actor, RATE_LIMIT_WRITERS);
  const values = validateInput(limitSchema, input);
  if (values.requestsPerMinute == null && values.tokensPerMinute == null) {
    throw UserInputErrors.single(UserErrorCode.BLANK, ['input', 'requestsPerMinute'], 'give requestsPerMinute or tokensPerMinute, or delete the limit');
  }
  const scope = await resolveInputScope(context, input.scope);
  return inTransaction(context, async (transaction) => {
    await lockTenantForChange(transaction, scope.tenant.id, ['input', 'scope']);
    const errors = aboveCeiling(values, await ceilingOf(transaction.em, scope.tenant.id));
    if (errors.length) throw new UserInputErrors(errors);
    const existing = await transaction.em.findOne(RateLimit, { scopeId: scope.id });
    const before = existing ? auditView(existing) : null;
    const limit = existing ?? transaction.em.create(RateLimit, { tenantId: scope.tenant.id, scopeType: scope.type, scopeId: scope.id });
    limit.requestsPerMinute = values.requestsPerMinute ?? null;
    limit.tokensPerMinute = values.tokensPerMinute ?? null;
    await recordAudit(transaction, { tenantId: scope.tenant.id, action: 'rateLimit.set', targetId: scope.id, before, after: auditView(limit) });
    return limit;
  });
}

export async function deleteRateLimit(context: RequestContext, input: RateLimitDeleteInput): Promise<RateLimit> {
  requireRole(context.actor, RATE_LIMIT_WRITERS);
  const scope = await resolveInputScope(context, input.scope);
  return inTransaction(context, async (transaction) => {
    await lockTenantForChange(transaction, scope.tenant.id, ['input', 'scope']);
    const limit = await transaction.em.findOne(RateLimit, { scopeId: scope.id });
    if (!limit) throw UserInputErrors.single(UserErrorCode.NOT_FOUND, ['input', 'scope'], 'the scope has no rate limit');
    transaction.em.remove(limit);
    await recordAudit(transaction, { tenantId: scope.tenant.id, action: 'rateLimit.delete', targetId: scope.id, before: auditView(limit), after: null });
    return limit;
  });
}

/**
 * Sets what the tenant's limits may allow at most. A ceiling below a limit the tenant has is an
 * error on its field: lowering what a tenant set is for the tenant, or the operator, to do first.
 */
export async function setRateLimitCeiling(context: RequestContext, input: TenantRateLimitCeilingSetInput): Promise<Ceiling> {
  requireRole(context.actor, RATE_LIMIT_CEILING_WRITERS);
  const values = validateInput(ceilingSchema, input);
  return inTransaction(context, async (transaction) => {
    const tenant = await lockTenantForChange(transaction, input.tenantId, ['input', 'tenantId']);
    const limits = await transaction.em.find(RateLimit, { tenantId: tenant.id });
    const errors = MEASURES.flatMap((measure) => {
      const over = limits.filter((limit) => (limit[measure] ?? 0) > values[measure]);
      if (over.length === 0) return [];
      const highest = over.reduce((most, limit) => (limit[measure]! > most[measure]! ? limit : most));
      return [
        {
          code: UserErrorCode.TOO_SMALL,
          field: ['input', measure],
          message: `${measure} must not be below a limit the tenant has: ${over.length} scope(s) allow more, up to ${highest[measure]} on ${highest.scopeType.toLowerCase().replace('_', ' ')} ${highest.scopeId}; lower or delete them first`,
        },
      ];
    });
    if (errors.length) throw new UserInputErrors(errors);
    const before = await ceilingOf(transaction.em, tenant.id);
    await transaction.em.upsert(RateLimitCeiling, { tenantId: tenant.id, ...values });
    const after: Ceiling = { tenantId: tenant.id, ...values, isSet: true };
    await recordAudit(transaction, { tenantId: tenant.id, action: 'rateLimitCeiling.set', targetId: tenant.id, before: { ...before }, after: { ...after } });
    return after;
  });
}

/** The ceiling of a tenant the caller may see. */
export function rateLimitCeiling(context: RequestContext, tenantId: string): Promise<Ceiling> {
  requireRole(context.actor, RATE_LIMIT_READERS);
  return ceilingOf(context.em, tenantId);
}

export async function listRateLimits(context: RequestContext, filter: RateLimitFilterInput | null, page: PageArgs) {
  requireRole(context.actor, RATE_LIMIT_READERS);
  const where: FilterQuery<RateLimit> = {};
  const tenantId = tenantScope(context.actor, filter?.tenantId);
  if (tenantId) where.tenantId = tenantId;
  if (filter?.scope) where.scopeId = (await resolveSpendScope(context, filter.scope, 'filter.scope')).id;
  return paginate({ em: context.em, entity: RateLimit, where, sortField: 'createdAt', direction: OrderDirection.ASC, page });
}
