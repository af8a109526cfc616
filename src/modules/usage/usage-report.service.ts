import type { FilterQuery } from '@mikro-orm/postgresql';
import type { RequestContext } from '../../context.js';
import { requireRole, tenantScope } from '../../platform/auth/actor.js';
import { SPEND_READERS, USAGE_RECORD_READERS } from '../../platform/auth/roles.js';
import { nativePool, parseTimestamptz } from '../../platform/database/sql.js';
import { BadInputError } from '../../platform/errors.js';
import { Money } from '../../platform/graphql/money.types.js';
import { OrderDirection, paginate, type PageArgs } from '../../platform/graphql/relay.js';
import { argumentId } from '../../platform/validation.js';
import { subtreeIds } from '../department/department.repository.js';
import { SpendScopeType } from '../spend/spend-counter.entity.js';
import { resolveSpendScope } from '../spend/spend.service.js';
import type { SpendScopeInput } from '../spend/spend.types.js';
import { UsageRecord, UsageRequest } from './usage-record.entity.js';
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

/** SQL of each dimension, given the placeholder of the tenant's time zone. */
const DIMENSIONS: Record<UsageGroupBy, { alias: string; select: (timeZone: string) => string }> = {
  DEPARTMENT: { alias: 'department_id', select: () => 'department_id' },
  API_KEY: { alias: 'api_key_id', select: () => 'api_key_id' },
  MODEL: { alias: 'model', select: () => 'model' },
  DAY: { alias: 'day', select: (timeZone) => `(occurred_at at time zone ${timeZone})::date::text` },
  HOUR: { alias: 'hour', select: (timeZone) => `date_trunc('hour', occurred_at at time zone ${timeZone}) at time zone ${timeZone}` },
};

interface SummaryRow {
  department_id?: string;
  api_key_id?: string;
  model?: string;
  day?: string;
  hour?: string;
  request_count: string;
  input_tokens: string;
  output_tokens: string;
  cached_input_tokens: string;
  image_count: string;
  video_seconds: string;
  cost: string;
}

/**
 * Totals of a scope's usage in [from, to), grouped by any of department, key, model, local day
 * and local hour, aggregated in the database. A department's scope covers its subtree.
 */
export async function summarizeUsage(
  context: RequestContext,
  scopeInput: SpendScopeInput,
  from: Date,
  to: Date,
  groupBy: UsageGroupBy[],
): Promise<UsageSummaryGroup[]> {
  requireRole(context.actor, SPEND_READERS);
  const scope = await resolveSpendScope(context, scopeInput);
  if (to <= from) throw new BadInputError('to must be after from.', ['to']);
  if (to.getTime() - from.getTime() > MAX_SUMMARY_DAYS * 86_400_000) {
    throw new BadInputError(`from and to may be at most ${MAX_SUMMARY_DAYS} days apart.`, ['to']);
  }
  const dimensions = [...new Set(groupBy)].map((dimension) => DIMENSIONS[dimension]);
  const params: unknown[] = [];
  const param = (value: unknown) => `$${params.push(value)}`;
  const conditions = [`tenant_id = ${param(scope.tenant.id)}`, `occurred_at >= ${param(from)}`, `occurred_at < ${param(to)}`];
  if (scope.type === SpendScopeType.API_KEY) conditions.push(`api_key_id = ${param(scope.id)}`);
  if (scope.type === SpendScopeType.DEPARTMENT) conditions.push(`department_id = any(${param(await subtreeIds(context.em, scope.id))}::text[])`);
  const timeZone = dimensions.some(({ alias }) => alias === 'day' || alias === 'hour') ? `${param(scope.tenant.timezone)}::text` : '';
  const positions = dimensions.map((_dimension, index) => index + 1).join(', ');
  const sql = `select ${dimensions.map(({ select, alias }) => `${select(timeZone)} as ${alias}, `).join('')}
                      count(*)::text as request_count, sum(input_tokens)::text as input_tokens, sum(output_tokens)::text as output_tokens,
                      sum(cached_input_tokens)::text as cached_input_tokens, sum(image_count)::text as image_count,
                      sum(video_seconds)::text as video_seconds, sum(charged_amount)::text as cost
                 from usage_record
                where ${conditions.join(' and ')}
                ${dimensions.length ? `group by ${positions} order by ${positions}` : ''}
                limit ${MAX_SUMMARY_GROUPS + 1}`;
  const { rows } = await (await nativePool(context.em)).query<SummaryRow>(sql, params);
  if (rows.length > MAX_SUMMARY_GROUPS) {
    throw new BadInputError(`The summary has more than ${MAX_SUMMARY_GROUPS} groups: narrow the range or group by fewer dimensions.`, ['groupBy']);
  }
  const currency = scope.tenant.billingCurrency;
  return rows
    .filter((row) => dimensions.length > 0 || row.request_count !== '0')
    .map((row) =>
      Object.assign(new UsageSummaryGroup(), {
        departmentId: row.department_id ?? null,
        apiKeyId: row.api_key_id ?? null,
        model: row.model ?? null,
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
