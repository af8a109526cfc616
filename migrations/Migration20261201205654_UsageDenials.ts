import { Migration } from '@mikro-orm/migrations';

/** Gateway refusals on record, one row per key, check, code, model and UTC minute (modules/usage/usage-denials.ts). */
export class Migration20261201205654_UsageDenials extends Migration {
  override name = 'Migration20261201205654_UsageDenials';

  override up(): void {
    this.addSql(`create type "gateway_check" as enum ('AUTHORIZE', 'RESERVE');`);
    this.addSql(
      `create table "usage_denial" ("id" text not null, "tenant_id" text not null, "api_key_id" text not null, "minute" timestamptz not null, "check" "gateway_check" not null, "code" text not null, "model" text not null, "http_status" smallint not null, "scope_type" "spend_scope_type" null, "scope_id" text null, "message" text not null, "count" bigint not null, "first_at" timestamptz not null, "last_at" timestamptz not null, primary key ("id", "tenant_id"));`,
    );
    this.addSql(`create index "usage_denial_minute_index" on "usage_denial" ("minute");`);
    this.addSql(`create index "usage_denial_tenant_minute_index" on "usage_denial" ("tenant_id", "minute", "id");`);
    this.addSql(
      `alter table "usage_denial" add constraint "usage_denial_minute_unique" unique ("tenant_id", "api_key_id", "minute", "check", "code", "model");`,
    );
  }

  override down(): void {
    this.addSql(`drop table "usage_denial";`);
    this.addSql(`drop type "gateway_check";`);
  }
}
