import type pg from 'pg';
import type { AlertType } from './alert.entity.js';

/** One alert to raise, snake_case: it travels as JSON into json_to_recordset. */
export interface AlertRow {
  id: string;
  dedupe_key: string;
  tenant_id: string;
  type: AlertType;
  scope_type: string;
  scope_id: string;
  budget_id: string | null;
  threshold: number | null;
  period: string | null;
  period_start: string | null;
  amount: string;
  limit_amount: string | null;
  currency: string;
  message: string;
}

export interface RaisedAlert {
  id: string;
  tenantId: string;
  scopeId: string;
}

/** The keys among these that already name an alert. */
export async function alertedKeys(client: pg.ClientBase, dedupeKeys: string[]): Promise<string[]> {
  const { rows } = await client.query<{ dedupeKey: string }>({
    name: 'alerts-alerted-keys',
    text: 'select dedupe_key as "dedupeKey" from alert where dedupe_key = any($1::text[])',
    values: [dedupeKeys],
  });
  return rows.map((row) => row.dedupeKey);
}

/** The names of the tenants, departments and keys alerts are about, by id, for their messages. */
export async function scopeNames(client: pg.ClientBase, scopeIds: string[]): Promise<Map<string, string>> {
  const { rows } = await client.query<{ id: string; name: string }>({
    name: 'alerts-scope-names',
    text: `select id, name from tenant where id = any($1::text[])
           union all select id, name from department where id = any($1::text[])
           union all select id, name from api_key where id = any($1::text[])`,
    values: [scopeIds],
  });
  return new Map(rows.map((row) => [row.id, row.name]));
}

/** Inserts the alerts whose occasion has none yet; a concurrent raise of the same occasion loses on the unique dedupe key. */
export async function insertAlerts(client: pg.ClientBase, rows: AlertRow[], raisedAt: Date): Promise<RaisedAlert[]> {
  const { rows: raised } = await client.query<RaisedAlert>({
    name: 'alerts-insert',
    text: `insert into alert (id, dedupe_key, tenant_id, type, scope_type, scope_id, budget_id, threshold, period, period_start,
                              amount, limit_amount, currency, message, raised_at)
           select id, dedupe_key, tenant_id, type, scope_type, scope_id, budget_id, threshold, period, period_start,
                  amount, limit_amount, currency, message, $2
             from json_to_recordset($1::json) as r(id text, dedupe_key text, tenant_id text, type alert_type, scope_type spend_scope_type,
                  scope_id text, budget_id text, threshold int, period spend_period, period_start date, amount numeric,
                  limit_amount numeric, currency currency_code, message text)
            order by dedupe_key
           on conflict (tenant_id, dedupe_key) do nothing
           returning id, tenant_id as "tenantId", scope_id as "scopeId"`,
    values: [JSON.stringify(rows), raisedAt],
  });
  return raised;
}
