import type pg from 'pg';
import type { RequestContext } from '../../context.js';
import { requireRole } from '../../platform/auth/actor.js';
import { USAGE_AUTHORIZERS } from '../../platform/auth/roles.js';
import { z } from 'zod';
import { nativePool } from '../../platform/database/sql.js';
import { BadInputError } from '../../platform/errors.js';
import { Money } from '../../platform/graphql/money.types.js';
import { decimal, Decimal, formatAmount, isDecimalString } from '../../platform/money.js';
import { API_KEY_PREFIXES, hashSecret } from '../../platform/secrets.js';
import { UserErrorCode, UserInputErrors } from '../../platform/user-errors.js';
import { validateInput } from '../../platform/validation.js';
import { StoredApiKeyStatus } from '../api-key/api-key.entity.js';
import { SpendScopeType } from '../spend/spend-counter.entity.js';
import { scopeNode, toSpendNode, type SpendFigures } from '../spend/spend.service.js';
import type { SpendScopeNode } from '../spend/spend.types.js';
import { TenantStatus } from '../tenant/tenant.entity.js';
import { usageCost } from '../price/rating.js';
import { firstRateLimitBreach, type RateLimitBreach, type ScopeRateLimit } from '../rate-limit/rate-limit-check.js';
import { releaseHold, stageHoldScope, type LimitedScope } from '../spend/spend-hold.repository.js';
import type { StageBudgetFigures } from '../budget/budget.repository.js';
import type { TaskStage } from '../spend/spend-counter.entity.js';
import { authorizationFacts, type AuthorizationFacts } from './usage.repository.js';
import type { ReservationFigures } from './usage-reservations.js';
import { GatewayCheck } from './usage-denial.entity.js';
import {
  UsageDenialCode,
  type UsageAuthorization,
  type UsageAuthorizeInput,
  type UsageDenial,
  type UsageReleaseInput,
  type UsageReleasePayload,
  type UsageReservePayload,
  type UsageReserveInput,
} from './usage.types.js';

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
  RATE_LIMITED: 429,
};

function denial(code: UsageDenialCode, message: string, scope: UsageDenial['scope'] = null, retryAfterSeconds: number | null = null): UsageDenial {
  return { code, httpStatus: HTTP_STATUS[code], scope, message, retryAfterSeconds };
}

/** A scope as denial messages name it: "department dep_...". */
function scopeLabel(type: SpendScopeType, id: string): string {
  return `${type.toLowerCase().replace('_', ' ')} ${id}`;
}

/** Policy checks on the key itself, in order; the first that fails decides. */
const KEY_CHECKS: ((facts: AuthorizationFacts, model: string, now: Date) => UsageDenial | null)[] = [
  (facts) => (facts.status === StoredApiKeyStatus.REVOKED ? denial(UsageDenialCode.KEY_REVOKED, 'This API key has been revoked.') : null),
  (facts, _model, now) =>
    facts.expiresAt && facts.expiresAt.getTime() <= now.getTime() ? denial(UsageDenialCode.KEY_EXPIRED, 'This API key has expired.') : null,
  (facts) => (facts.tenantStatus !== TenantStatus.ACTIVE ? denial(UsageDenialCode.TENANT_SUSPENDED, 'The account that owns this API key is suspended.') : null),
  (facts, model) =>
    facts.allowedModels.length > 0 && !facts.allowedModels.includes(model)
      ? denial(UsageDenialCode.MODEL_NOT_ALLOWED, `This API key may not use model "${model}".`)
      : null,
  (facts, model) => (!facts.price ? denial(UsageDenialCode.MODEL_NOT_ALLOWED, `Model "${model}" is not available.`) : null),
];

/** A limit that applies to the call: what is left under it, and the code to deny with when that is not enough. */
interface AppliedLimit {
  code: UsageDenialCode;
  scope: SpendScopeNode;
  remaining: Decimal;
  /** What the limit is measured against (a counter, the balance, the credit used), re-read when reserving. */
  target: LimitedScope;
  /** The limit; null for the balance, where what is left is the balance itself. */
  limit: string | null;
  /** Names the limit in a denial message (worked out only for a denial). */
  label: () => string;
  /** The period figures, for limits on spend (not for the balance); a SpendNode is built from them only when asked for. */
  figures: SpendFigures | null;
}

function spendLimit(code: UsageDenialCode, label: string, figures: SpendFigures & { limit: string }): AppliedLimit {
  return {
    code,
    scope: figures.scope,
    remaining: Decimal.max(decimal(figures.limit).minus(figures.spent), 0),
    target: { kind: 'SPEND', scopeId: figures.scope.id, period: figures.period, periodStart: figures.periodStart },
    limit: figures.limit,
    label: () => `${label} (${formatAmount(decimal(figures.limit), figures.currency)} ${figures.currency})`,
    figures,
  };
}

/** A hard budget as a limit: of all spend, or of one task stage's ("The daily DRAFT budget of ..."). */
function budgetLimit(facts: AuthorizationFacts, budget: StageBudgetFigures, stage: TaskStage | null): AppliedLimit {
  const label = `The ${budget.period.toLowerCase()}${stage ? ` ${stage}` : ''} budget of ${scopeLabel(budget.scopeType, budget.scopeId)}`;
  return spendLimit(UsageDenialCode.BUDGET_EXCEEDED, label, {
    scope: scopeNode(budget.scopeType, budget.scopeId, facts.tenantId),
    period: budget.period,
    periodStart: budget.periodStart,
    spent: budget.spent,
    requestCount: Number(budget.requestCount),
    limit: budget.limit,
    currency: facts.billingCurrency,
  });
}

/**
 * Sources of limits, all read with the key: its own limit, every hard budget on its tenant, the
 * departments up its tree and itself, a prepaid tenant's balance, and a postpaid contract's credit limit.
 */
const LIMIT_SOURCES: ((facts: AuthorizationFacts) => AppliedLimit[])[] = [
  (facts) =>
    facts.spendLimitAmount && facts.spendLimitPeriod && facts.keyPeriodStart
      ? [
          spendLimit(UsageDenialCode.KEY_LIMIT_EXCEEDED, `The key's ${facts.spendLimitPeriod.toLowerCase()} spend limit`, {
            scope: scopeNode(SpendScopeType.API_KEY, facts.apiKeyId, facts.tenantId),
            period: facts.spendLimitPeriod,
            periodStart: facts.keyPeriodStart,
            spent: facts.keyPeriodSpent,
            requestCount: Number(facts.keyPeriodRequests),
            limit: facts.spendLimitAmount,
            currency: facts.billingCurrency,
          }),
        ]
      : [],
  (facts) => facts.hardBudgets.map((budget) => budgetLimit(facts, budget, null)),
  (facts) =>
    facts.isPrepaid
      ? [
          {
            code: UsageDenialCode.BALANCE_INSUFFICIENT,
            scope: scopeNode(SpendScopeType.TENANT, facts.tenantId, facts.tenantId),
            remaining: decimal(facts.balance ?? '0'),
            target: { kind: 'BALANCE', scopeId: facts.tenantId },
            limit: null,
            label: () => `The prepaid balance (${decimal(facts.balance ?? '0').toFixed()} ${facts.billingCurrency})`,
            figures: null,
          },
        ]
      : [],
  ({ creditLimit, creditUsed, tenantId, billingCurrency }) =>
    creditLimit !== null
      ? [
          {
            code: UsageDenialCode.CREDIT_LIMIT_EXCEEDED,
            scope: scopeNode(SpendScopeType.TENANT, tenantId, tenantId),
            remaining: decimal(creditLimit).minus(creditUsed ?? '0'),
            target: { kind: 'CREDIT_USED', scopeId: tenantId },
            limit: creditLimit,
            label: () =>
              `The credit limit (${decimal(creditLimit).toFixed()} ${billingCurrency}; open bills and unbilled spend ${decimal(creditUsed ?? '0').toFixed()})`,
            figures: null,
          },
        ]
      : [],
];

/** Every limit that applies to a call with these facts. */
function appliedLimits(facts: AuthorizationFacts): AppliedLimit[] {
  return LIMIT_SOURCES.flatMap((source) => source(facts));
}

/** The limits of facts this process keeps, and the least left under any of them: an estimate within it passes them all. */
interface KeptLimits {
  limits: readonly AppliedLimit[];
  least: Decimal | null;
}

/**
 * Worked out once per facts object (the cache replaces the object when a figure moves) and only
 * read: a reservation works on limits of its own.
 */
const limitsOfKeptFacts = new WeakMap<AuthorizationFacts, KeptLimits>();

function keptLimits(facts: AuthorizationFacts): KeptLimits {
  let kept = limitsOfKeptFacts.get(facts);
  if (!kept) {
    const limits = appliedLimits(facts);
    kept = { limits, least: limits.length ? Decimal.min(...limits.map((limit) => limit.remaining)) : null };
    limitsOfKeptFacts.set(facts, kept);
  }
  return kept;
}

/** The first limit with too little left for the estimate, as a denial. */
function firstExceeded(limits: readonly AppliedLimit[], estimatedCost: Decimal): UsageDenial | null {
  const exceeded = limits.find((limit) => limit.remaining.lte(0) || estimatedCost.gt(limit.remaining));
  if (!exceeded) return null;
  const message = exceeded.remaining.lte(0)
    ? `${exceeded.label()} is used up.`
    : `${exceeded.label()} has ${exceeded.remaining.toFixed()} left, less than the estimated cost of ${estimatedCost.toFixed()}.`;
  return denial(exceeded.code, message, exceeded.scope);
}

function rateLimitMessage(breach: RateLimitBreach): string {
  const limit = `The ${breach.measure}-per-minute limit of ${scopeLabel(breach.scopeType, breach.scopeId)} (${breach.limit})`;
  const retry = breach.retryAfterSeconds === null ? '' : `; retry in ${breach.retryAfterSeconds} s`;
  if (breach.measure === 'requests') return `${limit} is reached: ${breach.used} requests in the last 60 s${retry}.`;
  if (breach.retryAfterSeconds === null) return `${limit} is less than the ${breach.amount} tokens estimated for this call alone.`;
  return `${limit} has ${Math.max(0, breach.limit - breach.used)} tokens left in the last 60 s, not enough for the ${breach.amount} estimated${retry}.`;
}

/**
 * The first rate limit with no room for the call, as a denial. Rate limits come after the key and
 * tenant policy (a refused key or model is the truer answer) and before money: a call refused for
 * its pace would be refused again a moment later for nothing, one refused for money would not.
 */
function rateRefusal(tenantId: string, rateLimits: readonly ScopeRateLimit[], tokens: number, now: Date): UsageDenial | null {
  const breach = firstRateLimitBreach(rateLimits, tokens, now);
  if (!breach) return null;
  const scope = scopeNode(breach.scopeType, breach.scopeId, tenantId);
  return denial(UsageDenialCode.RATE_LIMITED, rateLimitMessage(breach), scope, breach.retryAfterSeconds);
}

/** How long a reservation lasts when its request is never recorded (the call failed upstream, the gateway died). */
const HOLD_TTL_MS = 10 * 60 * 1000;

/**
 * Decides a reservation under its locks (usage-reservations.ts): what is left under each limit is
 * re-read as limit - spent - what other calls in flight hold, and the rate-limited scopes' windows
 * as they stand with every reservation counted. Calls that reserve can therefore not together
 * overrun a limit by more than what their actual costs exceed their estimates, and a rate limit is
 * exact. `limits` are the reservation's own: their `remaining` is set to what is left.
 */
function decideUnderLocks(facts: AuthorizationFacts, limits: AppliedLimit[], amount: Decimal, tokens: number) {
  return ({ current, held, windows }: ReservationFigures, now: Date): UsageDenial | null => {
    limits.forEach((limit, position) => {
      const available = limit.limit === null ? decimal(current[position]) : decimal(limit.limit).minus(current[position]);
      limit.remaining = available.minus(held(limit.target.scopeId));
    });
    const rateLimits = facts.rateLimits.map((limit) => ({ ...limit, windows: windows(limit.scopeId) }));
    return rateRefusal(facts.tenantId, rateLimits, tokens, now) ?? firstExceeded(limits, amount);
  };
}

/** An estimate is a usage cost: exact to 16 decimal places (as spend_hold keeps it), from 0 to below 10^12. */
const ESTIMATE_RULE = 'must be a decimal from 0 to below 10^12 with at most 16 decimal places';
const MAX_ESTIMATE = new Decimal('1e12');
const ZERO = new Decimal(0);

/** The estimate's value, or null when it breaks ESTIMATE_RULE. */
function parseEstimate(value: string): Decimal | null {
  if (!isDecimalString(value)) return null;
  const parsed = decimal(value);
  return !parsed.isNegative() && parsed.lt(MAX_ESTIMATE) && parsed.decimalPlaces() <= 16 ? parsed : null;
}

const isEstimate = (value: string) => parseEstimate(value) !== null;

function estimate(input: UsageAuthorizeInput): Decimal {
  if (input.estimatedCost == null) return ZERO;
  const parsed = parseEstimate(input.estimatedCost);
  if (!parsed) throw new BadInputError(`input.estimatedCost ${ESTIMATE_RULE}.`, ['input', 'estimatedCost']);
  return parsed;
}

const unknownKey = (): UsageAuthorization => ({
  isAllowed: false,
  denial: denial(UsageDenialCode.KEY_INVALID, 'The API key is not valid.'),
  apiKeyId: null,
  tenantId: null,
  departmentId: null,
  remainingSpend: null,
  limits: [],
});

function isApiKeySecret(secret: string): boolean {
  return Object.values(API_KEY_PREFIXES).some((prefix) => secret.startsWith(prefix));
}

/**
 * The key's facts as this process keeps them current (see AuthorizationFactsCache), read from the
 * database when it has none; null for a secret no key has.
 */
async function currentFactsOf(context: RequestContext, secret: string, model: string, now: Date): Promise<AuthorizationFacts | null> {
  if (!isApiKeySecret(secret)) return null;
  const secretHash = hashSecret(secret);
  return context.authorizationFacts.facts(secretHash, model, now, async () => authorizationFacts(await nativePool(context.em), secretHash, model, now));
}

/** The first policy check on the key that fails, as a denial. */
function keyRefusal(facts: AuthorizationFacts, model: string, now: Date): UsageDenial | null {
  for (const check of KEY_CHECKS) {
    const refusal = check(facts, model, now);
    if (refusal) return refusal;
  }
  return null;
}

/**
 * The check's answer. Its figures (the tightest remaining spend, a SpendNode per limit) are worked
 * out only when the caller asks for them: the gateway's hot path asks for isAllowed and the denial.
 */
function answer(facts: AuthorizationFacts, limits: readonly AppliedLimit[], refusal: UsageDenial | null): UsageAuthorization {
  return {
    isAllowed: refusal === null,
    denial: refusal,
    apiKeyId: facts.apiKeyId,
    tenantId: facts.tenantId,
    departmentId: facts.departmentId,
    get remainingSpend() {
      if (!limits.length) return null;
      return Money.of(Decimal.max(Decimal.min(...limits.map((limit) => limit.remaining)), 0), facts.billingCurrency);
    },
    get limits() {
      return limits.flatMap(({ figures }) => (figures ? [toSpendNode(figures)] : []));
    },
  };
}

/**
 * The gateway's read-only pre-call check (DESIGN 4.1): key active and unexpired, tenant active,
 * model allowed and priced, then every limit that applies, against the estimate if one is given.
 * Answered from the facts this process keeps current, without a database round trip when warm.
 * Approximate by what is in flight: concurrent checks may together pass a limit, and rate windows
 * here hold recorded usage (from every instance, by SPEND_UPDATED) but not other instances'
 * reservations since the facts were read. usageReserve is exact.
 */
export async function authorizeUsage(context: RequestContext, input: UsageAuthorizeInput): Promise<UsageAuthorization> {
  requireRole(context.actor, USAGE_AUTHORIZERS);
  const estimatedCost = estimate(input);
  const now = context.clock.now();
  const facts = await currentFactsOf(context, input.apiKeySecret, input.model, now);
  if (!facts) return decided(context, GatewayCheck.AUTHORIZE, input.model, unknownKey());
  const { limits, least } = keptLimits(facts);
  const mayExceed = least !== null && (least.lte(0) || estimatedCost.gt(least));
  const refusal =
    keyRefusal(facts, input.model, now) ?? rateRefusal(facts.tenantId, facts.rateLimits, 0, now) ?? (mayExceed ? firstExceeded(limits, estimatedCost) : null);
  return decided(context, GatewayCheck.AUTHORIZE, input.model, answer(facts, limits, refusal));
}

const OPERATIONS = {
  [GatewayCheck.AUTHORIZE]: 'usageAuthorize',
  [GatewayCheck.RESERVE]: 'usageReserve',
  [GatewayCheck.TASK_SUBMIT]: 'usageTaskSubmit',
} as const;

/** Counts a gateway check's answer by its decision (platform/metrics.ts), and puts a refusal on record (usage-denials.ts). */
function decided(context: RequestContext, check: GatewayCheck, model: string, authorization: UsageAuthorization): UsageAuthorization {
  context.metrics.authorizeDecisions.inc({ operation: OPERATIONS[check], decision: authorization.denial?.code ?? 'ALLOWED' });
  context.usageDenials.note(check, model, authorization);
  return authorization;
}

/** Tokens a call counts against tokens-per-minute limits: 0 with only a cost estimate, until it is recorded. */
function estimatedTokens(usage: { inputTokens: number; outputTokens: number; cachedInputTokens: number } | null | undefined): number {
  return usage ? usage.inputTokens + usage.outputTokens + usage.cachedInputTokens : 0;
}

const quantity = z.number().int('must be a whole number').min(0, 'must not be negative').max(1e12, 'must be at most 10^12');

const reserveInput = z.object({
  requestId: z.string().max(128, 'must be at most 128 characters'),
  estimatedCost: z.string().refine(isEstimate, ESTIMATE_RULE).nullish(),
  estimatedUsage: z
    .object({ inputTokens: quantity, outputTokens: quantity, cachedInputTokens: quantity, imageCount: quantity, videoSeconds: quantity })
    .nullish(),
});

/** A key the gateway may reserve for, or the refusal (already counted and on record) when the key may not call the model at all. */
export type KeyCheck = { facts: AuthorizationFacts; refusal: null } | { facts: null; refusal: UsageAuthorization };

/** The key and tenant policy checks of a reservation (usageReserve, usageTaskSubmit): unknown key, revoked, expired, suspended, model. */
export async function checkKeyToReserve(context: RequestContext, check: GatewayCheck, secret: string, model: string, now: Date): Promise<KeyCheck> {
  const facts = await currentFactsOf(context, secret, model, now);
  if (!facts) return { facts: null, refusal: decided(context, check, model, unknownKey()) };
  const refusal = keyRefusal(facts, model, now);
  if (refusal) return { facts: null, refusal: decided(context, check, model, answer(facts, appliedLimits(facts), refusal)) };
  return { facts, refusal: null };
}

/** The key's answer with nothing refused, its limits as they stand: a repeated request answered with what it made before. */
export function standingAnswer(facts: AuthorizationFacts): UsageAuthorization {
  return answer(facts, appliedLimits(facts), null);
}

/** What to hold for a request of a key that passed its checks. */
export interface HoldRequest {
  requestId: string;
  /** The estimate, a usage cost in the tenant's billing currency. */
  amount: Decimal;
  /** Tokens counted against tokens-per-minute limits now. */
  estimatedTokens: number;
  /** How long the hold lasts if the request is never recorded. */
  ttlMs: number;
  /** A task's stage and its hard stage budgets: limits of the task besides the key's. */
  stage?: { stage: TaskStage; budgets: StageBudgetFigures[] };
  /** Writes what goes with the hold, in its transaction, once it is placed (a task). */
  placed?: (client: pg.ClientBase) => Promise<void>;
}

/** A stage budget as a limit: measured against the stage's counter, and only the holds of tasks of its stage. */
function stageLimit(facts: AuthorizationFacts, stage: TaskStage, budget: StageBudgetFigures): AppliedLimit {
  const { scopeId, period, periodStart } = budget;
  const target = { kind: 'STAGE_SPEND', scopeId: stageHoldScope(scopeId, stage), spendScopeId: scopeId, stage, period, periodStart } as const;
  return { ...budgetLimit(facts, budget, stage), target };
}

/**
 * Holds a request's estimate against every limit of its key (and a task's stage budgets), exactly,
 * under the scopes' locks (usage-reservations.ts): the answer, and until when the estimate is
 * held (null when refused).
 */
export async function holdForRequest(
  context: RequestContext,
  check: GatewayCheck,
  model: string,
  facts: AuthorizationFacts,
  request: HoldRequest,
): Promise<{ authorization: UsageAuthorization; heldUntil: Date | null }> {
  const expiresAt = new Date(context.clock.now().getTime() + request.ttlMs);
  const stageLimits = request.stage ? request.stage.budgets.map((budget) => stageLimit(facts, request.stage!.stage, budget)) : [];
  const limits = [...appliedLimits(facts), ...stageLimits];
  const denied = await context.usageReservations.reserve({
    hold: {
      tenantId: facts.tenantId,
      apiKeyId: facts.apiKeyId,
      requestId: request.requestId,
      amount: request.amount.toFixed(),
      estimatedTokens: request.estimatedTokens,
      expiresAt,
    },
    targets: limits.map((limit) => limit.target),
    rateLimitedScopeIds: facts.rateLimits.map((limit) => limit.scopeId),
    decide: decideUnderLocks(facts, limits, request.amount, request.estimatedTokens),
    placed: request.placed,
  });
  return { authorization: decided(context, check, model, answer(facts, limits, denied)), heldUntil: denied ? null : expiresAt };
}

/**
 * The pre-call check that also reserves (DESIGN 4.1): what usageAuthorize checks, and, when the
 * call is allowed, its estimate (a cost, or quantities priced by the book in force now) held
 * against every limit until its usage is recorded (trued up to the real cost), it is released,
 * or it expires. With estimates at least the real cost no limit is passed, under any concurrency,
 * on any number of instances. Which limits apply, and the key's policy, are the facts this process
 * keeps current (a change reaches every instance as its event does); what is spent, held, left on
 * a balance or counted in a rate window is re-read under the scopes' locks.
 */
export async function reserveUsage(context: RequestContext, input: UsageReserveInput): Promise<Omit<UsageReservePayload, 'userErrors'>> {
  requireRole(context.actor, USAGE_AUTHORIZERS);
  const values = validateInput(reserveInput, input);
  if (values.estimatedCost != null && values.estimatedUsage != null) {
    throw UserInputErrors.single(UserErrorCode.INVALID, ['input', 'estimatedCost'], 'give estimatedCost or estimatedUsage, not both');
  }
  const keyCheck = await checkKeyToReserve(context, GatewayCheck.RESERVE, input.apiKeySecret, input.model, context.clock.now());
  if (!keyCheck.facts) return { authorization: keyCheck.refusal, reservation: null };
  const { facts } = keyCheck;
  const price = facts.price!;
  const amount = values.estimatedUsage ? usageCost(price, values.estimatedUsage) : (values.estimatedCost ?? price.defaultEstimate);
  if (amount == null) {
    throw UserInputErrors.single(
      UserErrorCode.BLANK,
      ['input', 'estimatedCost'],
      `give estimatedCost or estimatedUsage: model "${input.model}" has no default estimate in the price book`,
    );
  }
  const requestId = values.requestId.trim();
  const { authorization, heldUntil } = await holdForRequest(context, GatewayCheck.RESERVE, input.model, facts, {
    requestId,
    amount: decimal(amount),
    estimatedTokens: estimatedTokens(values.estimatedUsage),
    ttlMs: HOLD_TTL_MS,
  });
  return {
    authorization,
    reservation: heldUntil && { requestId, amount: Money.of(amount, facts.billingCurrency), expiresAt: heldUntil },
  };
}

/** Frees a reservation the gateway no longer needs (the call was not made). */
export async function releaseUsage(context: RequestContext, input: UsageReleaseInput): Promise<UsageReleasePayload> {
  requireRole(context.actor, USAGE_AUTHORIZERS);
  const field = ['input', 'apiKeySecret'];
  const released = isApiKeySecret(input.apiKeySecret)
    ? await releaseHold(await nativePool(context.em), hashSecret(input.apiKeySecret), input.requestId.trim())
    : null;
  if (!released?.isKnownKey) return { isReleased: false, userErrors: [{ code: UserErrorCode.NOT_FOUND, field, message: 'apiKeySecret names no API key' }] };
  return { isReleased: released.isReleased, userErrors: [] };
}
