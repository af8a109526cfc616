import { Migration } from '@mikro-orm/migrations';

export class Migration20261124002831_UsageAndPrices extends Migration {
  override name = 'Migration20261124002831_UsageAndPrices';

  override up(): void | Promise<void> {
    this.addSql(`create type "model_tier" as enum ('ECONOMY', 'STANDARD', 'PREMIUM');`);
    this.addSql(`alter type "spend_limit_period" rename to "spend_period";`);
    this.addSql(`create type "spend_scope_type" as enum ('TENANT', 'DEPARTMENT', 'API_KEY');`);
    this.addSql(`create type "usage_kind" as enum ('CHAT', 'EMBEDDING', 'IMAGE', 'VIDEO', 'AUDIO');`);
    this.addSql(`create type "usage_status" as enum ('SUCCEEDED', 'FAILED');`);
    this.addSql(`create type "charge_reason" as enum ('SUCCEEDED', 'FAILED_CHARGED_BY_POLICY', 'FAILED_NOT_CHARGED_BY_POLICY');`);
    this.addSql(
      `create table "event_outbox" ("id" bigserial primary key, "topic" text not null, "payload" jsonb not null, "created_at" timestamptz not null default now());`,
    );
    this.addSql(`create index "event_outbox_created_at_index" on "event_outbox" ("created_at");`);

    this.addSql(
      `create table "model_price" ("id" text not null, "model" text not null, "tier" "model_tier" not null, "currency" "currency_code" not null, "input_per_million" numeric(24,10) not null, "output_per_million" numeric(24,10) not null, "cached_input_per_million" numeric(24,10) not null, "per_image" numeric(24,10) not null, "per_video_second" numeric(24,10) not null, "per_request" numeric(24,10) not null, "effective_from" timestamptz not null, "effective_to" timestamptz null, "created_at" timestamptz not null default now(), "created_by_token_id" text null, primary key ("id"));`,
    );
    this.addSql(`create index "model_price_effective_from_index" on "model_price" ("effective_from");`);
    this.addSql(`alter table "model_price" add constraint "model_price_model_currency_effective_from_unique" unique ("model", "currency", "effective_from");`);

    this.addSql(
      `create table "spend_counter" ("scope_id" text not null, "period" "spend_period" not null, "period_start" date not null, "scope_type" "spend_scope_type" not null, "tenant_id" text not null, "spent" numeric(30,16) not null, "request_count" bigint not null, "updated_at" timestamptz not null, primary key ("scope_id", "period", "period_start"));`,
    );
    this.addSql(`create index "spend_counter_tenant_id_period_period_start_index" on "spend_counter" ("tenant_id", "period", "period_start");`);

    this.addSql(
      `create table "usage_record" ("id" text not null, "tenant_id" text not null, "department_id" text not null, "api_key_id" text not null, "request_id" text not null, "model" text not null, "price_id" text not null, "kind" "usage_kind" not null, "status" "usage_status" not null, "input_tokens" bigint not null, "output_tokens" bigint not null, "cached_input_tokens" bigint not null, "image_count" bigint not null, "video_seconds" bigint not null, "cost" numeric(30,16) not null, "charged_amount" numeric(30,16) not null, "is_charged" boolean not null, "charge_reason" "charge_reason" not null, "currency" "currency_code" not null, "end_user_tag" text null, "task_id" text null, "occurred_at" timestamptz not null, "recorded_at" timestamptz not null, primary key ("id"));`,
    );
    // The first local day of the period containing `instant` in `time_zone`: the one definition of
    // "today" and "this month" for counters, authorization and spend queries.
    this.addSql(`create function "spend_period_start"("period" "spend_period", "instant" timestamptz, "time_zone" text) returns date
      language sql stable strict parallel safe
      as $$ select case "period" when 'DAILY' then ("instant" at time zone "time_zone")::date
                                 else date_trunc('month', "instant" at time zone "time_zone")::date end $$;`);
    this.addSql(`create index "usage_record_tenant_occurred_index" on "usage_record" ("tenant_id", "occurred_at", "id");`);
    this.addSql(`alter table "usage_record" add constraint "usage_record_tenant_request_unique" unique ("tenant_id", "request_id");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "event_outbox" cascade;`);
    this.addSql(`drop table if exists "model_price" cascade;`);
    this.addSql(`drop function "spend_period_start";`);
    this.addSql(`drop table if exists "spend_counter" cascade;`);
    this.addSql(`drop table if exists "usage_record" cascade;`);

    this.addSql(`drop type "model_tier";`);
    this.addSql(`alter type "spend_period" rename to "spend_limit_period";`);
    this.addSql(`drop type "spend_scope_type";`);
    this.addSql(`drop type "usage_kind";`);
    this.addSql(`drop type "usage_status";`);
    this.addSql(`drop type "charge_reason";`);
  }
}
