import type pg from 'pg';
import { queryRows, type SqlTarget } from '../../platform/database/sql.js';
import type { SpendPeriod, SpendScopeType, TaskStage } from './spend-counter.entity.js';

/*
 * Spend's SQL below the ORM: the spend step of usage ingestion, one set-based statement per batch
 * (see platform/database/sql.ts for why not MikroORM's `execute`), and reads of the limits spend is
 * measured against.
 */

/** The limit of the scope's live budget for the period, if it has one (the budget module writes the table; spend only reads it). */
export async function liveBudgetLimit(target: SqlTarget, scopeId: string, period: SpendPeriod): Promise<string | null> {
  const [budget] = await queryRows<{ limitAmount: string }>(
    target,
    'select limit_amount::text as "limitAmount" from budget where scope_id = $1 and period = $2 and stage is null and deleted_at is null',
    [scopeId, period],
  );
  return budget?.limitAmount ?? null;
}

/** Usage newly recorded for one key in one local day (tenant's time zone) and one UTC clock hour: what spend moves by. */
export interface KeySpend {
  tenantId: string;
  departmentId: string;
  apiKeyId: string;
  /** The local day, as spend_period_start('DAILY', ...) gives it. */
  day: string;
  /** The UTC clock hour, written "2026-11-10T10:00Z". */
  hourStart: string;
  spent: string;
  requestCount: string;
}

/** A spend counter a batch moved, with its totals after the batch. */
export interface CounterMove {
  tenantId: string;
  scopeType: SpendScopeType;
  scopeId: string;
  period: SpendPeriod;
  periodStart: string;
  spent: string;
  requestCount: string;
}

/** A scope's spend in the current UTC clock hour after a batch, next to its spend over the 7 local days before today. */
export interface HourSpend {
  tenantId: string;
  scopeType: SpendScopeType;
  scopeId: string;
  /** Written "2026-11-10T10:00Z". */
  hourStart: string;
  spent: string;
  /** The scope's daily counters of the 7 local days before today, summed as they stood before this batch. */
  previousWeekSpent: string;
}

export interface MovedSpend {
  counters: CounterMove[];
  currentHours: HourSpend[];
}

/**
 * Moves every spend counter the keys' new usage touches (tenant, each department up the tree, key;
 * day and month in the tenant's time zone) and the scopes' UTC hours, with one aggregated upsert
 * per row, written in a fixed order (by key) so that concurrent batches wait for each other instead
 * of deadlocking. Answers the counters after the batch, and the current hour of each scope moved
 * in it with the figures SPEND_SPIKE compares (read in the same statement, so before this batch).
 */
export async function addKeySpend(client: pg.ClientBase, keySpend: KeySpend[], recordedAt: Date): Promise<MovedSpend> {
  const {
    rows: [moved],
  } = await client.query<MovedSpend>({
    name: 'spend-add-key-spend',
    text: `with recursive key_spend as (
             select "tenantId" as tenant_id, "departmentId" as department_id, "apiKeyId" as api_key_id, day, "hourStart" as hour_start,
                    spent, "requestCount" as request_count
               from json_to_recordset($1::json) as k("tenantId" text, "departmentId" text, "apiKeyId" text, day date, "hourStart" timestamptz,
                                                     spent numeric, "requestCount" bigint)
           ),
           department_chain (department_id, ancestor_id, parent_id) as (
             select d.id, d.id, d.parent_id from department d where d.id in (select department_id from key_spend)
             union all
             select c.department_id, d.id, d.parent_id from department_chain c join department d on d.id = c.parent_id
           ),
           scoped as (
             select tenant_id, 'TENANT'::spend_scope_type as scope_type, tenant_id as scope_id, day, hour_start, spent, request_count from key_spend
             union all
             select tenant_id, 'API_KEY', api_key_id, day, hour_start, spent, request_count from key_spend
             union all
             select k.tenant_id, 'DEPARTMENT', c.ancestor_id, k.day, k.hour_start, k.spent, k.request_count
               from key_spend k join department_chain c on c.department_id = k.department_id
           ),
           hourly as (
             insert into spend_hourly (scope_id, hour_start, scope_type, tenant_id, spent)
             select scope_id, hour_start, scope_type, tenant_id, sum(spent) from scoped group by 1, 2, 3, 4 order by 1, 2
             on conflict (scope_id, hour_start, tenant_id) do update set spent = spend_hourly.spent + excluded.spent
             returning scope_id, hour_start, scope_type, tenant_id, spent
           ),
           moves as (
             select s.tenant_id, s.scope_type, s.scope_id, p.period, p.period_start,
                    sum(s.spent) as spent, sum(s.request_count) as request_count
               from scoped s
               cross join lateral (values ('DAILY'::spend_period, s.day), ('MONTHLY'::spend_period, date_trunc('month', s.day)::date))
                 as p(period, period_start)
              group by 1, 2, 3, 4, 5
           ),
           counters as (
             insert into spend_counter (scope_id, period, period_start, scope_type, tenant_id, spent, request_count, updated_at)
             select scope_id, period, period_start, scope_type, tenant_id, spent, request_count, $2
               from moves order by scope_id, period, period_start
             on conflict (scope_id, period, period_start, tenant_id) do update
               set spent = spend_counter.spent + excluded.spent,
                   request_count = spend_counter.request_count + excluded.request_count,
                   updated_at = excluded.updated_at
             returning tenant_id, scope_type, scope_id, period, period_start, spent, request_count
           ),
           current_hours as (
             select h.tenant_id as "tenantId", h.scope_type as "scopeType", h.scope_id as "scopeId",
                    to_char(h.hour_start at time zone 'UTC', 'YYYY-MM-DD"T"HH24:00"Z"') as "hourStart", h.spent::text as spent,
                    week.spent::text as "previousWeekSpent"
               from hourly h
               join tenant t on t.id = h.tenant_id
               cross join lateral (
                 select coalesce(sum(c.spent), 0) as spent from spend_counter c
                  where c.scope_id = h.scope_id and c.period = 'DAILY'
                    and c.period_start >= spend_period_start('DAILY', $2, t.timezone) - 7
                    and c.period_start < spend_period_start('DAILY', $2, t.timezone)) week
              where h.hour_start = date_trunc('hour', $2::timestamptz at time zone 'UTC') at time zone 'UTC'
           )
           select (select coalesce(json_agg(json_build_object(
                            'tenantId', tenant_id, 'scopeType', scope_type, 'scopeId', scope_id, 'period', period,
                            'periodStart', period_start::text, 'spent', spent::text, 'requestCount', request_count::text)), '[]'::json)
                     from counters) as counters,
                  (select coalesce(json_agg(current_hours), '[]'::json) from current_hours) as "currentHours"`,
    values: [JSON.stringify(keySpend), recordedAt],
  });
  return moved;
}

/** A completed task's charge: what its stage's spend moves by. */
export interface StageCharge {
  tenantId: string;
  departmentId: string;
  apiKeyId: string;
  stage: TaskStage;
  /** When its usage occurred: the periods it counts in are the tenant's local day and month of this instant. */
  occurredAt: Date;
  spent: string;
}

/**
 * Moves the stage spend counters a completed task counts in (tenant, each department up the tree,
 * key; day and month in the tenant's time zone), in the caller's transaction, after the task's
 * usage moved the spend counters. Answers the counters after the move, for its stage budgets.
 */
export async function addStageSpend(client: pg.ClientBase, charge: StageCharge, recordedAt: Date): Promise<CounterMove[]> {
  const { rows } = await client.query<CounterMove>({
    name: 'spend-add-stage-spend',
    text: `with recursive up(id, parent_id) as (
             select d.id, d.parent_id from department d where d.id = $2
             union all
             select d.id, d.parent_id from department d join up on d.id = up.parent_id
           ),
           scoped(scope_type, scope_id) as (
             select 'TENANT'::spend_scope_type, $1::text
             union all select 'API_KEY', $3::text
             union all select 'DEPARTMENT', id from up
           )
           insert into stage_spend_counter (scope_id, stage, period, period_start, tenant_id, scope_type, spent, request_count, updated_at)
           select s.scope_id, $4, p.period, spend_period_start(p.period, $5, t.timezone), $1, s.scope_type, $6, 1, $7
             from scoped s
             join tenant t on t.id = $1
             cross join (values ('DAILY'::spend_period), ('MONTHLY'::spend_period)) as p(period)
            order by s.scope_id, p.period
           on conflict (scope_id, stage, period, period_start, tenant_id) do update
             set spent = stage_spend_counter.spent + excluded.spent,
                 request_count = stage_spend_counter.request_count + excluded.request_count,
                 updated_at = excluded.updated_at
           returning tenant_id as "tenantId", scope_type as "scopeType", scope_id as "scopeId", period,
                     period_start::text as "periodStart", spent::text as spent, request_count::text as "requestCount"`,
    values: [charge.tenantId, charge.departmentId, charge.apiKeyId, charge.stage, charge.occurredAt, charge.spent, recordedAt],
  });
  return rows;
}
