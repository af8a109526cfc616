import { Migration } from '@mikro-orm/migrations';

/**
 * usage_record becomes partitioned by month of occurred_at (UTC): a partition per month from its
 * first record to three months ahead (the server keeps creating them ahead, see
 * usage-partitions.ts), and a default partition for anything outside them (usage of an archived
 * month arriving late). A requestId stays unique per tenant for good through usage_request.
 */
export class Migration20261201180043_UsagePartitions extends Migration {
  override name = 'Migration20261201180043_UsagePartitions';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "usage_request" ("tenant_id" text not null, "request_id" text not null, "occurred_at" timestamptz not null, primary key ("tenant_id", "request_id"));`,
    );
    this.addSql(`alter table "usage_record" rename to "usage_record_unpartitioned";`);
    this.addSql(`alter table "usage_record_unpartitioned" drop constraint "usage_record_pkey";`);
    this.addSql(`alter table "usage_record_unpartitioned" drop constraint "usage_record_tenant_request_unique";`);
    this.addSql(`drop index "usage_record_tenant_occurred_index";`);
    this.addSql(`drop index "usage_record_tenant_seq_index";`);
    this.addSql(`alter sequence "usage_record_seq_seq" owned by none;`);
    this.addSql(
      `create table "usage_record" ("id" text not null, "tenant_id" text not null, "department_id" text not null, "api_key_id" text not null, "request_id" text not null, "model" text not null, "price_id" text not null, "kind" "usage_kind" not null, "status" "usage_status" not null, "input_tokens" bigint not null, "output_tokens" bigint not null, "cached_input_tokens" bigint not null, "image_count" bigint not null, "video_seconds" bigint not null, "cost" numeric(30,16) not null, "charged_amount" numeric(30,16) not null, "is_charged" boolean not null, "charge_reason" "charge_reason" not null, "currency" "currency_code" not null, "end_user_tag" text null, "task_id" text null, "occurred_at" timestamptz not null, "recorded_at" timestamptz not null, "seq" bigint not null default nextval('usage_record_seq_seq'), primary key ("tenant_id", "occurred_at", "id")) partition by range ("occurred_at");`,
    );
    this.addSql(`alter sequence "usage_record_seq_seq" owned by "usage_record"."seq";`);
    this.addSql(`create index "usage_record_id_index" on "usage_record" ("id");`);
    this.addSql(`create table "usage_record_default" partition of "usage_record" default;`);
    this.addSql(
      `do $$
       declare
         month date;
       begin
         for month in
           select generate_series(coalesce(date_trunc('month', (select min(occurred_at) from usage_record_unpartitioned) at time zone 'UTC'),
                                           date_trunc('month', now() at time zone 'UTC')),
                                  date_trunc('month', now() at time zone 'UTC') + interval '3 months', interval '1 month')::date
         loop
           execute format('create table %I partition of usage_record for values from (%L) to (%L)',
                          'usage_record_y' || to_char(month, 'YYYY') || 'm' || to_char(month, 'MM'),
                          month::timestamp at time zone 'UTC', (month + interval '1 month')::timestamp at time zone 'UTC');
         end loop;
       end
       $$;`,
    );
    this.addSql(
      `insert into "usage_request" ("tenant_id", "request_id", "occurred_at") select tenant_id, request_id, occurred_at from usage_record_unpartitioned;`,
    );
    this.addSql(`insert into "usage_record" select * from usage_record_unpartitioned;`);
    this.addSql(`drop table "usage_record_unpartitioned";`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "usage_record" rename to "usage_record_partitioned";`);
    this.addSql(`alter table "usage_record_partitioned" drop constraint "usage_record_pkey";`);
    this.addSql(`drop index "usage_record_id_index";`);
    this.addSql(`alter sequence "usage_record_seq_seq" owned by none;`);
    this.addSql(`create table "usage_record" (like "usage_record_partitioned" including defaults);`);
    this.addSql(`alter sequence "usage_record_seq_seq" owned by "usage_record"."seq";`);
    this.addSql(`insert into "usage_record" select * from "usage_record_partitioned";`);
    this.addSql(`drop table "usage_record_partitioned";`);
    this.addSql(`alter table "usage_record" add primary key ("id");`);
    this.addSql(`alter table "usage_record" add constraint "usage_record_tenant_request_unique" unique ("tenant_id", "request_id");`);
    this.addSql(`create index "usage_record_tenant_occurred_index" on "usage_record" ("tenant_id", "occurred_at", "id");`);
    this.addSql(`create index "usage_record_tenant_seq_index" on "usage_record" ("tenant_id", "seq");`);
    this.addSql(`drop table if exists "usage_request" cascade;`);
  }
}
