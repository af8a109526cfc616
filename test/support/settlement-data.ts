import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { createUsagePartitions } from '../../src/modules/usage/usage-partitions.js';
import { newId } from '../../src/platform/ids.js';
import { periodEndInstant, periodStartInstant } from '../../src/platform/period.js';
import { API_KEY_PREFIXES, displayPrefix, generateSecret, hashSecret } from '../../src/platform/secrets.js';

/*
 * A month of usage for many tenants, written straight in SQL: tenants, departments, keys and a
 * CNY price book as a few array inserts, usage rows by `insert ... select from generate_series`.
 * Rows go in in time order with tenants interleaved, the way the gateway records them, so a
 * tenant's rows are spread over the whole table as they are in production.
 */

export interface SettlementDataOptions {
  tenants: number;
  /** Usage records in total, over all tenants. */
  records: number;
  /** The month the usage occurs in, in the tenants' time zone: "2026-10". */
  period: string;
  /** A fixed number per tenant, or tenants cycling from min to max (default 1 to 3). Each has one API key. */
  departmentsPerTenant?: number | { min: number; max: number };
  /** Models in the CNY price book the usage is spread over (default 6). */
  models?: number;
  /** 1: every tenant equally busy; 2 (default): a few busy tenants and a long tail (the busiest gets about 1/sqrt(tenants) of the rows: 3 % of them with 1,000). */
  tenantSkew?: number;
  /** Share of records that failed and are not charged (default 0.03). */
  failedShare?: number;
  /** Same seed, same quantities and spread (ids differ). */
  seed?: number;
  timezone?: string;
  /** Tenant names start with it. */
  name?: string;
  /** Connections loading usage at once (default 2). */
  parallelism?: number;
  /**
   * Drop usage_record's indexes for the load and build them again after: much faster for millions
   * of rows. Default: when usage_record is empty and records >= 1,000,000.
   */
  rebuildIndexes?: boolean;
  /** VACUUM ANALYZE the tables after loading (default true), as autovacuum would have long since done. */
  vacuumAnalyze?: boolean;
}

export interface SeededPrice {
  id: string;
  model: string;
  tier: string;
}

export interface SettlementData {
  tenantIds: string[];
  /** Per tenant, its departments (the first is the root). */
  departmentIds: string[][];
  prices: SeededPrice[];
  records: number;
  /** Where the time went, in seconds. */
  seconds: { directory: number; usage: number; indexes: number; rollups: number; vacuumAnalyze: number };
}

interface PriceTemplate {
  model: string;
  tier: 'ECONOMY' | 'STANDARD' | 'PREMIUM';
  kind: 'CHAT' | 'EMBEDDING' | 'IMAGE' | 'AUDIO';
  input: string;
  output: string;
  cachedInput: string;
  perImage: string;
  perRequest: string;
}

/** Awkward digits on purpose: sums of many rows must stay exact. */
const PRICE_TEMPLATES: PriceTemplate[] = [
  { model: 'settle-chat', tier: 'STANDARD', kind: 'CHAT', input: '2.5', output: '10.0000000001', cachedInput: '1.25', perImage: '0', perRequest: '0.0001' },
  { model: 'settle-chat-mini', tier: 'ECONOMY', kind: 'CHAT', input: '0.15', output: '0.6', cachedInput: '0.075', perImage: '0', perRequest: '0' },
  { model: 'settle-reason', tier: 'PREMIUM', kind: 'CHAT', input: '15', output: '60', cachedInput: '7.5', perImage: '0', perRequest: '0.0003' },
  { model: 'settle-embed', tier: 'ECONOMY', kind: 'EMBEDDING', input: '0.0200000007', output: '0', cachedInput: '0', perImage: '0', perRequest: '0' },
  { model: 'settle-image', tier: 'STANDARD', kind: 'IMAGE', input: '0', output: '0', cachedInput: '0', perImage: '0.04', perRequest: '0' },
  { model: 'settle-voice', tier: 'STANDARD', kind: 'AUDIO', input: '6.1', output: '24.3', cachedInput: '0', perImage: '0', perRequest: '0' },
];
const PRICE_BOOK_START = '2026-01-01T00:00:00Z';
const ROWS_PER_CHUNK = 250_000;
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** Model n of the book: the templates, then variants of them with other rates. */
function priceTemplate(index: number): PriceTemplate {
  const base = PRICE_TEMPLATES[index % PRICE_TEMPLATES.length];
  const round = Math.floor(index / PRICE_TEMPLATES.length);
  if (round === 0) return base;
  const scale = (rate: string) => (Number(rate) * (1 + round / 7)).toFixed(10);
  return {
    ...base,
    model: `${base.model}-v${round + 1}`,
    input: scale(base.input),
    output: scale(base.output),
    cachedInput: scale(base.cachedInput),
    perImage: scale(base.perImage),
    perRequest: scale(base.perRequest),
  };
}

function departmentCount(options: SettlementDataOptions, tenantIndex: number): number {
  const setting = options.departmentsPerTenant ?? { min: 1, max: 3 };
  if (typeof setting === 'number') return setting;
  return setting.min + (tenantIndex % (setting.max - setting.min + 1));
}

/** The tenants in a seeded random order: how busy a tenant is has nothing to do with when it was created (its id). */
function shuffled<T>(items: T[], seed: number): T[] {
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = Math.imul(state ^ (state >>> 15), state | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
  };
  const result = [...items];
  for (let index = result.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [result[index], result[other]] = [result[other], result[index]];
  }
  return result;
}

/** 16 characters of a ULID: its time part and a random part, so ids of two loads never meet. */
function idStem(): string {
  const time = newId('UsageRecord').slice(4, 14);
  return time + [...randomBytes(6)].map((byte) => CROCKFORD[byte % 32]).join('');
}

async function insertDirectory(pool: pg.Pool, options: SettlementDataOptions, name: string, timezone: string) {
  const tenantIds = Array.from({ length: options.tenants }, () => newId('Tenant'));
  const departmentIds: string[][] = [];
  const departments = { id: [] as string[], tenantId: [] as string[], parentId: [] as (string | null)[], name: [] as string[] };
  const keys = { id: [] as string[], tenantId: [] as string[], departmentId: [] as string[], hash: [] as string[], prefix: [] as string[] };
  tenantIds.forEach((tenantId, tenantIndex) => {
    const ids = Array.from({ length: departmentCount(options, tenantIndex) }, () => newId('Department'));
    departmentIds.push(ids);
    ids.forEach((id, index) => {
      departments.id.push(id);
      departments.tenantId.push(tenantId);
      departments.parentId.push(index === 0 ? null : ids[0]);
      departments.name.push(index === 0 ? 'Company' : `Team ${index}`);
      const secret = generateSecret(API_KEY_PREFIXES.PRODUCTION);
      keys.id.push(newId('ApiKey'));
      keys.tenantId.push(tenantId);
      keys.departmentId.push(id);
      keys.hash.push(hashSecret(secret));
      keys.prefix.push(displayPrefix(secret, API_KEY_PREFIXES.PRODUCTION));
    });
  });
  // Created before the period, as real tenants and keys are.
  await pool.query(
    `insert into tenant (id, name, timezone, billing_currency, created_at, updated_at)
     select id, $2 || ' tenant ' || n, $3, 'CNY', $4, $4 from unnest($1::text[]) with ordinality as t(id, n)`,
    [tenantIds, name, timezone, PRICE_BOOK_START],
  );
  await pool.query(
    `insert into department (id, tenant_id, parent_id, name, created_at, updated_at)
     select id, tenant_id, parent_id, name, $5, $5 from unnest($1::text[], $2::text[], $3::text[], $4::text[]) as d(id, tenant_id, parent_id, name)`,
    [departments.id, departments.tenantId, departments.parentId, departments.name, PRICE_BOOK_START],
  );
  await pool.query(
    `insert into api_key (id, tenant_id, department_id, name, environment, secret_hash, secret_prefix, allowed_models, created_at, updated_at)
     select id, tenant_id, department_id, 'gateway', 'PRODUCTION', secret_hash, secret_prefix, '{}', $6, $6
       from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) as k(id, tenant_id, department_id, secret_hash, secret_prefix)`,
    [keys.id, keys.tenantId, keys.departmentId, keys.hash, keys.prefix, PRICE_BOOK_START],
  );
  return { tenantIds, departmentIds, keys };
}

/** The CNY price book: reused when an earlier load of the same database wrote it. */
async function insertPrices(pool: pg.Pool, count: number): Promise<(SeededPrice & PriceTemplate)[]> {
  const templates = Array.from({ length: count }, (_unused, index) => priceTemplate(index));
  const column = (pick: (template: PriceTemplate) => string) => templates.map(pick);
  await pool.query(
    `insert into model_price (id, model, tier, currency, input_per_million, output_per_million, cached_input_per_million, per_image,
                              per_video_second, per_request, effective_from)
     select id, model, tier::model_tier, 'CNY', input, output, cached_input, per_image, 0, per_request, $9
       from unnest($1::text[], $2::text[], $3::text[], $4::numeric[], $5::numeric[], $6::numeric[], $7::numeric[], $8::numeric[])
            as p(id, model, tier, input, output, cached_input, per_image, per_request)
     on conflict (model, currency, effective_from) do nothing`,
    [
      templates.map(() => newId('ModelPrice')),
      column((template) => template.model),
      column((template) => template.tier),
      column((template) => template.input),
      column((template) => template.output),
      column((template) => template.cachedInput),
      column((template) => template.perImage),
      column((template) => template.perRequest),
      PRICE_BOOK_START,
    ],
  );
  const { rows } = await pool.query<{ id: string; model: string }>(
    `select id, model from model_price where currency = 'CNY' and effective_from = $2 and model = any($1::text[])`,
    [column((template) => template.model), PRICE_BOOK_START],
  );
  const idByModel = new Map(rows.map((row) => [row.model, row.id]));
  return templates.map((template) => ({ ...template, id: idByModel.get(template.model)! }));
}

interface IndexDefinition {
  name: string;
  /** ALTER TABLE ... ADD CONSTRAINT for constraints, CREATE INDEX for the others. */
  create: string;
  drop: string;
}

async function usageIndexes(pool: pg.Pool): Promise<IndexDefinition[]> {
  const { rows } = await pool.query<{ name: string; constraintDefinition: string | null; indexDefinition: string }>(
    `select i.indexrelid::regclass::text as name, pg_get_constraintdef(c.oid) as "constraintDefinition",
            pg_get_indexdef(i.indexrelid) as "indexDefinition"
       from pg_index i left join pg_constraint c on c.conindid = i.indexrelid and c.conrelid = i.indrelid
      where i.indrelid = 'usage_record'::regclass`,
  );
  return rows.map((row) =>
    row.constraintDefinition
      ? {
          name: row.name,
          create: `alter table usage_record add constraint "${row.name}" ${row.constraintDefinition}`,
          drop: `alter table usage_record drop constraint "${row.name}"`,
        }
      : { name: row.name, create: row.indexDefinition, drop: `drop index "${row.name}"` },
  );
}

/**
 * Row n of the load: its tenant (the first rows one per tenant, so each has usage; then skewed by rank),
 * department and key, model, quantities and time. Spread over the month in row order, each row
 * at a random point of its own slot. Subqueries, not CTEs, for the random rows: a CTE with
 * volatile functions is materialized, and would spill to disk. The hash joins hand rows out
 * grouped by tenant: `order by n` puts them back in time order, tenants interleaved.
 */
const USAGE_INSERT = `
  with tenants as (
    select * from unnest($1::int[], $2::text[], $3::int[]) as t(tenant_rank, tenant_id, departments)
  ), keys as (
    select * from unnest($4::int[], $5::int[], $6::text[], $7::text[]) as k(tenant_rank, slot, department_id, api_key_id)
  ), prices as (
    select * from unnest($8::int[], $9::text[], $10::text[], $11::text[], $12::numeric[], $13::numeric[], $14::numeric[], $15::numeric[], $16::numeric[])
                  as p(model_index, price_id, model, kind, input_rate, output_rate, cached_rate, image_rate, request_rate)
  )
  insert into usage_record (id, tenant_id, department_id, api_key_id, request_id, model, price_id, kind, status, input_tokens, output_tokens,
                            cached_input_tokens, image_count, video_seconds, cost, charged_amount, is_charged, charge_reason, currency,
                            end_user_tag, task_id, occurred_at, recorded_at)
  select 'use_' || $25::text || lpad(upper(to_hex(n)), 10, '0'), tenant_id, department_id, api_key_id, $26::text || n, model, price_id, kind::usage_kind,
         case when is_failed then 'FAILED' else 'SUCCEEDED' end::usage_status, input_used, output_used, cached_used, images_used, 0,
         cost, case when is_failed then 0 else cost end, not is_failed,
         case when is_failed then 'FAILED_NOT_CHARGED_BY_POLICY' else 'SUCCEEDED' end::charge_reason, 'CNY',
         'user-' || end_user, null, occurred_at, occurred_at + recording_delay
    from (select used.*, (input_rate * input_used + output_rate * output_used + cached_rate * cached_used) / 1000000
                         + image_rate * images_used + request_rate as cost
            from (select r.n, r.is_failed, r.occurred_at, r.recording_delay, r.end_user, t.tenant_id, k.department_id, k.api_key_id,
                         p.price_id, p.model, p.kind, p.input_rate, p.output_rate, p.cached_rate, p.image_rate, p.request_rate,
                         case when p.kind in ('CHAT', 'AUDIO') then r.input_tokens when p.kind = 'EMBEDDING' then r.input_tokens * 4 else 0 end as input_used,
                         case when p.kind in ('CHAT', 'AUDIO') then r.output_tokens else 0 end as output_used,
                         case when p.kind = 'CHAT' then r.cached_tokens else 0 end as cached_used,
                         case when p.kind = 'IMAGE' then r.images else 0 end as images_used
                    from (select n,
                                 case when n <= $17 then (n - 1)::int else least($17 - 1, floor($17 * power(random(), $18)))::int end as tenant_rank,
                                 random() as department_draw,
                                 least($19 - 1, floor($19 * power(random(), 1.5)))::int as model_index,
                                 random() < $20 as is_failed,
                                 floor(random() * 8000)::bigint as input_tokens, floor(random() * 2000)::bigint as output_tokens,
                                 floor(random() * 1000)::bigint as cached_tokens, 1 + floor(random() * 4)::bigint as images,
                                 $21::timestamptz + make_interval(secs => ((n - 1) + random()) * $22) as occurred_at,
                                 make_interval(secs => random() * 5) as recording_delay, floor(random() * 500)::int as end_user
                            from generate_series($23::bigint, $24::bigint) as n) as r
                    join tenants t using (tenant_rank)
                    join keys k on k.tenant_rank = r.tenant_rank and k.slot = floor(r.department_draw * t.departments)::int
                    join prices p using (model_index)) as used) as costed
   order by n`;

/**
 * Seeds `tenants` tenants (CNY, one time zone) with `records` usage records in total over
 * `period`, priced in a CNY price book, ready to be settled. Tenants are new; the price book is
 * shared with earlier loads of the same database.
 */
export async function seedSettlementData(pool: pg.Pool, options: SettlementDataOptions): Promise<SettlementData> {
  const timezone = options.timezone ?? 'Asia/Shanghai';
  const name = options.name ?? 'Settlement';
  const seed = options.seed ?? 1;
  const parallelism = Math.max(1, options.parallelism ?? 2);
  if (options.records < options.tenants) throw new RangeError(`${options.records} records cannot give each of ${options.tenants} tenants usage`);

  let started = performance.now();
  const elapsed = () => {
    const seconds = (performance.now() - started) / 1000;
    started = performance.now();
    return seconds;
  };
  const directory = await insertDirectory(pool, options, name, timezone);
  const prices = await insertPrices(pool, options.models ?? 6);
  const directorySeconds = elapsed();

  const {
    rows: [usage],
  } = await pool.query<{ isEmpty: boolean }>('select not exists (select 1 from usage_record) as "isEmpty"');
  const rebuild = options.rebuildIndexes ?? (usage.isEmpty && options.records >= 1_000_000);
  const indexes = rebuild ? await usageIndexes(pool) : [];
  for (const index of indexes) await pool.query(index.drop);

  const startsAt = periodStartInstant(options.period, timezone);
  const endsAt = periodEndInstant(options.period, timezone);
  // The UTC months the local period spans, as the server would have made them ahead of the usage.
  await createUsagePartitions(pool, [...new Set([startsAt, new Date(endsAt.getTime() - 1)].map((instant) => instant.toISOString().slice(0, 7)))]);
  const slotSeconds = (endsAt.getTime() - startsAt.getTime()) / 1000 / options.records;
  // Usage picks tenants by rank (rank 0 the busiest); ranks go to tenants in random order.
  const rankOfTenant = new Map(shuffled(directory.tenantIds, seed).map((tenantId, rank) => [tenantId, rank]));
  const keyRows = directory.departmentIds.flatMap((ids, tenantIndex) =>
    ids.map((_id, slot) => ({ rank: rankOfTenant.get(directory.tenantIds[tenantIndex])!, slot })),
  );
  const stem = idStem();
  const fixedValues = [
    directory.tenantIds.map((tenantId) => rankOfTenant.get(tenantId)!),
    directory.tenantIds,
    directory.departmentIds.map((ids) => ids.length),
    keyRows.map((row) => row.rank),
    keyRows.map((row) => row.slot),
    directory.keys.departmentId,
    directory.keys.id,
    prices.map((_price, index) => index),
    prices.map((price) => price.id),
    prices.map((price) => price.model),
    prices.map((price) => price.kind),
    prices.map((price) => price.input),
    prices.map((price) => price.output),
    prices.map((price) => price.cachedInput),
    prices.map((price) => price.perImage),
    prices.map((price) => price.perRequest),
    options.tenants,
    options.tenantSkew ?? 2,
    prices.length,
    options.failedShare ?? 0.03,
    startsAt,
    slotSeconds,
  ];
  const chunks = Array.from({ length: Math.ceil(options.records / ROWS_PER_CHUNK) }, (_unused, index) => ({
    index,
    from: index * ROWS_PER_CHUNK + 1,
    to: Math.min(options.records, (index + 1) * ROWS_PER_CHUNK),
  }));
  let nextChunk = 0;
  let usageSeconds = 0;
  let indexSeconds = 0;
  try {
    // Chunks in parallel on their own connections: generating rows is CPU-bound in the server.
    await Promise.all(
      Array.from({ length: Math.min(parallelism, chunks.length) }, async () => {
        const client = await pool.connect();
        try {
          while (nextChunk < chunks.length) {
            const chunk = chunks[nextChunk++];
            await client.query('begin');
            // Room to sort a chunk in memory, for this transaction only: the connection goes back to the caller's pool.
            await client.query(`set local work_mem = '256MB'`);
            await client.query('select setseed($1)', [((seed * 7919 + chunk.index) % 10_000) / 10_000]);
            await client.query(USAGE_INSERT, [...fixedValues, chunk.from, chunk.to, stem, `req-${stem}-`]);
            await client.query('commit');
          }
        } catch (error) {
          await client.query('rollback').catch(() => undefined);
          throw error;
        } finally {
          client.release();
        }
      }),
    );
  } finally {
    usageSeconds = elapsed();
    if (indexes.length > 0) {
      const client = await pool.connect();
      try {
        await client.query(`set maintenance_work_mem = '1GB'`);
        for (const index of indexes) await client.query(index.create);
      } finally {
        await client.query('reset maintenance_work_mem').catch(() => undefined);
        client.release();
      }
    }
    indexSeconds = elapsed();
  }
  // What the batches' rollUp step would have written for these records: no settlement was ever taken, so each is tagged 0.
  // (Their requestIds are not claimed in usage_request: nothing replays them, and nothing else reads it.)
  await pool.query(
    `insert into usage_rollup (tenant_id, local_day, department_id, price_id, recorded_after, model, request_count, input_tokens, output_tokens,
                               cached_input_tokens, image_count, video_seconds, charged_amount)
     select u.tenant_id, (u.occurred_at at time zone $2)::date, u.department_id, u.price_id, 0, u.model, count(*), sum(u.input_tokens),
            sum(u.output_tokens), sum(u.cached_input_tokens), sum(u.image_count), sum(u.video_seconds), sum(u.charged_amount)
       from usage_record u join unnest($1::text[]) as seeded(tenant_id) using (tenant_id)
      where u.is_charged
      group by 1, 2, 3, 4, 6`,
    [directory.tenantIds, timezone],
  );
  const rollupSeconds = elapsed();
  if (options.vacuumAnalyze ?? true) await pool.query('vacuum analyze usage_record, usage_rollup, tenant, department, api_key, model_price');
  return {
    tenantIds: directory.tenantIds,
    departmentIds: directory.departmentIds,
    prices: prices.map(({ id, model, tier }) => ({ id, model, tier })),
    records: options.records,
    seconds: { directory: directorySeconds, usage: usageSeconds, indexes: indexSeconds, rollups: rollupSeconds, vacuumAnalyze: elapsed() },
  };
}
