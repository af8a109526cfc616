import { Migration } from '@mikro-orm/migrations';

/** Image and video tasks with their history (modules/task), stage spend counters, and budgets per task stage. */
export class Migration20261201235018_UsageTasks extends Migration {
  override name = 'Migration20261201235018_UsageTasks';

  override up(): void {
    this.addSql(`create type "task_stage" as enum ('DRAFT', 'FINAL');`);
    this.addSql(`create type "task_status" as enum ('RUNNING', 'SUCCEEDED', 'FAILED');`);
    this.addSql(`create type "task_event_type" as enum ('SUBMITTED', 'SUBMIT_REPEATED', 'SUCCEEDED', 'FAILED', 'COMPLETE_REPEATED');`);
    this.addSql(
      `create table "stage_spend_counter" ("scope_id" text not null, "stage" "task_stage" not null, "period" "spend_period" not null, "period_start" date not null, "tenant_id" text not null, "scope_type" "spend_scope_type" not null, "spent" numeric(30,16) not null, "request_count" bigint not null, "updated_at" timestamptz not null, primary key ("scope_id", "stage", "period", "period_start", "tenant_id"));`,
    );
    this.addSql(
      `create table "usage_task" ("id" text not null, "tenant_id" text not null, "department_id" text not null, "api_key_id" text not null, "request_id" text not null, "model" text not null, "kind" "usage_kind" not null, "stage" "task_stage" not null, "status" "task_status" not null, "ratio" text null, "resolution" text null, "duration_seconds" int null, "count" int not null, "estimated_amount" numeric(30,16) not null, "currency" "currency_code" not null, "submitted_at" timestamptz not null, "hold_expires_at" timestamptz not null, "completed_at" timestamptz null, "image_count" int null, "video_seconds" int null, "charged_amount" numeric(30,16) null, "charge_reason" "charge_reason" null, "failure_reason" text null, primary key ("id", "tenant_id"));`,
    );
    this.addSql(`create index "usage_task_tenant_submitted_index" on "usage_task" ("tenant_id", "submitted_at", "id");`);
    this.addSql(`alter table "usage_task" add constraint "usage_task_request_unique" unique ("tenant_id", "request_id");`);
    this.addSql(
      `create table "usage_task_event" ("id" bigserial not null, "tenant_id" text not null, "task_id" text not null, "type" "task_event_type" not null, "at" timestamptz not null, "message" text not null, primary key ("id", "tenant_id"));`,
    );
    this.addSql(`create index "usage_task_event_task_index" on "usage_task_event" ("tenant_id", "task_id", "id");`);

    // A scope may have a budget of all spend and one per stage, per period.
    this.addSql(`alter table "budget" add "stage" "task_stage" null;`);
    this.addSql(`drop index "budget_scope_period_live_unique";`);
    this.addSql(
      `create unique index "budget_scope_period_live_unique" on "budget" ("tenant_id", "scope_id", "period", "stage") nulls not distinct where "deleted_at" is null;`,
    );

    this.addSql(`alter type "gateway_check" add value if not exists 'TASK_SUBMIT' after 'RESERVE';`);
  }

  override down(): void {
    this.addSql(`delete from "usage_denial" where "check" = 'TASK_SUBMIT';`);
    this.addSql(`alter type "gateway_check" rename to "gateway_check_old";`);
    this.addSql(`create type "gateway_check" as enum ('AUTHORIZE', 'RESERVE');`);
    this.addSql(`alter table "usage_denial" alter column "check" type "gateway_check" using "check"::text::"gateway_check";`);
    this.addSql(`drop type "gateway_check_old";`);
    this.addSql(`delete from "budget" where "stage" is not null;`);
    this.addSql(`drop index "budget_scope_period_live_unique";`);
    this.addSql(`alter table "budget" drop column "stage";`);
    this.addSql(`create unique index "budget_scope_period_live_unique" on "budget" ("tenant_id", "scope_id", "period") where "deleted_at" is null;`);
    this.addSql(`drop table "usage_task_event";`);
    this.addSql(`drop table "usage_task";`);
    this.addSql(`drop table "stage_spend_counter";`);
    this.addSql(`drop type "task_event_type";`);
    this.addSql(`drop type "task_status";`);
    this.addSql(`drop type "task_stage";`);
  }
}
