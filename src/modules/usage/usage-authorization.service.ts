import type { RequestContext } from '../../context.js';
import { requireRole } from '../../platform/auth/actor.js';
import { USAGE_AUTHORIZERS } from '../../platform/auth/roles.js';
import type pg from 'pg';
import { nativePool, sqlTransaction } from '../../platform/database/sql.js';
import { BadInputError } from '../../platform/errors.js';
import { Money } from '../../platform/graphql/money.types.js';
import { decimal, Decimal, isDecimalString } from '../../platform/money.js';
import { API_KEY_PREFIXES, hashSecret } from '../../platform/secrets.js';
import { StoredApiKeyStatus } from '../api-key/api-key.entity.js';
import { SpendScopeType } from '../spend/spend-counter.entity.js';
import { scopeNode, toSpendNode } from '../spend/spend.service.js';
import type { SpendNode, SpendScopeNode } from '../spend/spend.types.js';
import { TenantStatus } from '../tenant/tenant.entity.js';
import { authorizationFacts, lockAndReadReservations, placeHold, type AuthorizationFacts, type LimitedScope } from './usage.repository.js';
import { UsageDenialCode, type UsageAuthorization, type UsageAuthorizeInput, type UsageDenial } from './usage.types.js';

const HTTP_STATUS: Record<UsageDenialCode, number> = {
  KEY_INVALID: 401,
  KEY_REVOKED: 401,
  KEY_EXPIRED: 401,
  TENANT_SUSPENDED: 403,
  MODEL_NOT_ALLOWED: 403,
  KEY_LIMIT_EXCEEDED: 402,
  BUDGET_EXCEEDED: 402,
  BALANCE_INSUFFICIENT: 402,
  CREDIT_LIMIT_EXCEEDED: 402,
};

function denial(code: UsageDenialCode, message: string, scope: UsageDenial['scope'] = null): UsageDenial {
  return { code, httpStatus: HTTP_STATUS[code], scope, message };
}

/** Policy checks on the key itself, in order; the first that fails decides. */
const KEY_CHECKS: ((facts: AuthorizationFacts, model: string, now: Date) => UsageDenial | null)[] = [
  (facts) => (facts.status === StoredApiKeyStatus.REVOKED ? denial(UsageDenialCode.KEY_REVOKED, 'This API key has been revoked.') : null),
  (facts, _model, now) =>
    facts.expiresAt && facts.expiresAt.getTime() <= now.getTime() ? denial(UsageDenialCode.KEY_EXPIRED, 'This API key has expired.') : null,
  (facts) =>
    facts.tenantStatus !== TenantStatus.ACTIVE ? denial(UsageDenialCode.TENANT_SUSPENDED, 'The account that owns this API key is suspended.') : null,
  (facts, model) =>
    facts.allowedModels.length > 0 && !facts.allowedModels.includes(model)
      ? denial(UsageDenialCode.MODEL_NOT_ALLOWED, `This API key may not use model "${model}".`)
      : null,
  (facts, model) => (!facts.isModelPriced ? denial(UsageDenialCode.MODEL_NOT_ALLOWED, `Model "${model}" is not available.`) : null),
];

/** A limit that applies to the call: what is left under it, and the code to deny with when that is not enough. */
interface AppliedLimit {
  code: UsageDenialCode;
  scope: SpendScopeNode;
  remaining: Decimal;
  /** The counter (or, without a period, the balance) behind it, re-read when reserving; null when not reserved against. */
  target: LimitedScope | null;
  /** The limit; null for the balance, where what is left is the balance itself. */
  limit: string | null;
  /** Names the limit in a denial message. */
  label: string;
  /** The period figures, for limits on spend (not for the balance). */
  spend: SpendNode | null;
}

function spendLimit(code: UsageDenialCode, label: string, spend: SpendNode): AppliedLimit {
  return {
    code,
    scope: spend.scope,
    remaining: decimal(spend.remaining!.amount),
    target: { scopeId: spend.scope.id, period: spend.period, periodStart: spend.periodStart },
    limit: spend.limit!.amount,
    label: `${label} (${spend.limit!.amount} ${spend.limit!.currency})`,
    spend,
  };
}

/**
 * Sources of limits, all read with the key: its own limit, every hard budget on its tenant, the
 * departments up its tree and itself, a prepaid tenant's balance, and a postpaid contract's credit limit.
 */
const LIMIT_SOURCES: ((facts: AuthorizationFacts) => AppliedLimit[])[] = [
  (facts) =>
    facts.spendLimitAmount && facts.spendLimitPeriod && facts.keyPeriodStart
      ? [
          spendLimit(
            UsageDenialCode.KEY_LIMIT_EXCEEDED,
            `The key's ${facts.spendLimitPeriod.toLowerCase()} spend limit`,
            toSpendNode({
              scope: scopeNode(SpendScopeType.API_KEY, facts.apiKeyId, facts.tenantId),
              period: facts.spendLimitPeriod,
              periodStart: facts.keyPeriodStart,
              spent: facts.keyPeriodSpent,
              requestCount: Number(facts.keyPeriodRequests),
              limit: facts.spendLimitAmount,
              currency: facts.billingCurrency,
            }),
          ),
        ]
      : [],
  (facts) =>
    facts.hardBudgets.map((budget) =>
      spendLimit(
        UsageDenialCode.BUDGET_EXCEEDED,
        `The ${budget.period.toLowerCase()} budget of ${budget.scopeType.toLowerCase().replace('_', ' ')} ${budget.scopeId}`,
        toSpendNode({
          scope: scopeNode(budget.scopeType, budget.scopeId, facts.tenantId),
          period: budget.period,
          periodStart: budget.periodStart,
          spent: budget.spent,
          requestCount: Number(budget.requestCount),
          limit: budget.limit,
          currency: facts.billingCurrency,
        }),
      ),
    ),
  (facts) =>
    facts.isPrepaid
      ? [
          {
            code: UsageDenialCode.BALANCE_INSUFFICIENT,
            scope: scopeNode(SpendScopeType.TENANT, facts.tenantId, facts.tenantId),
            remaining: decimal(facts.balance ?? '0'),
            target: { scopeId: facts.tenantId, period: null, periodStart: null },
            limit: null,
            label: `The prepaid balance (${decimal(facts.balance ?? '0').toFixed()} ${facts.billingCurrency})`,
            spend: null,
          },
        ]
      : [],
  (facts) =>
    facts.creditLimit !== null
      ? [
          {
            code: UsageDenialCode.CREDIT_LIMIT_EXCEEDED,
            scope: scopeNode(SpendScopeType.TENANT, facts.tenantId, facts.tenantId),
            remaining: decimal(facts.creditLimit).minus(facts.creditUsed ?? '0'),
            // Bills and unbilled months move slowly next to a call: the figure read with the key is used as it is.
            target: null,
            limit: facts.creditLimit,
            label: `The credit limit (${decimal(facts.creditLimit).toFixed()} ${facts.billingCurrency}; open bills and unbilled spend ${decimal(facts.creditUsed ?? '0').toFixed()})`,
            spend: null,
          },
        ]
      : [],
];

/** The first limit with too little left for the estimate, as a denial. */
function firstExceeded(limits: AppliedLimit[], estimatedCost: Decimal): UsageDenial | null {
  const exceeded = limits.find((limit) => limit.remaining.lte(0) || estimatedCost.gt(limit.remaining));
  if (!exceeded) return null;
  const message = exceeded.remaining.lte(0)
    ? `${exceeded.label} is used up.`
    : `${exceeded.label} has ${exceeded.remaining.toFixed()} left, less than the estimated cost of ${estimatedCost.toFixed()}.`;
  return denial(exceeded.code, message, exceeded.scope);
}

/** How long a reservation lasts when its request is never recorded (the call failed upstream, the gateway died). */
const HOLD_TTL_MS = 10 * 60 * 1000;

/**
 * Authorizes and reserves in one step: with the limited scopes locked, what is left is re-read as
 * limit - spent - what other calls in flight hold, and the estimate is held against every limited
 * scope until the request is recorded. Calls that reserve can therefore not together overrun a
 * limit by more than the last call's actual cost beyond its estimate.
 */
async function reserve(pool: pg.Pool, facts: AuthorizationFacts, limits: AppliedLimit[], requestId: string, estimatedCost: Decimal, now: Date): Promise<UsageDenial | null> {
  return sqlTransaction(pool, async (client) => {
    const reserved = limits.filter((limit): limit is AppliedLimit & { target: LimitedScope } => limit.target !== null);
    const figures = await lockAndReadReservations(client, facts.tenantId, requestId, reserved.map((limit) => limit.target), now);
    reserved.forEach((limit, position) => {
      const available = limit.limit === null ? decimal(figures.current[position]) : decimal(limit.limit).minus(figures.current[position]);
      limit.remaining = available.minus(figures.held[limit.target.scopeId] ?? 0);
    });
    const refusal = firstExceeded(limits, estimatedCost);
    if (!refusal) {
      await placeHold(client, {
        tenantId: facts.tenantId,
        apiKeyId: facts.apiKeyId,
        requestId,
        amount: estimatedCost.toFixed(),
        scopeIds: [...new Set(reserved.map((limit) => limit.target.scopeId))],
        now,
        expiresAt: new Date(now.getTime() + HOLD_TTL_MS),
      });
    }
    return refusal;
  });
}

function estimate(input: UsageAuthorizeInput): Decimal {
  if (input.estimatedCost == null) return new Decimal(0);
  if (!isDecimalString(input.estimatedCost) || decimal(input.estimatedCost).isNegative()) {
    throw new BadInputError('input.estimatedCost must be a decimal of at least 0.', ['input', 'estimatedCost']);
  }
  return decimal(input.estimatedCost);
}

/**
 * The gateway's pre-call check (DESIGN 4.1): key active and unexpired, tenant active, model allowed
 * and priced, then every limit that applies. Given a requestId and an estimated cost, it also
 * reserves the estimate until that request is recorded; otherwise it is a read-only check, and
 * concurrent calls may together pass a limit by what is in flight (see README).
 */
export async function authorizeUsage(context: RequestContext, input: UsageAuthorizeInput): Promise<UsageAuthorization> {
  requireRole(context.actor, USAGE_AUTHORIZERS);
  const estimatedCost = estimate(input);
  if (input.requestId != null && (input.requestId.trim() === '' || input.requestId.length > 128)) {
    throw new BadInputError('input.requestId must be 1 to 128 characters.', ['input', 'requestId']);
  }
  const unknown = (): UsageAuthorization => ({
    isAllowed: false,
    denial: denial(UsageDenialCode.KEY_INVALID, 'The API key is not valid.'),
    apiKeyId: null,
    tenantId: null,
    departmentId: null,
    remainingSpend: null,
    limits: [],
  });
  if (!Object.values(API_KEY_PREFIXES).some((prefix) => input.apiKeySecret.startsWith(prefix))) return unknown();

  const now = context.clock.now();
  const facts = await authorizationFacts(await nativePool(context.em), hashSecret(input.apiKeySecret), input.model, now);
  if (!facts) return unknown();

  const limits = LIMIT_SOURCES.flatMap((source) => source(facts));
  let refusal: UsageDenial | null = null;
  for (const check of KEY_CHECKS) {
    refusal = check(facts, input.model, now);
    if (refusal) break;
  }
  if (!refusal) {
    const requestId = input.requestId?.trim();
    refusal =
      requestId && estimatedCost.gt(0) && limits.some((limit) => limit.target !== null)
        ? await reserve(await nativePool(context.em), facts, limits, requestId, estimatedCost, now)
        : firstExceeded(limits, estimatedCost);
  }
  const tightest = limits.length ? Decimal.max(Decimal.min(...limits.map((limit) => limit.remaining)), 0) : null;
  return {
    isAllowed: refusal === null,
    denial: refusal,
    apiKeyId: facts.apiKeyId,
    tenantId: facts.tenantId,
    departmentId: facts.departmentId,
    remainingSpend: tightest ? Money.of(tightest, facts.billingCurrency) : null,
    limits: limits.flatMap(({ spend }) => (spend ? [spend] : [])),
  };
}
