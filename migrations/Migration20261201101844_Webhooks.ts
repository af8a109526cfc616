import { Migration } from '@mikro-orm/migrations';

export class Migration20261201101844_Webhooks extends Migration {
  override name = 'Migration20261201101844_Webhooks';

  override up(): void | Promise<void> {
    this.addSql(`alter type "alert_type" add value if not exists 'WEBHOOK_ENDPOINT_DISABLED' after 'FORECAST_OVER_BUDGET';`);
    this.addSql(`create type "webhook_delivery_state" as enum ('PENDING', 'DELIVERED', 'FAILED');`);
    this.addSql(`create type "webhook_endpoint_status" as enum ('ENABLED', 'DISABLED');`);
    this.addSql(
      `create table "webhook_attempt" ("id" bigserial primary key, "delivery_id" text not null, "tenant_id" text null, "attempted_at" timestamptz not null, "status_code" int null, "duration_ms" int not null, "error" text null, "response_body" text null);`,
    );
    this.addSql(`create index "webhook_attempt_delivery_id_attempted_at_index" on "webhook_attempt" ("delivery_id", "attempted_at");`);

    this.addSql(
      `create table "webhook_delivery" ("id" text not null, "event_seq" bigint not null, "endpoint_id" text not null, "tenant_id" text null, "order_key" text not null, "state" "webhook_delivery_state" not null, "attempt_count" int not null default 0, "next_attempt_at" timestamptz not null, "locked_until" timestamptz null, "delivered_at" timestamptz null, "last_status_code" int null, "last_error" text null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "webhook_delivery_event_index" on "webhook_delivery" ("event_seq");`);
    this.addSql(`create index "webhook_delivery_endpoint_index" on "webhook_delivery" ("endpoint_id", "created_at", "id");`);
    this.addSql(`create index "webhook_delivery_order_index" on "webhook_delivery" ("endpoint_id", "order_key", "event_seq") where "state" = 'PENDING';`);
    this.addSql(`create index "webhook_delivery_due_index" on "webhook_delivery" ("next_attempt_at", "event_seq") where "state" = 'PENDING';`);

    this.addSql(
      `create table "webhook_endpoint" ("id" text not null, "tenant_id" text null, "url" text not null, "description" text null, "event_types" text[] not null, "status" "webhook_endpoint_status" not null, "disabled_reason" text null, "failing_since" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "webhook_endpoint_tenant_id_created_at_index" on "webhook_endpoint" ("tenant_id", "created_at");`);

    this.addSql(
      `create table "webhook_endpoint_secret" ("id" bigserial primary key, "endpoint_id" text not null, "secret" text not null, "created_at" timestamptz not null, "expires_at" timestamptz null);`,
    );
    this.addSql(`create index "webhook_endpoint_secret_endpoint_id_created_at_index" on "webhook_endpoint_secret" ("endpoint_id", "created_at");`);

    this.addSql(
      `create table "webhook_event" ("seq" bigserial primary key, "id" text not null, "type" text not null, "tenant_id" text null, "payload" text not null, "created_at" timestamptz not null);`,
    );
    this.addSql(`alter table "webhook_event" add constraint "webhook_event_id_unique" unique ("id");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "webhook_attempt" cascade;`);
    this.addSql(`drop table if exists "webhook_delivery" cascade;`);
    this.addSql(`drop table if exists "webhook_endpoint" cascade;`);
    this.addSql(`drop table if exists "webhook_endpoint_secret" cascade;`);
    this.addSql(`drop table if exists "webhook_event" cascade;`);

    this.addSql(`drop type "webhook_delivery_state";`);
    this.addSql(`drop type "webhook_endpoint_status";`);
  }
}
