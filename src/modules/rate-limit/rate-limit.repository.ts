import type pg from 'pg';
import type { RateWindowFigures, RateWindowMove } from '../spend/spend-events.js';
import { WINDOW_SECONDS, windowStartOf, type KeyMinuteUsage } from './rate-window.js';

/*
 * The SQL of rate counting on the gateway's hot path, below the ORM: reservations and usage batches
 * write rate_window rows in order of (scope, window), so that they queue instead of deadlocking,
 * and drop the windows of those scopes that are too old to count (older than the previous minute).
 */

const WINDOW_FIGURES = `extract(epoch from w.window_start)::bigint as "windowStart", w.requests, w.tokens, w.revision`;

/** The counting windows (this minute and the previous one) of each scope; under the reservation locks, exact. */
export async function readRateWindows(client: pg.ClientBase, scopeIds: string[], now: Date): Promise<Map<string, RateWindowFigures[]>> {
  const { rows } = await client.query<RateWindowFigures & { scopeId: string }>({
    name: 'rate-windows-read',
    text: `select w.scope_id as "scopeId", ${WINDOW_FIGURES}
             from rate_window w where w.scope_id = any($1::text[]) and w.window_start >= to_timestamp($2)`,
    values: [scopeIds, windowStartOf(now) - WINDOW_SECONDS],
  });
  const windows = new Map<string, RateWindowFigures[]>();
  for (const { scopeId, ...figures } of rows) windows.set(scopeId, [...(windows.get(scopeId) ?? []), toFigures(figures)]);
  return windows;
}

/** bigint columns come back as strings; counts of requests and tokens stay far below 2^53. */
function toFigures(row: RateWindowFigures): RateWindowFigures {
  return { windowStart: Number(row.windowStart), requests: Number(row.requests), tokens: Number(row.tokens), revision: Number(row.revision) };
}

/** Reserved calls counted in one scope's minute: how many, and their estimated tokens. */
export interface ReservedCount {
  tenantId: string;
  scopeId: string;
  requests: number;
  tokens: number;
}

/** Counts a batch's reserved calls in this minute of each scope they are limited on, under the reservation locks. */
export async function countReservations(client: pg.ClientBase, counts: ReservedCount[], now: Date): Promise<void> {
  await client.query({
    name: 'rate-windows-reserve',
    text: `with counted as (
             select * from json_to_recordset($1::json) as c("tenantId" text, "scopeId" text, requests bigint, tokens bigint)
           ),
           expired as (
             delete from rate_window where scope_id in (select "scopeId" from counted) and window_start < to_timestamp($2) - make_interval(secs => ${WINDOW_SECONDS})
           )
           insert into rate_window (tenant_id, scope_id, window_start, requests, tokens, revision)
           select "tenantId", "scopeId", to_timestamp($2), requests, tokens, 1 from counted order by "scopeId"
           on conflict (scope_id, window_start, tenant_id) do update
             set requests = rate_window.requests + excluded.requests, tokens = rate_window.tokens + excluded.tokens, revision = rate_window.revision + 1`,
    values: [JSON.stringify(counts), windowStartOf(now)],
  });
}

/**
 * Counts a batch's records in the windows of every limited scope of their keys (the key, each
 * department up its tree, the tenant), in one statement, and answers the windows it moved with
 * their totals after it. Tenants without any rate limit are passed over before the tree is walked,
 * so a batch of theirs writes nothing here.
 */
export async function countRecordedUsage(client: pg.ClientBase, usage: KeyMinuteUsage[], now: Date): Promise<RateWindowMove[]> {
  const { rows } = await client.query<RateWindowMove>({
    name: 'rate-windows-record',
    text: `with recursive moved as (
             select m.* from json_to_recordset($1::json) as m("tenantId" text, "apiKeyId" text, "windowStart" bigint, requests bigint, tokens bigint)
              where exists (select 1 from rate_limit l where l.tenant_id = m."tenantId")
           ),
           up(api_key_id, department_id) as (
             select distinct k.id, k.department_id from moved m join api_key k on k.id = m."apiKeyId"
             union
             select up.api_key_id, d.parent_id from up join department d on d.id = up.department_id where d.parent_id is not null
           ),
           scopes(api_key_id, scope_id) as (
             select "apiKeyId", "apiKeyId" from moved
             union select "apiKeyId", "tenantId" from moved
             union select api_key_id, department_id from up
           ),
           moves as (
             select l.tenant_id, l.scope_id, to_timestamp(m."windowStart") as window_start, sum(m.requests) as requests, sum(m.tokens) as tokens
               from moved m join scopes s on s.api_key_id = m."apiKeyId" join rate_limit l on l.scope_id = s.scope_id
              group by 1, 2, 3
           ),
           expired as (
             delete from rate_window w using (select distinct scope_id from moves) as s
              where w.scope_id = s.scope_id and w.window_start < to_timestamp($2) - make_interval(secs => ${WINDOW_SECONDS})
           )
           insert into rate_window as w (tenant_id, scope_id, window_start, requests, tokens, revision)
           select tenant_id, scope_id, window_start, requests, tokens, 1 from moves order by scope_id, window_start
           on conflict (scope_id, window_start, tenant_id) do update
             set requests = w.requests + excluded.requests, tokens = w.tokens + excluded.tokens, revision = w.revision + 1
           returning w.tenant_id as "tenantId", w.scope_id as "scopeId", ${WINDOW_FIGURES}`,
    values: [JSON.stringify(usage), windowStartOf(now)],
  });
  return rows.map((row) => ({ tenantId: row.tenantId, scopeId: row.scopeId, ...toFigures(row) }));
}
