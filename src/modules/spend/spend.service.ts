import type { RequestContext } from '../../context.js';
import { requireRole } from '../../platform/auth/actor.js';
import { DIRECTORY_READERS, SPEND_READERS } from '../../platform/auth/roles.js';
import { nativePool } from '../../platform/database/sql.js';
import { BadInputError, NotFoundError } from '../../platform/errors.js';
import { Money } from '../../platform/graphql/money.types.js';
import type { NodeTypeName } from '../../platform/ids.js';
import { decimal, Decimal, percentOf, type CurrencyCode } from '../../platform/money.js';
import { UserErrorCode, UserInputErrors } from '../../platform/user-errors.js';
import { argumentId } from '../../platform/validation.js';
import type { Tenant } from '../tenant/tenant.entity.js';
import { SpendPeriod, SpendScopeType, type TaskStage } from './spend-counter.entity.js';
import { liveBudgetLimit } from './spend.repository.js';
import { SpendNode, SpendScopeNode, type SpendScopeInput } from './spend.types.js';

/** A key's own spend limit, as an API key carries it. */
export interface KeySpendLimit {
  spendLimitAmount?: string | null;
  spendLimitPeriod?: SpendPeriod | null;
}

/** A scope the caller may see, with what its figures need: the tenant (currency, time zone) and, for a key, its own limit. */
export interface ResolvedScope {
  type: SpendScopeType;
  id: string;
  tenant: Tenant;
  apiKey: KeySpendLimit | null;
}

const SCOPE_FIELDS: { field: keyof SpendScopeInput; type: SpendScopeType; node: NodeTypeName }[] = [
  { field: 'tenantId', type: SpendScopeType.TENANT, node: 'Tenant' },
  { field: 'departmentId', type: SpendScopeType.DEPARTMENT, node: 'Department' },
  { field: 'apiKeyId', type: SpendScopeType.API_KEY, node: 'ApiKey' },
];

/**
 * Reads a scope argument: exactly one id, of the right type, naming something the caller may see
 * (scopes are the directory: its readers only). Another tenant's scope is NOT_FOUND, as if it did not exist.
 */
export async function resolveSpendScope(context: RequestContext, input: SpendScopeInput, argument = 'scope'): Promise<ResolvedScope> {
  requireRole(context.actor, DIRECTORY_READERS);
  const given = SCOPE_FIELDS.filter(({ field }) => input[field] != null);
  if (given.length !== 1) {
    throw new BadInputError(`${argument} must name exactly one of tenantId, departmentId or apiKeyId.`, [argument]);
  }
  const [{ field, type, node }] = given;
  const id = argumentId(node, input[field]!, `${argument}.${field}`);
  const { loaders } = context;
  let tenantId: string | undefined;
  let apiKey: KeySpendLimit | null = null;
  if (type === SpendScopeType.TENANT) tenantId = id;
  if (type === SpendScopeType.DEPARTMENT) tenantId = (await loaders.departmentById.load(id))?.tenant.id;
  if (type === SpendScopeType.API_KEY) {
    const key = await loaders.apiKeyById.load(id);
    apiKey = key;
    tenantId = key?.tenant.id;
  }
  const tenant = tenantId ? await loaders.tenantById.load(tenantId) : null;
  if (!tenant) throw new NotFoundError(node, id);
  return { type, id, tenant, apiKey };
}

/** A scope named in a mutation input: what the caller cannot see is a userError, not a top-level error. */
export async function resolveInputScope(context: RequestContext, scope: SpendScopeInput): Promise<ResolvedScope> {
  try {
    return await resolveSpendScope(context, scope, 'input.scope');
  } catch (error) {
    const field = ['input', 'scope', Object.keys(scope).find((key) => scope[key as keyof SpendScopeInput] != null) ?? 'tenantId'];
    if (error instanceof NotFoundError) throw UserInputErrors.single(UserErrorCode.NOT_FOUND, field, `${field.at(-1)} names nothing you can see`);
    if (error instanceof BadInputError) throw UserInputErrors.single(UserErrorCode.INVALID, ['input', 'scope'], error.message);
    throw error;
  }
}

/** The smallest of the limits that apply, or null when none does. */
export function tightestLimit(limits: (string | null | undefined)[]): string | null {
  const given = limits.filter((limit): limit is string => limit != null);
  if (given.length === 0) return null;
  return given.reduce((tightest, limit) => (decimal(limit).lt(tightest) ? limit : tightest));
}

/** The key's own limit, when its period is this one. */
export function keyLimitFor(key: KeySpendLimit | null, period: SpendPeriod): string | null {
  return key?.spendLimitAmount && key.spendLimitPeriod === period ? key.spendLimitAmount : null;
}

/** The limit on a scope for a period: the tightest of the key's own limit and the scope's budget. */
export async function spendLimitOf(context: RequestContext, scope: ResolvedScope, period: SpendPeriod): Promise<string | null> {
  return tightestLimit([keyLimitFor(scope.apiKey, period), await liveBudgetLimit(context.em, scope.id, period)]);
}

export interface SpendFigures {
  scope: SpendScopeNode;
  period: SpendPeriod;
  periodStart: string;
  spent: string;
  requestCount: number;
  limit: string | null;
  currency: CurrencyCode;
}

/** Spend with its limit, remaining and percentage worked out; the one place those are computed. */
export function toSpendNode(figures: SpendFigures): SpendNode {
  const spent = decimal(figures.spent);
  const limit = figures.limit === null ? null : decimal(figures.limit);
  const money = (amount: Decimal) => Money.of(amount, figures.currency);
  return Object.assign(new SpendNode(), {
    scope: figures.scope,
    period: figures.period,
    periodStart: figures.periodStart,
    spent: money(spent),
    requestCount: figures.requestCount,
    limit: limit ? money(limit) : null,
    remaining: limit ? money(Decimal.max(limit.minus(spent), 0)) : null,
    percentUsed: limit && limit.gt(0) ? percentOf(spent, limit).toFixed(2) : null,
  });
}

export function scopeNode(type: SpendScopeType, id: string, tenantId: string): SpendScopeNode {
  return Object.assign(new SpendScopeNode(), { type, id, tenantId });
}

/** A scope's spend in the period (in the tenant's time zone) that contains `at`, default now. */
export async function getSpend(context: RequestContext, input: SpendScopeInput, period: SpendPeriod, at: Date | null): Promise<SpendNode> {
  requireRole(context.actor, SPEND_READERS);
  const scope = await resolveSpendScope(context, input);
  return readSpend(context, scope, period, at ?? context.clock.now(), await spendLimitOf(context, scope, period));
}

/** The counter of a scope the caller may already see (of one task stage's spend, given `stage`), with the limit to measure it against. */
export async function readSpend(
  context: RequestContext,
  scope: Pick<ResolvedScope, 'type' | 'id' | 'tenant'>,
  period: SpendPeriod,
  at: Date,
  limit: string | null,
  stage: TaskStage | null = null,
): Promise<SpendNode> {
  const pool = await nativePool(context.em);
  const counter = stage
    ? `stage_spend_counter c on c.scope_id = $1 and c.stage = $5 and c.period = $2 and c.period_start = spend_period_start($2, $3, $4)`
    : 'spend_counter c on c.scope_id = $1 and c.period = $2 and c.period_start = spend_period_start($2, $3, $4)';
  const { rows } = await pool.query<{ period_start: string; spent: string | null; request_count: string | null }>({
    name: stage ? 'spend-read-stage' : 'spend-read',
    text: `select spend_period_start($2, $3, $4)::text as period_start, c.spent::text as spent, c.request_count::text as request_count
             from (select 1) as one
             left join ${counter}`,
    values: [scope.id, period, at, scope.tenant.timezone, ...(stage ? [stage] : [])],
  });
  const [row] = rows;
  return toSpendNode({
    scope: scopeNode(scope.type, scope.id, scope.tenant.id),
    period,
    periodStart: row.period_start,
    spent: row.spent ?? '0',
    requestCount: Number(row.request_count ?? 0),
    limit,
    currency: scope.tenant.billingCurrency,
  });
}
