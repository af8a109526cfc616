import { Migration } from '@mikro-orm/migrations';

export class Migration20261124010746_BudgetsAndAlerts extends Migration {
  override name = 'Migration20261124010746_BudgetsAndAlerts';

  override up(): void | Promise<void> {
    this.addSql(`create type "alert_type" as enum ('BUDGET_THRESHOLD', 'BUDGET_EXHAUSTED', 'BALANCE_LOW', 'SPEND_SPIKE', 'FORECAST_OVER_BUDGET');`);
    this.addSql(
      `create table "alert" ("id" text not null, "dedupe_key" text not null, "tenant_id" text not null, "type" "alert_type" not null, "scope_type" "spend_scope_type" not null, "scope_id" text not null, "budget_id" text null, "threshold" int null, "period" "spend_period" null, "period_start" date null, "amount" numeric(30,16) not null, "limit_amount" numeric(24,10) null, "currency" "currency_code" not null, "message" text not null, "raised_at" timestamptz not null, "acknowledged_at" timestamptz null, "acknowledged_by_token_id" text null, primary key ("id"));`,
    );
    this.addSql(`alter table "alert" add constraint "alert_dedupe_key_unique" unique ("dedupe_key");`);
    this.addSql(`create index "alert_tenant_id_raised_at_id_index" on "alert" ("tenant_id", "raised_at", "id");`);

    this.addSql(
      `create table "budget" ("id" text not null, "tenant_id" text not null, "scope_type" "spend_scope_type" not null, "scope_id" text not null, "period" "spend_period" not null, "limit_amount" numeric(24,10) not null, "thresholds" int[] not null default '{50,80,100}', "is_hard" boolean not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "deleted_at" timestamptz null, primary key ("id"));`,
    );
    this.addSql(`create index "budget_tenant_id_created_at_index" on "budget" ("tenant_id", "created_at");`);
    this.addSql(`create unique index "budget_scope_period_live_unique" on "budget" ("scope_id", "period") where "deleted_at" is null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "alert" cascade;`);
    this.addSql(`drop table if exists "budget" cascade;`);

    this.addSql(`drop type "alert_type";`);
  }
}
