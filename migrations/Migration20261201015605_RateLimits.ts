import { Migration } from '@mikro-orm/migrations';

export class Migration20261201015605_RateLimits extends Migration {
  override name = 'Migration20261201015605_RateLimits';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "rate_limit" ("id" bigserial primary key, "tenant_id" text not null, "scope_type" "spend_scope_type" not null, "scope_id" text not null, "requests_per_minute" int null, "tokens_per_minute" int null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now());`,
    );
    this.addSql(`create index "rate_limit_tenant_id_created_at_index" on "rate_limit" ("tenant_id", "created_at");`);
    this.addSql(`alter table "rate_limit" add constraint "rate_limit_scope_unique" unique ("scope_id");`);

    this.addSql(
      `create table "rate_limit_ceiling" ("tenant_id" text not null, "requests_per_minute" int not null, "tokens_per_minute" int not null, "updated_at" timestamptz not null default now(), primary key ("tenant_id"));`,
    );

    this.addSql(
      `create table "rate_window" ("scope_id" text not null, "window_start" timestamptz not null, "tenant_id" text not null, "requests" bigint not null, "tokens" bigint not null, "revision" bigint not null, primary key ("scope_id", "window_start"));`,
    );

    this.addSql(`alter table "spend_hold" add "estimated_tokens" bigint not null default '0';`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "rate_limit" cascade;`);
    this.addSql(`drop table if exists "rate_limit_ceiling" cascade;`);
    this.addSql(`drop table if exists "rate_window" cascade;`);

    this.addSql(`alter table "spend_hold" drop column "estimated_tokens";`);
  }
}
