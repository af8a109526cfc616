import type pg from 'pg';
import { startTestApp, type TestApp } from './support/harness.js';

/*
 * The path past one database host is a sharded PostgreSQL (Citus) distributing tenant tables by
 * tenant_id. Citus enforces a primary key or unique index only when it includes the distribution
 * column, so every table here is one of three kinds, and this check keeps it so as the schema grows:
 *
 * - a tenant table (every table not listed below): tenant_id NOT NULL, and every primary key and
 *   unique index includes it;
 * - a reference table, copied to every node: small, and read alongside any tenant's rows or looked
 *   up without knowing the tenant;
 * - a coordinator table, kept on the coordinator node only: the operator's own records, which
 *   belong to no tenant or to the platform.
 */
const REFERENCE_TABLES: Record<string, string> = {
  tenant: 'every tenant, looked up by id and by ERP code across tenants',
  department: 'the directory: trees read with usage and keys, referenced by api_key',
  api_key: 'found by secret hash alone: the gateway knows no tenant before it',
  access_token: 'found by secret hash alone; platform tokens belong to no tenant',
  model_price: 'the price book every tenant is rated on',
  operator_profile: 'the seller on every invoice, one row',
  bill_number_counter: 'the bill number series, across tenants',
  vat_invoice_number_counter: 'the invoice number series, across tenants',
  bill_sync_counter: 'the one change version ERP pulls of every tenant follow',
  url_signing_key: 'one key signing every export link',
  redemption_code: 'issued by the operator, found by code hash alone when redeemed',
};

const COORDINATOR_TABLES: Record<string, string> = {
  settlement_run: "the operator's runs over many tenants",
  audit_entry: "the audit trail, the operator's own entries belonging to no tenant",
  webhook_endpoint: "endpoints of tenants and the operator's own (no tenant)",
  webhook_endpoint_secret: 'secrets of those endpoints',
  webhook_event: 'the webhook outbox, the operator’s messages included',
  webhook_delivery: 'deliveries of that outbox',
  webhook_attempt: 'attempts of those deliveries',
  event_outbox: 'event bodies too large for NOTIFY, kept an hour',
  read_position: "each caller's last write position, an unlogged table of the primary",
  schema_migrations: 'the migrations applied',
};

interface TableFacts {
  table: string;
  tenantColumn: 'NOT NULL' | 'NULL' | null;
  /** Primary key and unique indexes that do not include tenant_id, by name. */
  keysWithoutTenant: string[];
}

/** Each table of the schema (partitions counted as their parent), its tenant_id column and its keys without it. */
async function tableFacts(sql: pg.Pool, schema: string): Promise<TableFacts[]> {
  const { rows } = await sql.query<TableFacts>(
    `select c.relname as "table",
            (select case when a.attnotnull then 'NOT NULL' else 'NULL' end
               from pg_attribute a where a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped) as "tenantColumn",
            array(select i.relname::text from pg_index x join pg_class i on i.oid = x.indexrelid
                   where x.indrelid = c.oid and (x.indisprimary or x.indisunique)
                     and not exists (select 1 from pg_attribute a
                                      where a.attrelid = c.oid and a.attname = 'tenant_id' and a.attnum = any (x.indkey::int2[]))
                   order by 1) as "keysWithoutTenant"
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = $1 and c.relkind in ('r', 'p') and not c.relispartition
      order by 1`,
    [schema],
  );
  return rows;
}

/** What keeps the schema from being distributed by tenant id, one line per problem. */
function problems(tables: TableFacts[]): string[] {
  const found: string[] = [];
  const names = new Set(tables.map((facts) => facts.table));
  for (const listed of [...Object.keys(REFERENCE_TABLES), ...Object.keys(COORDINATOR_TABLES)])
    if (!names.has(listed)) found.push(`${listed}: listed, but no such table`);
  for (const { table, tenantColumn, keysWithoutTenant } of tables) {
    if (table in REFERENCE_TABLES || table in COORDINATOR_TABLES) continue;
    if (tenantColumn === null) found.push(`${table}: no tenant_id; add one, or list the table as a reference or coordinator table`);
    else if (tenantColumn === 'NULL') found.push(`${table}: tenant_id may be null`);
    for (const key of keysWithoutTenant) found.push(`${table}: ${key} does not include tenant_id`);
  }
  return found;
}

let test: TestApp;
beforeAll(async () => {
  test = await startTestApp();
});
afterAll(async () => {
  await test.stop();
});

it('keys every tenant table on tenant_id, and lists every other table as a reference or coordinator table', async () => {
  const tables = await tableFacts(test.sql, 'public');
  expect(problems(tables)).toEqual([]);
  // Usage, rollups, bills, invoices, payments, spend and holds are all distributed.
  const distributed = tables.map((facts) => facts.table).filter((table) => !(table in REFERENCE_TABLES) && !(table in COORDINATOR_TABLES));
  expect(distributed).toEqual(
    expect.arrayContaining(['usage_record', 'usage_rollup', 'bill', 'bill_line', 'vat_invoice', 'vat_invoice_line', 'payment', 'spend_counter', 'spend_hold']),
  );
});

it('names a table keyed without tenant_id, one with a nullable tenant_id, and one that is neither keyed nor listed', async () => {
  await test.sql.query(`create schema keys_check
    create table order_line (id text primary key, tenant_id text not null, code text, unique (code), unique (tenant_id, id))
    create table note (id text, tenant_id text, primary key (id))
    create table setting (name text primary key)
    create table tenant (id text primary key)`);
  try {
    expect(problems(await tableFacts(test.sql, 'keys_check'))).toEqual(
      expect.arrayContaining([
        'note: tenant_id may be null',
        'note: note_pkey does not include tenant_id',
        'order_line: order_line_code_key does not include tenant_id',
        'order_line: order_line_pkey does not include tenant_id',
        'setting: no tenant_id; add one, or list the table as a reference or coordinator table',
        'model_price: listed, but no such table',
      ]),
    );
  } finally {
    await test.sql.query('drop schema keys_check cascade');
  }
});
