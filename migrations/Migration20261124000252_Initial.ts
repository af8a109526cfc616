import { Migration } from '@mikro-orm/migrations';

export class Migration20261124000252_Initial extends Migration {
  override name = 'Migration20261124000252_Initial';

  override up(): void | Promise<void> {
    this.addSql(`create type "role" as enum ('PLATFORM_ADMIN', 'TENANT_ADMIN', 'TENANT_FINANCE', 'TENANT_VIEWER', 'GATEWAY', 'ERP');`);
    this.addSql(`create type "tenant_status" as enum ('ACTIVE', 'SUSPENDED', 'CLOSED');`);
    this.addSql(`create type "currency_code" as enum ('CNY', 'USD', 'EUR', 'HKD');`);
    this.addSql(`create type "failed_request_policy" as enum ('NOT_CHARGED', 'CHARGED');`);
    this.addSql(`create type "api_key_environment" as enum ('TEST', 'PRODUCTION');`);
    this.addSql(`create type "api_key_status" as enum ('ACTIVE', 'REVOKED');`);
    this.addSql(`create type "spend_limit_period" as enum ('DAILY', 'MONTHLY');`);
    this.addSql(
      `create table "audit_entry" ("id" text not null, "tenant_id" text null, "actor_token_id" text null, "actor_role" "role" null, "action" text not null, "target_id" text not null, "before" jsonb null, "after" jsonb null, "request_id" text null, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "audit_entry_tenant_id_created_at_index" on "audit_entry" ("tenant_id", "created_at");`);

    this.addSql(
      `create table "tenant" ("id" text not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "name" text not null, "status" "tenant_status" not null default 'ACTIVE', "timezone" text not null default 'Asia/Shanghai', "billing_currency" "currency_code" not null default 'CNY', "failed_request_policy" "failed_request_policy" not null default 'NOT_CHARGED', "buyer_legal_name" text null, "buyer_taxpayer_id" text null, "buyer_address" text null, "buyer_phone" text null, "buyer_bank_name" text null, "buyer_bank_account" text null, "suspended_at" timestamptz null, primary key ("id"));`,
    );

    this.addSql(
      `create table "department" ("id" text not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "tenant_id" text not null, "parent_id" text null, "name" text not null, "archived_at" timestamptz null, primary key ("id"));`,
    );
    this.addSql(`create index "department_tenant_id_index" on "department" ("tenant_id");`);
    this.addSql(`create index "department_parent_id_index" on "department" ("parent_id");`);

    this.addSql(
      `create table "api_key" ("id" text not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "tenant_id" text not null, "department_id" text not null, "name" text not null, "environment" "api_key_environment" not null, "status" "api_key_status" not null default 'ACTIVE', "secret_hash" text not null, "secret_prefix" text not null, "expires_at" timestamptz null, "allowed_models" text[] not null, "spend_limit_amount" numeric(24,10) null, "spend_limit_period" "spend_limit_period" null, "revoked_at" timestamptz null, "rotated_at" timestamptz null, primary key ("id"));`,
    );
    this.addSql(`create index "api_key_tenant_id_index" on "api_key" ("tenant_id");`);
    this.addSql(`create index "api_key_department_id_index" on "api_key" ("department_id");`);
    this.addSql(`alter table "api_key" add constraint "api_key_secret_hash_unique" unique ("secret_hash");`);

    this.addSql(
      `create table "access_token" ("id" text not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "name" text not null, "role" "role" not null, "tenant_id" text null, "secret_hash" text not null, "secret_prefix" text not null, "expires_at" timestamptz null, "revoked_at" timestamptz null, "created_by_token_id" text null, primary key ("id"));`,
    );
    this.addSql(`create index "access_token_tenant_id_index" on "access_token" ("tenant_id");`);
    this.addSql(`alter table "access_token" add constraint "access_token_secret_hash_unique" unique ("secret_hash");`);

    this.addSql(
      `alter table "department" add constraint "department_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on delete restrict;`,
    );
    this.addSql(
      `alter table "department" add constraint "department_parent_id_foreign" foreign key ("parent_id") references "department" ("id") on delete restrict;`,
    );

    this.addSql(`alter table "api_key" add constraint "api_key_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on delete restrict;`);
    this.addSql(
      `alter table "api_key" add constraint "api_key_department_id_foreign" foreign key ("department_id") references "department" ("id") on delete restrict;`,
    );

    this.addSql(
      `alter table "access_token" add constraint "access_token_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on delete restrict;`,
    );

    // Active siblings have distinct names; NULLS NOT DISTINCT makes top-level departments siblings too.
    this.addSql(
      `create unique index "department_sibling_name_unique" on "department" ("tenant_id", "parent_id", lower("name")) nulls not distinct where "archived_at" is null;`,
    );
    this.addSql(`alter table "api_key" alter column "allowed_models" set default '{}';`);
    this.addSql(`create index "api_key_tenant_id_created_at_index" on "api_key" ("tenant_id", "created_at" desc, "id" desc);`);
    this.addSql(`create index "tenant_created_at_index" on "tenant" ("created_at", "id");`);
    this.addSql(`create index "tenant_updated_at_index" on "tenant" ("updated_at", "id");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "department" drop constraint "department_tenant_id_foreign";`);
    this.addSql(`alter table "api_key" drop constraint "api_key_tenant_id_foreign";`);
    this.addSql(`alter table "access_token" drop constraint "access_token_tenant_id_foreign";`);
    this.addSql(`alter table "department" drop constraint "department_parent_id_foreign";`);
    this.addSql(`alter table "api_key" drop constraint "api_key_department_id_foreign";`);

    this.addSql(`drop table if exists "audit_entry" cascade;`);
    this.addSql(`drop table if exists "tenant" cascade;`);
    this.addSql(`drop table if exists "department" cascade;`);
    this.addSql(`drop table if exists "api_key" cascade;`);
    this.addSql(`drop table if exists "access_token" cascade;`);

    this.addSql(`drop type "role";`);
    this.addSql(`drop type "tenant_status";`);
    this.addSql(`drop type "currency_code";`);
    this.addSql(`drop type "failed_request_policy";`);
    this.addSql(`drop type "api_key_environment";`);
    this.addSql(`drop type "api_key_status";`);
    this.addSql(`drop type "spend_limit_period";`);
  }
}
