import type pg from 'pg';
import type { SpendPeriod, SpendScopeType, TaskStage } from '../spend/spend-counter.entity.js';

/** A live budget on a scope, with the wall-clock time in its tenant's time zone when it is evaluated. */
export interface LiveBudget {
  id: string;
  tenantId: string;
  scopeType: SpendScopeType;
  scopeId: string;
  period: SpendPeriod;
  /** A stage budget's task stage; null for a budget of all spend. */
  stage: TaskStage | null;
  limitAmount: string;
  /** Ascending whole percentages. */
  thresholds: number[];
  /** Local date and time, to the millisecond: "2026-11-04T12:00:00.000". */
  localNow: string;
}

/**
 * The live budgets of these scopes, of all spend or (given `stage`) of that task stage's, in one
 * indexed read: what usage ingestion, and task completion, measure the counters they moved against.
 */
export async function liveBudgetsOf(client: pg.ClientBase, scopeIds: string[], now: Date, stage: TaskStage | null = null): Promise<LiveBudget[]> {
  const { rows } = await client.query<LiveBudget>({
    name: 'budget-live-of-scopes',
    text: `select b.id, b.tenant_id as "tenantId", b.scope_type as "scopeType", b.scope_id as "scopeId", b.period, b.stage,
                  b.limit_amount::text as "limitAmount", to_json(b.thresholds) as thresholds,
                  to_char($2::timestamptz at time zone t.timezone, 'YYYY-MM-DD"T"HH24:MI:SS.MS') as "localNow"
             from budget b join tenant t on t.id = b.tenant_id
            where b.scope_id = any($1::text[]) and b.stage is not distinct from $3::task_stage and b.deleted_at is null`,
    values: [scopeIds, now, stage],
  });
  return rows;
}

/** A hard stage budget on one of a key's scopes, with its current period and the stage's spend in it. */
export interface StageBudgetFigures {
  scopeType: SpendScopeType;
  scopeId: string;
  period: SpendPeriod;
  periodStart: string;
  limit: string;
  spent: string;
  requestCount: string;
}

/**
 * The live hard budgets of one task stage on a key's scopes (its tenant, each department up the
 * tree, the key), with the stage's spend in their current period: what a task of that stage is
 * limited by besides every limit of the key (usageTaskSubmit).
 */
export async function hardStageBudgetsOf(pool: pg.Pool, apiKeyId: string, stage: TaskStage, now: Date): Promise<StageBudgetFigures[]> {
  const { rows } = await pool.query<StageBudgetFigures>({
    name: 'budget-hard-stage-of-key',
    text: `with recursive up(id, parent_id) as (
             select d.id, d.parent_id from api_key k join department d on d.id = k.department_id where k.id = $1
             union all
             select d.id, d.parent_id from department d join up on d.id = up.parent_id
           )
           select b.scope_type as "scopeType", b.scope_id as "scopeId", b.period,
                  spend_period_start(b.period, $3, t.timezone)::text as "periodStart", b.limit_amount::text as "limit",
                  coalesce(c.spent, 0)::text as spent, coalesce(c.request_count, 0)::text as "requestCount"
             from api_key k
             join tenant t on t.id = k.tenant_id
             cross join lateral (select k.tenant_id as id union all select k.id union all select id from up) as scope
             join budget b on b.scope_id = scope.id and b.stage = $2 and b.deleted_at is null and b.is_hard
             left join stage_spend_counter c on c.scope_id = b.scope_id and c.stage = b.stage and c.period = b.period
                                            and c.period_start = spend_period_start(b.period, $3, t.timezone)
            where k.id = $1
            order by b.scope_type, b.scope_id, b.period`,
    values: [apiKeyId, stage, now],
  });
  return rows;
}
