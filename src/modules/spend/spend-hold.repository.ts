import type pg from 'pg';
import type { SpendPeriod, TaskStage } from './spend-counter.entity.js';

/*
 * spend_hold, written here only: the holds usageReserve and usageTaskSubmit place for calls and
 * tasks in flight, which recording a call ends, usageRelease frees, and expiry drops. A hold's
 * scopes are all its tenant's, so holds are found by tenant, on the unique (tenant_id, request_id)
 * index.
 */

/**
 * A limit to re-read under the reservation locks: a spend counter (scope, period, start), a stage
 * spend counter (the same, for one task stage), a prepaid tenant's balance, or what counts against
 * a postpaid tenant's credit limit. `scopeId` is what holds are counted and locked by: a stage
 * limit's is its own (`stageHoldScope`), so only the holds of tasks of its stage count against it.
 */
export type LimitedScope =
  | { kind: 'SPEND'; scopeId: string; period: SpendPeriod; periodStart: string }
  | { kind: 'STAGE_SPEND'; scopeId: string; spendScopeId: string; stage: TaskStage; period: SpendPeriod; periodStart: string }
  | { kind: 'BALANCE' | 'CREDIT_USED'; scopeId: string };

/** What the holds of tasks of one stage are counted against in a scope: "dep_.../DRAFT". */
export function stageHoldScope(scopeId: string, stage: TaskStage): string {
  return `${scopeId}/${stage}`;
}

/** What a batch of reservations re-reads under its locks. */
export interface ScopeFigures {
  /** Spent in the period, the balance, or the credit used, per target in the order given. */
  current: string[];
  /** Active holds per scope id, other than those of the batch's own requests. */
  held: Map<string, string>;
}

/**
 * Under the caller's transaction: locks the scopes a batch of reservations limits (advisory locks
 * in a fixed order, so reservations of a scope queue, on every instance, instead of racing) and
 * drops the expired holds of their tenants.
 */
export async function lockReservationScopes(client: pg.ClientBase, batch: { scopeIds: string[]; tenantIds: string[] }, now: Date): Promise<void> {
  await client.query({
    name: 'reserve-lock',
    text: 'select pg_advisory_xact_lock(hashtext(scope_id)) from (select scope_id from unnest($1::text[]) as scope_id order by scope_id) as ordered',
    values: [batch.scopeIds],
  });
  await client.query({
    name: 'reserve-expire',
    text: 'delete from spend_hold where tenant_id = any($1::text[]) and expires_at <= $2',
    values: [batch.tenantIds, now],
  });
}

/**
 * Under the locks: the current figure of each target (a spend counter, a balance, the credit
 * used) and what calls in flight hold per scope, leaving out the holds of the batch's own requests
 * (a repeated reservation replaces its hold). A hold's scopes are all its tenant's, so the holds
 * are found by tenant, on the (tenant_id, request_id) index. Figures and holds in one statement, so one snapshot:
 * recording a request moves its cost into spend and drops its hold in one commit, which two
 * statements could see half of (neither the hold nor the spend), letting a reservation pass the limit.
 */
export async function readReservationFigures(
  client: pg.ClientBase,
  batch: { targets: LimitedScope[]; scopeIds: string[]; tenantIds: string[]; requests: { tenantId: string; requestId: string }[] },
  now: Date,
): Promise<ScopeFigures> {
  const { rows } = await client.query<{ kind: 'current' | 'held'; key: string; value: string }>({
    name: 'reserve-figures',
    text: `select 'current' as kind, l.position::text as key,
                  coalesce(case l.kind when 'BALANCE' then (select a.balance from balance_account a where a.tenant_id = l.scope_id)
                                       when 'CREDIT_USED' then credit_used(l.scope_id)
                                       when 'STAGE_SPEND' then (select c.spent from stage_spend_counter c
                                                                 where c.scope_id = l.spend_scope_id and c.stage = l.stage
                                                                   and c.period = l.period and c.period_start = l.period_start)
                                       else (select c.spent from spend_counter c
                                              where c.scope_id = l.scope_id and c.period = l.period and c.period_start = l.period_start) end, 0)::text as value
             from json_to_recordset($1::json) as l(position int, kind text, scope_id text, spend_scope_id text, stage task_stage,
                                                   period spend_period, period_start date)
           union all
           select 'held', scope_id, sum(h.amount)::text
             from spend_hold h cross join unnest(h.scope_ids) as scope_id
            where h.tenant_id = any($6::text[]) and scope_id = any($2::text[]) and h.expires_at > $3
              and not exists (select 1 from unnest($4::text[], $5::text[]) as own(tenant_id, request_id)
                               where own.tenant_id = h.tenant_id and own.request_id = h.request_id)
            group by scope_id`,
    values: [
      JSON.stringify(
        batch.targets.map((target, position) => ({
          position,
          kind: target.kind,
          scope_id: target.scopeId,
          spend_scope_id: target.kind === 'STAGE_SPEND' ? target.spendScopeId : null,
          stage: target.kind === 'STAGE_SPEND' ? target.stage : null,
          period: target.kind === 'SPEND' || target.kind === 'STAGE_SPEND' ? target.period : null,
          period_start: target.kind === 'SPEND' || target.kind === 'STAGE_SPEND' ? target.periodStart : null,
        })),
      ),
      batch.scopeIds,
      now,
      batch.requests.map((request) => request.tenantId),
      batch.requests.map((request) => request.requestId),
      batch.tenantIds,
    ],
  });
  const current = new Map(rows.filter((row) => row.kind === 'current').map((row) => [Number(row.key), row.value]));
  return {
    current: batch.targets.map((_target, position) => current.get(position) ?? '0'),
    held: new Map(rows.filter((row) => row.kind === 'held').map((row) => [row.key, row.value])),
  };
}

/** A call's hold: its estimate, held against every scope it is limited on. */
export interface Hold {
  tenantId: string;
  apiKeyId: string;
  requestId: string;
  amount: string;
  /** The tokens its reservation counted against rate limits, for recording to true up. */
  estimatedTokens: number;
  scopeIds: string[];
  createdAt: Date;
  expiresAt: Date;
}

/** Places the holds of a batch of reservations; a repeated reservation of the same request replaces its hold. */
export async function placeHolds(client: pg.ClientBase, holds: Hold[]): Promise<void> {
  await client.query({
    name: 'reserve-place',
    text: `insert into spend_hold (tenant_id, api_key_id, request_id, amount, estimated_tokens, scope_ids, created_at, expires_at)
           select h."tenantId", h."apiKeyId", h."requestId", h.amount, h."estimatedTokens",
                  array(select json_array_elements_text(h."scopeIds")), h."createdAt", h."expiresAt"
             from json_to_recordset($1::json) as h("tenantId" text, "apiKeyId" text, "requestId" text, amount numeric, "estimatedTokens" bigint,
                                                  "scopeIds" json, "createdAt" timestamptz, "expiresAt" timestamptz)
           on conflict (tenant_id, request_id) do update
             set amount = excluded.amount, estimated_tokens = excluded.estimated_tokens, scope_ids = excluded.scope_ids,
                 created_at = excluded.created_at, expires_at = excluded.expires_at`,
    values: [JSON.stringify(holds)],
  });
}

/** Frees the hold of a request of the key's tenant; false when there was none (recorded, released or expired). */
export async function releaseHold(pool: pg.Pool, secretHash: string, requestId: string): Promise<{ isKnownKey: boolean; isReleased: boolean }> {
  const {
    rows: [row],
  } = await pool.query<{ isKnownKey: boolean; isReleased: boolean }>({
    name: 'reserve-release',
    text: `with key as (select tenant_id from api_key where secret_hash = $1),
                released as (delete from spend_hold h using key where h.tenant_id = key.tenant_id and h.request_id = $2 returning h.id)
           select exists (select 1 from key) as "isKnownKey", exists (select 1 from released) as "isReleased"`,
    values: [secretHash, requestId],
  });
  return row;
}

/** A hold that recording its request ended: what its reservation counted against rate limits, and in which minute. */
export interface EndedHold {
  tenantId: string;
  requestId: string;
  estimatedTokens: number;
  /** Epoch seconds of the minute the reservation was counted in. */
  windowStart: number;
}

/** Ends the holds of requests a usage batch recorded, in the batch's transaction: their cost is in spend now. */
export async function endHolds(client: pg.ClientBase, requests: { tenantId: string; requestId: string }[]): Promise<EndedHold[]> {
  const { rows } = await client.query<{ tenantId: string; requestId: string; estimatedTokens: string; windowStart: string }>({
    name: 'holds-end',
    text: `delete from spend_hold h using unnest($1::text[], $2::text[]) as r(tenant_id, request_id)
            where h.tenant_id = r.tenant_id and h.request_id = r.request_id
           returning h.tenant_id as "tenantId", h.request_id as "requestId", h.estimated_tokens as "estimatedTokens",
                     extract(epoch from date_trunc('minute', h.created_at))::bigint as "windowStart"`,
    values: [requests.map((request) => request.tenantId), requests.map((request) => request.requestId)],
  });
  return rows.map((row) => ({ ...row, estimatedTokens: Number(row.estimatedTokens), windowStart: Number(row.windowStart) }));
}
