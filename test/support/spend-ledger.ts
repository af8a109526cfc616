import type { TestApp } from './harness.js';
import { fromUnits, toUnits } from './usage-fixtures.js';

const localDay = (instant: Date, timeZone: string) =>
  new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(instant);

/**
 * Every spend counter as it should be, recomputed from the usage rows without the product's SQL:
 * scopes walked up the department tree in JS, local days from Intl, sums in integer units.
 */
export async function expectedCounters(test: TestApp): Promise<Map<string, { spent: string; requestCount: number }>> {
  const [usage, departments, tenants] = await Promise.all([
    test.sql.query<{ tenant_id: string; department_id: string; api_key_id: string; occurred_at: Date; charged_amount: string }>(
      'select tenant_id, department_id, api_key_id, occurred_at, charged_amount::text from usage_record',
    ),
    test.sql.query<{ id: string; parent_id: string | null }>('select id, parent_id from department'),
    test.sql.query<{ id: string; timezone: string }>('select id, timezone from tenant'),
  ]);
  const parentOf = new Map(departments.rows.map((row) => [row.id, row.parent_id]));
  const timeZoneOf = new Map(tenants.rows.map((row) => [row.id, row.timezone]));
  const totals = new Map<string, { units: bigint; requestCount: number }>();
  for (const row of usage.rows) {
    const day = localDay(row.occurred_at, timeZoneOf.get(row.tenant_id)!);
    const scopes = [row.tenant_id, row.api_key_id];
    for (let department: string | null = row.department_id; department; department = parentOf.get(department) ?? null) scopes.push(department);
    for (const scope of scopes) {
      for (const key of [`${scope}|DAILY|${day}`, `${scope}|MONTHLY|${day.slice(0, 8)}01`]) {
        const total = totals.get(key) ?? { units: 0n, requestCount: 0 };
        total.units += toUnits(row.charged_amount);
        total.requestCount += 1;
        totals.set(key, total);
      }
    }
  }
  return new Map([...totals].map(([key, total]) => [key, { spent: fromUnits(total.units), requestCount: total.requestCount }]));
}

/** The spend_counter table, keyed like expectedCounters. */
export async function actualCounters(test: TestApp): Promise<Map<string, { spent: string; requestCount: number }>> {
  const { rows } = await test.sql.query<{ scope_id: string; period: string; period_start: string; spent: string; request_count: string }>(
    `select scope_id, period, to_char(period_start, 'YYYY-MM-DD') as period_start, spent::text, request_count::text from spend_counter`,
  );
  return new Map(
    rows.map((row) => [`${row.scope_id}|${row.period}|${row.period_start}`, { spent: fromUnits(toUnits(row.spent)), requestCount: Number(row.request_count) }]),
  );
}

/**
 * Every usage rollup as it should be, recomputed from the charged usage rows in JS: keyed by tenant,
 * local day (Intl), department and price version, summed over the settlement barriers the rows were
 * recorded between (which only the product's barrier knows).
 */
export async function expectedRollups(test: TestApp): Promise<Map<string, { requestCount: number; tokens: number; charged: string }>> {
  const [usage, tenants] = await Promise.all([
    test.sql.query<{ tenant_id: string; department_id: string; price_id: string; occurred_at: Date; tokens: string; charged_amount: string }>(
      `select tenant_id, department_id, price_id, occurred_at, (input_tokens + output_tokens + cached_input_tokens)::text as tokens,
              charged_amount::text from usage_record where is_charged`,
    ),
    test.sql.query<{ id: string; timezone: string }>('select id, timezone from tenant'),
  ]);
  const timeZoneOf = new Map(tenants.rows.map((row) => [row.id, row.timezone]));
  const totals = new Map<string, { requestCount: number; tokens: number; units: bigint }>();
  for (const row of usage.rows) {
    const key = `${row.tenant_id}|${localDay(row.occurred_at, timeZoneOf.get(row.tenant_id)!)}|${row.department_id}|${row.price_id}`;
    const total = totals.get(key) ?? { requestCount: 0, tokens: 0, units: 0n };
    total.requestCount += 1;
    total.tokens += Number(row.tokens);
    total.units += toUnits(row.charged_amount);
    totals.set(key, total);
  }
  return new Map([...totals].map(([key, total]) => [key, { requestCount: total.requestCount, tokens: total.tokens, charged: fromUnits(total.units) }]));
}

/** The usage_rollup table, keyed like expectedRollups. */
export async function actualRollups(test: TestApp): Promise<Map<string, { requestCount: number; tokens: number; charged: string }>> {
  const { rows } = await test.sql.query<{ key: string; requestCount: string; tokens: string; charged: string }>(
    `select concat_ws('|', tenant_id, to_char(local_day, 'YYYY-MM-DD'), department_id, price_id) as key, sum(request_count)::text as "requestCount",
            sum(input_tokens + output_tokens + cached_input_tokens)::text as tokens, sum(charged_amount)::text as charged
       from usage_rollup group by tenant_id, local_day, department_id, price_id`,
  );
  return new Map(
    rows.map((row) => [row.key, { requestCount: Number(row.requestCount), tokens: Number(row.tokens), charged: fromUnits(toUnits(row.charged)) }]),
  );
}
