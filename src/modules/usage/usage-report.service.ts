import type { FilterQuery } from '@mikro-orm/postgresql';
import type { RequestContext } from '../../context.js';
import { requireRole, tenantScope } from '../../platform/auth/actor.js';
import { SPEND_READERS, USAGE_RECORD_READERS } from '../../platform/auth/roles.js';
import { nativePool, parseTimestamptz } from '../../platform/database/sql.js';
import { BadInputError } from '../../platform/errors.js';
import { Money } from '../../platform/graphql/money.types.js';
import { decimal } from '../../platform/money.js';
import { OrderDirection, paginate, type PageArgs } from '../../platform/graphql/relay.js';
import { argumentId } from '../../platform/validation.js';
import type { ApiKeyEnvironment } from '../api-key/api-key.entity.js';
import { Department } from '../department/department.entity.js';
import { subtreeIds } from '../department/department.repository.js';
import type { ModelTier } from '../price/model-price.entity.js';
import { SpendScopeType } from '../spend/spend-counter.entity.js';
import { resolveSpendScope } from '../spend/spend.service.js';
import type { SpendScopeInput } from '../spend/spend.types.js';
import { UsageRecord, UsageRequest, type UsageKind } from './usage-record.entity.js';
import { UsageDenialEntry } from './usage-denial.entity.js';
import { UsageGroupBy, UsageSummaryGroup, type UsageDenialFilterInput, type UsageRecordFilterInput } from './usage.types.js';

export async function listUsageRecords(context: RequestContext, filter: UsageRecordFilterInput | null, page: PageArgs) {
  requireRole(context.actor, USAGE_RECORD_READERS);
  const where: FilterQuery<UsageRecord>[] = [];
  const tenantId = tenantScope(context.actor, filter?.tenantId ? argumentId('Tenant', filter.tenantId, 'filter.tenantId') : null);
  if (tenantId) where.push({ tenantId });
  if (filter?.departmentId) {
    const scope = await resolveSpendScope(context, { departmentId: filter.departmentId }, 'filter');
    where.push({ departmentId: { $in: await subtreeIds(context.em, scope.id) } });
  }
  if (filter?.apiKeyId) {
    const scope = await resolveSpendScope(context, { apiKeyId: filter.apiKeyId }, 'filter');
    where.push({ apiKeyId: scope.id });
  }
  if (filter?.model) where.push({ model: filter.model });
  if (filter?.status) where.push({ status: filter.status });
  if (filter?.isCharged != null) where.push({ isCharged: filter.isCharged });
  if (filter?.taskId != null) {
    if (!tenantId) throw new BadInputError('filter.taskId needs filter.tenantId: task ids are the tenant’s own.', ['filter', 'tenantId']);
    where.push({ taskId: filter.taskId });
  }
  if (filter?.requestId != null) {
    // usage_request says which month's partition holds the record; a tenant's requestIds are its own.
    if (!tenantId) throw new BadInputError('filter.requestId needs filter.tenantId: requestIds are unique per tenant.', ['filter', 'tenantId']);
    const request = await context.em.findOne(UsageRequest, { tenantId, requestId: filter.requestId });
    where.push(request ? { requestId: filter.requestId, occurredAt: request.occurredAt } : { id: { $in: [] } });
  }
  if (filter?.occurredFrom) where.push({ occurredAt: { $gte: filter.occurredFrom } });
  if (filter?.occurredTo) where.push({ occurredAt: { $lt: filter.occurredTo } });
  return paginate({ em: context.em, entity: UsageRecord, where: { $and: where }, sortField: 'occurredAt', direction: OrderDirection.DESC, page });
}

const MAX_SUMMARY_DAYS = 366;
const MAX_SUMMARY_GROUPS = 10_000;

/** SQL of each dimension over `usage_record u`, given the placeholder of the tenant's time zone, and the table it needs joined. */
const DIMENSIONS: Record<UsageGroupBy, { alias: keyof SummaryKeys; select: (timeZone: string) => string; join?: 'key' | 'price' }> = {
  DEPARTMENT: { alias: 'department_id', select: () => 'u.department_id' },
  API_KEY: { alias: 'api_key_id', select: () => 'u.api_key_id' },
  ENVIRONMENT: { alias: 'environment', select: () => 'k.environment::text', join: 'key' },
  MODEL: { alias: 'model', select: () => 'u.model' },
  TIER: { alias: 'tier', select: () => 'p.tier::text', join: 'price' },
  KIND: { alias: 'kind', select: () => 'u.kind::text' },
  END_USER_TAG: { alias: 'end_user_tag', select: () => 'u.end_user_tag' },
  MONTH: { alias: 'month', select: (timeZone) => `to_char(u.occurred_at at time zone ${timeZone}, 'YYYY-MM')` },
  DAY: { alias: 'day', select: (timeZone) => `(u.occurred_at at time zone ${timeZone})::date::text` },
  HOUR: { alias: 'hour', select: (timeZone) => `date_trunc('hour', u.occurred_at at time zone ${timeZone}) at time zone ${timeZone}` },
};

const JOINS = { key: 'join api_key k on k.id = u.api_key_id', price: 'join model_price p on p.id = u.price_id' } as const;

/** A group's values of the dimensions grouped by (absent: not grouped by). */
interface SummaryKeys {
  department_id?: string;
  api_key_id?: string;
  environment?: ApiKeyEnvironment;
  model?: string;
  tier?: ModelTier;
  kind?: UsageKind;
  end_user_tag?: string | null;
  month?: string;
  day?: string;
  hour?: string;
}

interface SummaryRow extends SummaryKeys {
  request_count: string;
  input_tokens: string | null;
  output_tokens: string | null;
  cached_input_tokens: string | null;
  image_count: string | null;
  video_seconds: string | null;
  cost: string | null;
}

const TOTALS = ['request_count', 'input_tokens', 'output_tokens', 'cached_input_tokens', 'image_count', 'video_seconds', 'cost'] as const;

/**
 * Each department's rows added into every department above it up to the scope's top: a department
 * then counts its whole subtree, grouped by the other dimensions as before.
 */
async function rolledUp(context: RequestContext, tenantId: string, top: string | null, rows: SummaryRow[]): Promise<SummaryRow[]> {
  const departments = await context.em.find(Department, { tenant: tenantId }, { fields: ['id', 'parent'] });
  const parentOf = new Map(departments.map((department) => [department.id, department.parent?.id ?? null]));
  const groups = new Map<string, SummaryRow>();
  for (const row of rows) {
    for (let department: string | null = row.department_id!; department; department = department === top ? null : parentOf.get(department)!) {
      const keys = { ...row, department_id: department };
      const key = JSON.stringify(Object.entries(keys).filter(([name]) => !(TOTALS as readonly string[]).includes(name)));
      const group = groups.get(key);
      if (!group) groups.set(key, { ...keys });
      else
        for (const total of TOTALS)
          group[total] = decimal(group[total] ?? '0')
            .plus(row[total] ?? '0')
            .toFixed();
    }
  }
  return [...groups.entries()].sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0)).map(([, group]) => group);
}

/**
 * Totals of a scope's usage in [from, to), grouped by any of department, key, key environment,
 * model, model tier, kind, end-user tag, local month, day and hour, aggregated in the database. A
 * department's scope covers its subtree; with `rollUpDepartments`, so does each department group.
 */
export async function summarizeUsage(
  context: RequestContext,
  scopeInput: SpendScopeInput,
  from: Date,
  to: Date,
  groupBy: UsageGroupBy[],
  rollUpDepartments = false,
): Promise<UsageSummaryGroup[]> {
  requireRole(context.actor, SPEND_READERS);
  const scope = await resolveSpendScope(context, scopeInput);
  if (to <= from) throw new BadInputError('to must be after from.', ['to']);
  if (to.getTime() - from.getTime() > MAX_SUMMARY_DAYS * 86_400_000) {
    throw new BadInputError(`from and to may be at most ${MAX_SUMMARY_DAYS} days apart.`, ['to']);
  }
  if (rollUpDepartments && !groupBy.includes(UsageGroupBy.DEPARTMENT)) {
    throw new BadInputError('rollUpDepartments needs DEPARTMENT in groupBy.', ['rollUpDepartments']);
  }
  const dimensions = [...new Set(groupBy)].map((dimension) => DIMENSIONS[dimension]);
  const params: unknown[] = [];
  const param = (value: unknown) => `$${params.push(value)}`;
  const conditions = [`u.tenant_id = ${param(scope.tenant.id)}`, `u.occurred_at >= ${param(from)}`, `u.occurred_at < ${param(to)}`];
  if (scope.type === SpendScopeType.API_KEY) conditions.push(`u.api_key_id = ${param(scope.id)}`);
  if (scope.type === SpendScopeType.DEPARTMENT) conditions.push(`u.department_id = any(${param(await subtreeIds(context.em, scope.id))}::text[])`);
  const timeZone = dimensions.some(({ alias }) => alias === 'month' || alias === 'day' || alias === 'hour') ? `${param(scope.tenant.timezone)}::text` : '';
  const joins = [...new Set(dimensions.flatMap(({ join }) => (join ? [JOINS[join]] : [])))];
  const positions = dimensions.map((_dimension, index) => index + 1).join(', ');
  const sql = `select ${dimensions.map(({ select, alias }) => `${select(timeZone)} as ${alias}, `).join('')}
                      count(*)::text as request_count, sum(u.input_tokens)::text as input_tokens, sum(u.output_tokens)::text as output_tokens,
                      sum(u.cached_input_tokens)::text as cached_input_tokens, sum(u.image_count)::text as image_count,
                      sum(u.video_seconds)::text as video_seconds, sum(u.charged_amount)::text as cost
                 from usage_record u ${joins.join(' ')}
                where ${conditions.join(' and ')}
                ${dimensions.length ? `group by ${positions} order by ${positions}` : ''}
                limit ${MAX_SUMMARY_GROUPS + 1}`;
  const { rows: grouped } = await (await nativePool(context.em)).query<SummaryRow>(sql, params);
  if (grouped.length > MAX_SUMMARY_GROUPS) {
    throw new BadInputError(`The summary has more than ${MAX_SUMMARY_GROUPS} groups: narrow the range or group by fewer dimensions.`, ['groupBy']);
  }
  const top = scope.type === SpendScopeType.DEPARTMENT ? scope.id : null;
  const rows = rollUpDepartments ? await rolledUp(context, scope.tenant.id, top, grouped) : grouped;
  const currency = scope.tenant.billingCurrency;
  return rows
    .filter((row) => dimensions.length > 0 || row.request_count !== '0')
    .map((row) =>
      Object.assign(new UsageSummaryGroup(), {
        departmentId: row.department_id ?? null,
        apiKeyId: row.api_key_id ?? null,
        environment: row.environment ?? null,
        model: row.model ?? null,
        tier: row.tier ?? null,
        kind: row.kind ?? null,
        endUserTag: row.end_user_tag ?? null,
        month: row.month ?? null,
        day: row.day ?? null,
        hour: row.hour ? parseTimestamptz(row.hour) : null,
        requestCount: Number(row.request_count),
        inputTokens: Number(row.input_tokens ?? 0),
        outputTokens: Number(row.output_tokens ?? 0),
        cachedInputTokens: Number(row.cached_input_tokens ?? 0),
        imageCount: Number(row.image_count ?? 0),
        videoSeconds: Number(row.video_seconds ?? 0),
        cost: Money.of(row.cost ?? '0', currency),
      }),
    );
}

/** A usage record the actor may see, or null. */
export async function findUsageRecord(context: RequestContext, id: string): Promise<UsageRecord | null> {
  requireRole(context.actor, USAGE_RECORD_READERS);
  return context.em.findOne(UsageRecord, { id });
}

/** Refusals on record, newest minute first, for the operator and the tenant's own users. */
export async function listUsageDenials(context: RequestContext, filter: UsageDenialFilterInput | null, page: PageArgs) {
  requireRole(context.actor, SPEND_READERS);
  const where: FilterQuery<UsageDenialEntry>[] = [];
  const tenantId = tenantScope(context.actor, filter?.tenantId ? argumentId('Tenant', filter.tenantId, 'filter.tenantId') : null);
  if (tenantId) where.push({ tenantId });
  if (filter?.apiKeyId) where.push({ apiKeyId: (await resolveSpendScope(context, { apiKeyId: filter.apiKeyId }, 'filter')).id });
  if (filter?.code) where.push({ code: filter.code });
  if (filter?.model) where.push({ model: filter.model });
  if (filter?.from && filter?.to && filter.to <= filter.from) throw new BadInputError('filter.to must be after filter.from.', ['filter', 'to']);
  // A minute counts when any of it is in [from, to).
  if (filter?.from) where.push({ minute: { $gt: new Date(filter.from.getTime() - 60_000) } });
  if (filter?.to) where.push({ minute: { $lt: filter.to } });
  return paginate({ em: context.em, entity: UsageDenialEntry, where: { $and: where }, sortField: 'minute', direction: OrderDirection.DESC, page });
}

export async function findUsageDenial(context: RequestContext, id: string): Promise<UsageDenialEntry | null> {
  requireRole(context.actor, SPEND_READERS);
  return context.em.findOne(UsageDenialEntry, { id });
}
