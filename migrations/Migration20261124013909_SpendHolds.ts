import { Migration } from '@mikro-orm/migrations';

export class Migration20261124013909_SpendHolds extends Migration {
  override name = 'Migration20261124013909_SpendHolds';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "spend_hold" ("id" bigserial primary key, "tenant_id" text not null, "api_key_id" text not null, "request_id" text not null, "amount" numeric(30,16) not null, "scope_ids" text[] not null, "created_at" timestamptz not null, "expires_at" timestamptz not null);`,
    );
    this.addSql(`create index "spend_hold_expires_at_index" on "spend_hold" ("expires_at");`);
    this.addSql(`create index "spend_hold_scope_ids_index" on "spend_hold" using gin ("scope_ids");`);
    this.addSql(`alter table "spend_hold" add constraint "spend_hold_request_unique" unique ("tenant_id", "request_id");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "spend_hold" cascade;`);
  }
}
