import type pg from 'pg';
import type { SpendPeriod, SpendScopeType } from '../spend/spend-counter.entity.js';

/** A live budget on a scope, with the wall-clock time in its tenant's time zone when it is evaluated. */
export interface LiveBudget {
  id: string;
  tenantId: string;
  scopeType: SpendScopeType;
  scopeId: string;
  period: SpendPeriod;
  limitAmount: string;
  /** Ascending whole percentages. */
  thresholds: number[];
  /** Local date and time, to the millisecond: "2026-11-04T12:00:00.000". */
  localNow: string;
}

/**
 * The live budgets of these scopes, in one indexed read: what usage ingestion measures the
 * counters it moved against.
 */
export async function liveBudgetsOf(client: pg.ClientBase, scopeIds: string[], now: Date): Promise<LiveBudget[]> {
  const { rows } = await client.query<LiveBudget>({
    name: 'budget-live-of-scopes',
    text: `select b.id, b.tenant_id as "tenantId", b.scope_type as "scopeType", b.scope_id as "scopeId", b.period,
                  b.limit_amount::text as "limitAmount", to_json(b.thresholds) as thresholds,
                  to_char($2::timestamptz at time zone t.timezone, 'YYYY-MM-DD"T"HH24:MI:SS.MS') as "localNow"
             from budget b join tenant t on t.id = b.tenant_id
            where b.scope_id = any($1::text[]) and b.deleted_at is null`,
    values: [scopeIds, now],
  });
  return rows;
}
