import type pg from 'pg';
import { parseTimestamptz } from '../../platform/database/sql.js';
import type { CurrencyCode } from '../../platform/money.js';
import type { StoredApiKeyStatus } from '../api-key/api-key.entity.js';
import type { PriceRates } from '../price/rating.js';
import type { ScopeRateLimit } from '../rate-limit/rate-limit-check.js';
import type { SpendPeriod, SpendScopeType } from '../spend/spend-counter.entity.js';
import type { KeySpend } from '../spend/spend.repository.js';
import type { FailedRequestPolicy, TenantStatus } from '../tenant/tenant.entity.js';
import type { ChargeReason, UsageKind, UsageStatus } from './usage-record.entity.js';

/*
 * The SQL of the gateway's hot path, below the ORM: each function is one round trip with `$n`
 * parameters (see platform/database/sql.ts for why not MikroORM's `execute`).
 */

export interface KeyForUsage {
  id: string;
  tenantId: string;
  departmentId: string;
  status: StoredApiKeyStatus;
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
  spendLimitAmount: string | null;
  spendLimitPeriod: SpendPeriod | null;
  billingCurrency: CurrencyCode;
  failedRequestPolicy: FailedRequestPolicy;
}

type Timestamps<T, K extends keyof T> = Omit<T, K> & { [P in K]: T[P] extends Date ? string : string | null };

export async function keysForUsage(client: pg.ClientBase, ids: string[]): Promise<KeyForUsage[]> {
  const { rows } = await client.query<Timestamps<KeyForUsage, 'createdAt' | 'expiresAt' | 'revokedAt'>>({
    name: 'usage-keys',
    text: `select k.id, k.tenant_id as "tenantId", k.department_id as "departmentId", k.status, k.created_at as "createdAt",
                  k.expires_at as "expiresAt", k.revoked_at as "revokedAt", k.spend_limit_amount::text as "spendLimitAmount",
                  k.spend_limit_period as "spendLimitPeriod", t.billing_currency as "billingCurrency",
                  t.failed_request_policy as "failedRequestPolicy"
             from api_key k join tenant t on t.id = k.tenant_id
            where k.id = any($1::text[])`,
    values: [ids],
  });
  return rows.map((row) => ({
    ...row,
    createdAt: parseTimestamptz(row.createdAt),
    expiresAt: parseTimestamptz(row.expiresAt),
    revokedAt: parseTimestamptz(row.revokedAt),
  }));
}

export interface PriceVersion extends PriceRates {
  id: string;
  model: string;
  currency: CurrencyCode;
  effectiveFrom: Date;
  effectiveTo: Date | null;
}

/** Every version of these models, oldest first, under the shared price-book lock (see PRICE_BOOK_LOCK). */
export async function priceVersionsForUsage(client: pg.ClientBase, models: string[], priceBookLock: number): Promise<PriceVersion[]> {
  await client.query({ name: 'usage-price-lock', text: 'select pg_advisory_xact_lock_shared($1)', values: [priceBookLock] });
  const { rows } = await client.query<Timestamps<PriceVersion, 'effectiveFrom' | 'effectiveTo'>>({
    name: 'usage-prices',
    text: `select id, model, currency, effective_from as "effectiveFrom", effective_to as "effectiveTo",
                  input_per_million::text as "inputPerMillion", output_per_million::text as "outputPerMillion",
                  cached_input_per_million::text as "cachedInputPerMillion", per_image::text as "perImage",
                  per_video_second::text as "perVideoSecond", per_request::text as "perRequest"
             from model_price where model = any($1::text[]) order by effective_from`,
    values: [models],
  });
  return rows.map((row) => ({ ...row, effectiveFrom: parseTimestamptz(row.effectiveFrom), effectiveTo: parseTimestamptz(row.effectiveTo) }));
}

/** One priced record, ready to insert (snake_case: it travels as JSON into json_to_recordset). */
export interface PricedUsageRow {
  id: string;
  tenant_id: string;
  department_id: string;
  api_key_id: string;
  request_id: string;
  model: string;
  price_id: string;
  kind: UsageKind;
  status: UsageStatus;
  input_tokens: number;
  output_tokens: number;
  cached_input_tokens: number;
  image_count: number;
  video_seconds: number;
  cost: string;
  charged_amount: string;
  is_charged: boolean;
  charge_reason: ChargeReason;
  currency: CurrencyCode;
  end_user_tag: string | null;
  task_id: string | null;
  occurred_at: string;
}

/** Two-key advisory lock namespace of the settlement barrier: (namespace, hashtext(tenant id)). */
const SETTLEMENT_BARRIER = 5_301_101;

/**
 * Taken (shared) by a usage batch for each tenant in it, before its rows get their sequence
 * numbers and until it commits. A settlement takes it exclusively (see `takeUsageWatermark`), so
 * every row numbered below the watermark it reads is committed.
 */
export async function holdTenantsAgainstSettlement(client: pg.ClientBase, tenantIds: string[]): Promise<void> {
  await client.query({
    name: 'usage-settlement-hold',
    text: `select pg_advisory_xact_lock_shared(${SETTLEMENT_BARRIER}, hashtext(tenant_id))
             from (select tenant_id from unnest($1::text[]) as tenant_id order by tenant_id) as ordered`,
    values: [tenantIds],
  });
}

/**
 * The settlement barrier, first thing in a settlement's transaction: waits for the tenant's usage
 * batches in flight, holds new ones until the settlement commits, and returns a sequence number
 * that every usage row committed so far is below and every row recorded later is above. Bills take
 * usage up to a watermark, so a row is settled exactly once however late it arrives. The tenant's
 * usage recorded from now on is rolled up tagged with this watermark (see UsageRollup).
 */
export async function takeUsageWatermark(client: pg.ClientBase, tenantId: string): Promise<number> {
  const { rows } = await client.query<{ watermark: string }>({
    name: 'usage-watermark',
    // The lock is taken (the CTE is read) before nextval runs for the row it gives.
    text: `with barrier as (select pg_advisory_xact_lock(${SETTLEMENT_BARRIER}, hashtext($1)))
           insert into usage_barrier (tenant_id, watermark) select $1, nextval('usage_record_seq_seq') from barrier
           on conflict (tenant_id) do update set watermark = excluded.watermark
           returning watermark::text`,
    values: [tenantId],
  });
  return Number(rows[0].watermark);
}

/**
 * Adds a batch's charged usage to the tenants' rollups, tagged with each tenant's settlement
 * barrier (read behind the hold the batch took in insertRecords, so no barrier moves meanwhile),
 * in key order so that concurrent batches queue instead of deadlocking.
 */
export async function addUsageRollups(client: pg.ClientBase, charges: DailyCharge[]): Promise<void> {
  await client.query({
    name: 'usage-rollup',
    text: `insert into usage_rollup (tenant_id, local_day, department_id, price_id, recorded_after, model, request_count, input_tokens,
                                     output_tokens, cached_input_tokens, image_count, video_seconds, charged_amount)
           select c."tenantId", c."localDay", c."departmentId", c."priceId", coalesce(b.watermark, 0), c.model, c."requestCount",
                  c."inputTokens", c."outputTokens", c."cachedInputTokens", c."imageCount", c."videoSeconds", c."chargedAmount"
             from json_to_recordset($1::json) as c("tenantId" text, "localDay" date, "departmentId" text, "priceId" text, model text,
                  "requestCount" bigint, "inputTokens" bigint, "outputTokens" bigint, "cachedInputTokens" bigint, "imageCount" bigint,
                  "videoSeconds" bigint, "chargedAmount" numeric)
             left join usage_barrier b on b.tenant_id = c."tenantId"
            order by 1, 2, 3, 4
           on conflict (tenant_id, local_day, department_id, price_id, recorded_after) do update
              set request_count = usage_rollup.request_count + excluded.request_count,
                  input_tokens = usage_rollup.input_tokens + excluded.input_tokens,
                  output_tokens = usage_rollup.output_tokens + excluded.output_tokens,
                  cached_input_tokens = usage_rollup.cached_input_tokens + excluded.cached_input_tokens,
                  image_count = usage_rollup.image_count + excluded.image_count,
                  video_seconds = usage_rollup.video_seconds + excluded.video_seconds,
                  charged_amount = usage_rollup.charged_amount + excluded.charged_amount`,
    values: [JSON.stringify(charges)],
  });
}

/** A requestId refused as a duplicate of a record the tenant has (or that its batch had first). */
export interface RepeatedRequest {
  tenantId: string;
  requestId: string;
}

/** Adds each repeat to its request's duplicate count, in key order (so concurrent replays queue instead of deadlocking). */
export async function countRepeatedRequests(client: pg.ClientBase, repeats: RepeatedRequest[], at: Date): Promise<void> {
  await client.query({
    name: 'usage-count-repeats',
    text: `with repeats as (
             select tenant_id, request_id, count(*)::int as count
               from json_to_recordset($1::json) as r(tenant_id text, request_id text) group by 1, 2
           ),
           locked as (
             select q.tenant_id, q.request_id, r.count from usage_request q join repeats r using (tenant_id, request_id)
              order by q.tenant_id, q.request_id for update of q
           )
           update usage_request q set duplicate_count = q.duplicate_count + l.count, last_duplicate_at = $2
             from locked l where q.tenant_id = l.tenant_id and q.request_id = l.request_id`,
    values: [JSON.stringify(repeats.map(({ tenantId, requestId }) => ({ tenant_id: tenantId, request_id: requestId }))), at],
  });
}

/** A record a batch inserted: what rate limits count of it. */
export interface InsertedRecord {
  tenantId: string;
  requestId: string;
  apiKeyId: string;
  /** Epoch seconds of the minute it occurred in. */
  windowStart: number;
  tokens: number;
}

/** A batch's charged usage of one local day, department and price version: what it adds to the tenant's rollup. */
export interface DailyCharge {
  tenantId: string;
  localDay: string;
  departmentId: string;
  priceId: string;
  model: string;
  requestCount: string;
  inputTokens: string;
  outputTokens: string;
  cachedInputTokens: string;
  imageCount: string;
  videoSeconds: string;
  chargedAmount: string;
}

/** What a batch inserted (the others were already recorded), its charges by key, local day and UTC hour, and by rollup group. */
export interface InsertedUsage {
  inserted: InsertedRecord[];
  keySpend: KeySpend[];
  dailyCharges: DailyCharge[];
}

/**
 * Inserts the records, skipping requestIds the tenant already has (claimed in usage_request, which
 * keeps them for good), in a fixed order (by tenant and requestId) so that concurrent batches wait
 * for each other instead of deadlocking. Only inserted
 * rows are summed into what spend moves by, so a replay moves nothing. Days are what
 * spend_period_start() gives, computed once per record here.
 */
export async function insertUsageRecords(client: pg.ClientBase, rows: PricedUsageRow[], recordedAt: Date): Promise<InsertedUsage> {
  const {
    rows: [result],
  } = await client.query<InsertedUsage>({
    name: 'usage-insert-records',
    text: `with incoming as (
             select * from json_to_recordset($1::json) as r(
               id text, tenant_id text, department_id text, api_key_id text, request_id text, model text, price_id text,
               kind usage_kind, status usage_status, input_tokens bigint, output_tokens bigint, cached_input_tokens bigint,
               image_count bigint, video_seconds bigint, cost numeric, charged_amount numeric, is_charged boolean,
               charge_reason charge_reason, currency currency_code, end_user_tag text, task_id text, occurred_at timestamptz)
           ),
           claimed as (
             insert into usage_request (tenant_id, request_id, occurred_at)
             select tenant_id, request_id, occurred_at from incoming order by tenant_id, request_id
             on conflict (tenant_id, request_id) do nothing
             returning tenant_id, request_id
           ),
           inserted as (
             insert into usage_record (id, tenant_id, department_id, api_key_id, request_id, model, price_id, kind, status,
                                       input_tokens, output_tokens, cached_input_tokens, image_count, video_seconds, cost,
                                       charged_amount, is_charged, charge_reason, currency, end_user_tag, task_id, occurred_at, recorded_at)
             select i.id, i.tenant_id, i.department_id, i.api_key_id, i.request_id, i.model, i.price_id, i.kind, i.status,
                    i.input_tokens, i.output_tokens, i.cached_input_tokens, i.image_count, i.video_seconds, i.cost,
                    i.charged_amount, i.is_charged, i.charge_reason, i.currency, i.end_user_tag, i.task_id, i.occurred_at, $2
               from incoming i join claimed c using (tenant_id, request_id)
             returning tenant_id, department_id, api_key_id, request_id, model, price_id, occurred_at, is_charged, charged_amount,
                       input_tokens, output_tokens, cached_input_tokens, image_count, video_seconds
           ),
           key_spend as (
             select i.tenant_id as "tenantId", i.department_id as "departmentId", i.api_key_id as "apiKeyId",
                    (i.occurred_at at time zone t.timezone)::date::text as day,
                    to_char(date_trunc('hour', i.occurred_at at time zone 'UTC'), 'YYYY-MM-DD"T"HH24:00"Z"') as "hourStart",
                    sum(i.charged_amount)::text as spent, count(*)::text as "requestCount"
               from inserted i join tenant t on t.id = i.tenant_id
              group by 1, 2, 3, 4, 5
           ),
           daily_charges as (
             select i.tenant_id as "tenantId", (i.occurred_at at time zone t.timezone)::date::text as "localDay",
                    i.department_id as "departmentId", i.price_id as "priceId", i.model, count(*)::text as "requestCount",
                    sum(i.input_tokens)::text as "inputTokens", sum(i.output_tokens)::text as "outputTokens",
                    sum(i.cached_input_tokens)::text as "cachedInputTokens", sum(i.image_count)::text as "imageCount",
                    sum(i.video_seconds)::text as "videoSeconds", sum(i.charged_amount)::text as "chargedAmount"
               from inserted i join tenant t on t.id = i.tenant_id
              where i.is_charged
              group by 1, 2, 3, 4, 5
           )
           select (select coalesce(json_agg(json_build_object(
                            'tenantId', tenant_id, 'requestId', request_id, 'apiKeyId', api_key_id,
                            'windowStart', extract(epoch from date_trunc('minute', occurred_at))::bigint,
                            'tokens', input_tokens + output_tokens + cached_input_tokens)), '[]'::json)
                     from inserted) as inserted,
                  (select coalesce(json_agg(key_spend), '[]'::json) from key_spend) as "keySpend",
                  (select coalesce(json_agg(daily_charges), '[]'::json) from daily_charges) as "dailyCharges"`,
    values: [JSON.stringify(rows), recordedAt],
  });
  return result;
}

export interface AuthorizationFacts {
  apiKeyId: string;
  tenantId: string;
  departmentId: string;
  status: StoredApiKeyStatus;
  expiresAt: Date | null;
  allowedModels: string[];
  spendLimitAmount: string | null;
  spendLimitPeriod: SpendPeriod | null;
  tenantStatus: TenantStatus;
  billingCurrency: CurrencyCode;
  /** The model's price in force in the tenant's currency; null when it has none. */
  price: (PriceRates & { defaultEstimate: string | null }) | null;
  /** The key's counter for its limit's current period (null without a limit). */
  keyPeriodStart: string | null;
  keyPeriodSpent: string;
  keyPeriodRequests: string;
  /** Hard budgets on the tenant, every department up the key's tree, and the key, with their current period's counters. */
  hardBudgets: HardBudgetFacts[];
  /** Rate limits on the same scopes, with their windows of this minute and the previous one. */
  rateLimits: ScopeRateLimit[];
  isPrepaid: boolean;
  /** The prepaid balance; null before the first entry. */
  balance: string | null;
  /** A postpaid contract's credit limit, and what counts against it: open bills plus unbilled spend. */
  creditLimit: string | null;
  creditUsed: string | null;
  /** When these facts may next change with no event announcing it (a new day, a new price version). */
  validUntil: Date;
}

export interface HardBudgetFacts {
  scopeType: SpendScopeType;
  scopeId: string;
  period: SpendPeriod;
  limit: string;
  periodStart: string;
  spent: string;
  requestCount: string;
}

/** Everything the pre-call check needs, in one indexed lookup by secret hash. */
export async function authorizationFacts(pool: pg.Pool, secretHash: string, model: string, now: Date): Promise<AuthorizationFacts | null> {
  const { rows } = await pool.query<Timestamps<AuthorizationFacts, 'expiresAt' | 'validUntil'>>({
    name: 'usage-authorize',
    text: `select k.id as "apiKeyId", k.tenant_id as "tenantId", k.department_id as "departmentId", k.status,
                  k.expires_at as "expiresAt", k.allowed_models as "allowedModels",
                  k.spend_limit_amount::text as "spendLimitAmount", k.spend_limit_period as "spendLimitPeriod",
                  t.status as "tenantStatus", t.billing_currency as "billingCurrency",
                  coalesce(terms.billing_mode = 'PREPAID', false) as "isPrepaid",
                  (select a.balance::text from balance_account a where a.tenant_id = t.id) as balance,
                  terms.credit_limit::text as "creditLimit",
                  case when terms.credit_limit is not null then credit_used(t.id)::text end as "creditUsed",
                  (select json_build_object('inputPerMillion', p.input_per_million::text, 'outputPerMillion', p.output_per_million::text,
                                            'cachedInputPerMillion', p.cached_input_per_million::text, 'perImage', p.per_image::text,
                                            'perVideoSecond', p.per_video_second::text, 'perRequest', p.per_request::text,
                                            'defaultEstimate', p.default_estimate::text)
                     from model_price p
                    where p.model = $2 and p.currency = t.billing_currency
                      and p.effective_from <= $3 and (p.effective_to is null or p.effective_to > $3)) as price,
                  spend_period_start(k.spend_limit_period, $3, t.timezone)::text as "keyPeriodStart",
                  coalesce(c.spent, 0)::text as "keyPeriodSpent", coalesce(c.request_count, 0)::text as "keyPeriodRequests",
                  hard.budgets as "hardBudgets", rate.limits as "rateLimits",
                  -- Until these facts may change without an event: the tenant's next local day (periods
                  -- roll over, contract terms are per day) or the model's next price version.
                  least((spend_period_start('DAILY', $3, t.timezone) + 1)::timestamp at time zone t.timezone,
                        (select min(p.effective_from) from model_price p
                          where p.model = $2 and p.currency = t.billing_currency and p.effective_from > $3)) as "validUntil"
             from api_key k
             join tenant t on t.id = k.tenant_id
             left join lateral contract_terms_at(t.id, ($3::timestamptz at time zone t.timezone)::date) as terms on true
             left join spend_counter c on c.scope_id = k.id and c.period = k.spend_limit_period
                                      and c.period_start = spend_period_start(k.spend_limit_period, $3, t.timezone)
             -- The key's scopes (tenant, key, each department up the tree), then their live hard budgets
             -- and rate limits by index.
             cross join lateral (
               with recursive up(id, parent_id) as (
                 select d.id, d.parent_id from department d where d.id = k.department_id
                 union all
                 select d.id, d.parent_id from department d join up on d.id = up.parent_id
               )
               select array[k.tenant_id, k.id] || array_agg(up.id) as ids from up
             ) as scopes
             cross join lateral (
               select coalesce(json_agg(json_build_object(
                        'scopeType', b.scope_type, 'scopeId', b.scope_id, 'period', b.period, 'limit', b.limit_amount::text,
                        'periodStart', spend_period_start(b.period, $3, t.timezone)::text,
                        'spent', coalesce(bc.spent, 0)::text, 'requestCount', coalesce(bc.request_count, 0)::text)
                      order by b.scope_type, b.scope_id), '[]'::json) as budgets
                 from unnest(scopes.ids) as scope(id)
                 join budget b on b.scope_id = scope.id and b.stage is null and b.deleted_at is null and b.is_hard
                 left join spend_counter bc on bc.scope_id = b.scope_id and bc.period = b.period
                                           and bc.period_start = spend_period_start(b.period, $3, t.timezone)
             ) as hard
             cross join lateral (
               select coalesce(json_agg(json_build_object(
                        'scopeType', l.scope_type, 'scopeId', l.scope_id,
                        'requestsPerMinute', l.requests_per_minute, 'tokensPerMinute', l.tokens_per_minute,
                        'windows', (select coalesce(json_agg(json_build_object(
                                             'windowStart', extract(epoch from w.window_start)::bigint, 'requests', w.requests,
                                             'tokens', w.tokens, 'revision', w.revision)), '[]'::json)
                                      from rate_window w
                                     where w.scope_id = l.scope_id and w.window_start >= date_trunc('minute', $3::timestamptz) - interval '1 minute'))
                      order by l.scope_type, l.scope_id), '[]'::json) as limits
                 from unnest(scopes.ids) as scope(id)
                 join rate_limit l on l.scope_id = scope.id
             ) as rate
            where k.secret_hash = $1`,
    values: [secretHash, model, now],
  });
  const [row] = rows;
  return row ? { ...row, expiresAt: parseTimestamptz(row.expiresAt), validUntil: parseTimestamptz(row.validUntil) } : null;
}
