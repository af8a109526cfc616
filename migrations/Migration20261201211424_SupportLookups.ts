import { Migration } from '@mikro-orm/migrations';

/** Finding one call for support: usage records by task id, and each requestId's duplicates counted. */
export class Migration20261201211424_SupportLookups extends Migration {
  override name = 'Migration20261201211424_SupportLookups';

  override up(): void {
    this.addSql(`create index "usage_record_task_index" on "usage_record" ("tenant_id", "task_id") where "task_id" is not null;`);
    this.addSql(`alter table "usage_request" add "duplicate_count" int not null default 0, add "last_duplicate_at" timestamptz null;`);
  }

  override down(): void {
    this.addSql(`drop index "usage_record_task_index";`);
    this.addSql(`alter table "usage_request" drop column "duplicate_count", drop column "last_duplicate_at";`);
  }
}
