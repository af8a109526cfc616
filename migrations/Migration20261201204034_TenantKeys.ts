import { Migration } from '@mikro-orm/migrations';

/**
 * Every primary key and unique index of a tenant table includes tenant_id, as a sharded PostgreSQL
 * (Citus, distributed by tenant id) requires: a key can then be enforced on the one node that holds
 * the tenant. Ids stay first in their keys, so lookups by id use them as before. Bill and invoice
 * numbers become unique per tenant in the index; their counters still give each number once.
 * Bill and invoice lines get their document's tenant_id. The tables each list in
 * platform/database/distribution.ts is checked in test/tenant-keys.test.ts.
 */
export class Migration20261201204034_TenantKeys extends Migration {
  override name = 'Migration20261201204034_TenantKeys';

  override up(): void {
    for (const table of ['alert', 'balance_entry', 'bill', 'budget', 'contract', 'payment', 'rate_limit', 'spend_hold', 'vat_invoice'])
      this.rekey(table, ['id', 'tenant_id']);
    this.rekey('contract_version', ['contract_id', 'version', 'tenant_id']);
    this.rekey('rate_window', ['scope_id', 'window_start', 'tenant_id']);
    this.rekey('spend_counter', ['scope_id', 'period', 'period_start', 'tenant_id']);
    this.rekey('spend_hourly', ['scope_id', 'hour_start', 'tenant_id']);

    this.addSql(`alter table "bill_line" add "tenant_id" text;`);
    this.addSql(`update "bill_line" l set "tenant_id" = b."tenant_id" from "bill" b where b."id" = l."bill_id";`);
    this.addSql(`alter table "bill_line" alter column "tenant_id" set not null;`);
    this.rekey('bill_line', ['bill_id', 'line_number', 'tenant_id']);
    this.addSql(`alter table "vat_invoice_line" add "tenant_id" text;`);
    this.addSql(`update "vat_invoice_line" l set "tenant_id" = i."tenant_id" from "vat_invoice" i where i."id" = l."invoice_id";`);
    this.addSql(`alter table "vat_invoice_line" alter column "tenant_id" set not null;`);
    this.rekey('vat_invoice_line', ['invoice_id', 'line_number', 'tenant_id']);

    this.unique('alert', 'alert_dedupe_key_unique', ['tenant_id', 'dedupe_key']);
    this.unique('bill', 'bill_number_unique', ['tenant_id', 'number']);
    this.unique('vat_invoice', 'vat_invoice_number_unique', ['tenant_id', 'number']);
    this.unique('rate_limit', 'rate_limit_scope_unique', ['tenant_id', 'scope_id']);
    this.addSql(`drop index "budget_scope_period_live_unique";`);
    this.addSql(`create unique index "budget_scope_period_live_unique" on "budget" ("tenant_id", "scope_id", "period") where "deleted_at" is null;`);
    this.addSql(`drop index "vat_invoice_reversal_unique";`);
    this.addSql(`create unique index "vat_invoice_reversal_unique" on "vat_invoice" ("tenant_id", "reversal_of_id") where "reversal_of_id" is not null;`);
  }

  override down(): void {
    for (const table of ['alert', 'balance_entry', 'bill', 'budget', 'contract', 'payment', 'rate_limit', 'spend_hold', 'vat_invoice'])
      this.rekey(table, ['id']);
    this.rekey('contract_version', ['contract_id', 'version']);
    this.rekey('rate_window', ['scope_id', 'window_start']);
    this.rekey('spend_counter', ['scope_id', 'period', 'period_start']);
    this.rekey('spend_hourly', ['scope_id', 'hour_start']);
    this.rekey('bill_line', ['bill_id', 'line_number']);
    this.addSql(`alter table "bill_line" drop column "tenant_id";`);
    this.rekey('vat_invoice_line', ['invoice_id', 'line_number']);
    this.addSql(`alter table "vat_invoice_line" drop column "tenant_id";`);
    this.unique('alert', 'alert_dedupe_key_unique', ['dedupe_key']);
    this.unique('bill', 'bill_number_unique', ['number']);
    this.unique('vat_invoice', 'vat_invoice_number_unique', ['number']);
    this.unique('rate_limit', 'rate_limit_scope_unique', ['scope_id']);
    this.addSql(`drop index "budget_scope_period_live_unique";`);
    this.addSql(`create unique index "budget_scope_period_live_unique" on "budget" ("scope_id", "period") where "deleted_at" is null;`);
    this.addSql(`drop index "vat_invoice_reversal_unique";`);
    this.addSql(`create unique index "vat_invoice_reversal_unique" on "vat_invoice" ("reversal_of_id") where "reversal_of_id" is not null;`);
  }

  private rekey(table: string, columns: string[]): void {
    this.addSql(`alter table "${table}" drop constraint "${table}_pkey", add primary key (${columns.map((column) => `"${column}"`).join(', ')});`);
  }

  private unique(table: string, name: string, columns: string[]): void {
    this.addSql(`alter table "${table}" drop constraint "${name}", add constraint "${name}" unique (${columns.map((column) => `"${column}"`).join(', ')});`);
  }
}
