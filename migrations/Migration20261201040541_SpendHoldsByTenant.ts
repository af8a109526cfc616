import { Migration } from '@mikro-orm/migrations';

/** Holds are found by tenant (every scope of a hold is its tenant's), on the unique (tenant_id, request_id) index. */
export class Migration20261201040541_SpendHoldsByTenant extends Migration {
  override name = 'Migration20261201040541_SpendHoldsByTenant';

  override up(): void | Promise<void> {
    this.addSql(`drop index "spend_hold_scope_ids_index";`);
  }

  override down(): void | Promise<void> {
    this.addSql(`create index "spend_hold_scope_ids_index" on "spend_hold" using gin ("scope_ids");`);
  }
}
