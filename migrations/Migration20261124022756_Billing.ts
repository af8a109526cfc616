import { Migration } from '@mikro-orm/migrations';

export class Migration20261124022756_Billing extends Migration {
  override name = 'Migration20261124022756_Billing';

  override up(): void | Promise<void> {
    this.addSql(`create type "bill_status" as enum ('DRAFT', 'FINALIZED', 'PARTIALLY_PAID', 'PAID', 'OVERDUE', 'VOID');`);
    this.addSql(`create type "billing_mode" as enum ('PREPAID', 'POSTPAID_MONTHLY');`);
    this.addSql(`create type "tax_mode" as enum ('TAX_EXCLUSIVE', 'TAX_INCLUSIVE');`);
    this.addSql(`create type "bill_line_kind" as enum ('USAGE', 'DISCOUNT', 'COMMITMENT_TRUE_UP', 'LATE_USAGE_ADJUSTMENT');`);
    this.addSql(`create type "contract_type" as enum ('PAY_AS_YOU_GO', 'ANNUAL', 'THREE_YEAR');`);
    this.addSql(`create type "invoice_type" as enum ('SPECIAL', 'NORMAL');`);
    this.addSql(`create type "bill_payment_method" as enum ('BANK_TRANSFER', 'ALIPAY', 'WECHAT_PAY', 'BALANCE');`);
    this.addSql(`create type "settlement_run_status" as enum ('RUNNING', 'COMPLETED', 'FAILED', 'INTERRUPTED');`);
    this.addSql(
      `create table "bill" ("id" text not null, "tenant_id" text not null, "period_start" date not null, "status" "bill_status" not null, "number" text null, "currency" "currency_code" not null, "contract_id" text null, "contract_version" int null, "billing_mode" "billing_mode" not null, "tax_mode" "tax_mode" not null, "tax_rate" numeric(5,4) not null, "net_total" numeric(20,2) not null, "tax_total" numeric(20,2) not null, "gross_total" numeric(20,2) not null, "amount_paid" numeric(20,2) not null, "usage_watermark" bigint not null, "finalized_at" timestamptz null, "due_on" date null, "voided_at" timestamptz null, "void_reason" text null, "settlement_run_id" text null, "sync_version" bigint not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`alter table "bill" add constraint "bill_number_unique" unique ("number");`);
    this.addSql(`create index "bill_due_index" on "bill" ("due_on") where "status" in ('FINALIZED', 'PARTIALLY_PAID');`);
    this.addSql(`create index "bill_updated_index" on "bill" ("updated_at", "sync_version");`);
    this.addSql(`create index "bill_tenant_status_index" on "bill" ("tenant_id", "status");`);
    this.addSql(`create unique index "bill_one_per_tenant_period" on "bill" ("tenant_id", "period_start") where "status" <> 'VOID';`);

    this.addSql(
      `create table "bill_line" ("bill_id" text not null, "line_number" int not null, "kind" "bill_line_kind" not null, "description" text not null, "department_id" text null, "model" text null, "model_tier" "model_tier" null, "price_id" text null, "adjusted_period_start" date null, "request_count" bigint not null, "input_tokens" bigint not null, "output_tokens" bigint not null, "cached_input_tokens" bigint not null, "image_count" bigint not null, "video_seconds" bigint not null, "exact_amount" numeric(30,16) not null, "amount" numeric(20,2) not null, "net" numeric(20,2) not null, "tax" numeric(20,2) not null, "gross" numeric(20,2) not null, primary key ("bill_id", "line_number"));`,
    );

    this.addSql(`create table "bill_number_counter" ("series" text not null, "last_number" int not null, primary key ("series"));`);

    this.addSql(`create table "bill_sync_counter" ("id" int not null, "version" bigint not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`insert into "bill_sync_counter" ("id", "version", "updated_at") values (1, 0, '-infinity');`);

    this.addSql(
      `create table "contract" ("id" text not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "tenant_id" text not null, "type" "contract_type" not null, "starts_on" date not null, "ends_on" date null, "cancellation_notice_days" int not null, "terminated_at" timestamptz null, "termination_reason" text null, primary key ("id"));`,
    );
    this.addSql(`create index "contract_tenant_starts_index" on "contract" ("tenant_id", "starts_on");`);

    this.addSql(
      `create table "contract_version" ("contract_id" text not null, "version" int not null, "tenant_id" text not null, "effective_from" date not null, "billing_mode" "billing_mode" not null, "discount_percent" numeric(5,2) not null, "tier_discounts" jsonb not null, "monthly_commitment" numeric(24,10) not null, "credit_limit" numeric(24,10) null, "payment_terms_days" int not null, "tax_rate" numeric(5,4) not null, "tax_mode" "tax_mode" not null, "preferred_invoice_type" "invoice_type" not null, "created_by_token_id" text null, "created_at" timestamptz not null, primary key ("contract_id", "version"));`,
    );

    this.addSql(
      `create table "payment" ("id" text not null, "bill_id" text not null, "tenant_id" text not null, "method" "bill_payment_method" not null, "amount" numeric(20,2) not null, "currency" "currency_code" not null, "reference" text null, "received_at" timestamptz not null, "idempotency_key" text null, "input_fingerprint" text null, "created_by_token_id" text null, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "payment_bill_id_received_at_index" on "payment" ("bill_id", "received_at");`);
    this.addSql(`alter table "payment" add constraint "payment_idempotency_unique" unique ("tenant_id", "idempotency_key");`);

    this.addSql(
      `create table "settlement_run" ("id" text not null, "period" text not null, "tenant_ids" text[] null, "idempotency_key" text not null, "status" "settlement_run_status" not null, "tenant_count" int not null, "billed_count" int not null, "skipped_count" int not null, "failed_count" int not null, "failures" jsonb not null, "started_at" timestamptz not null, "heartbeat_at" timestamptz not null, "finished_at" timestamptz null, "created_by_token_id" text null, primary key ("id"));`,
    );
    this.addSql(`alter table "settlement_run" add constraint "settlement_run_idempotency_unique" unique ("idempotency_key");`);

    this.addSql(`alter table "tenant" drop column "is_prepaid";`);

    this.addSql(`create sequence "usage_record_seq_seq";`);
    this.addSql(`alter table "usage_record" add "seq" bigint not null default nextval('usage_record_seq_seq');`);
    // The terms in force on a tenant's local day, for the hot paths (prepaid debits, credit limits).
    this.addSql(`create function "contract_terms_at"("tenant" text, "day" date) returns table ("billing_mode" "billing_mode", "credit_limit" numeric)
      language sql stable strict parallel safe
      as $$ select v.billing_mode, v.credit_limit from contract c join contract_version v on v.contract_id = c.id
             where c.tenant_id = "tenant" and c.starts_on <= "day" and (c.ends_on is null or c.ends_on > "day") and v.effective_from <= "day"
             order by v.version desc limit 1 $$;`);
    this.addSql(`create index "usage_record_tenant_seq_index" on "usage_record" ("tenant_id", "seq");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop function "contract_terms_at";`);
    this.addSql(`drop table if exists "bill" cascade;`);
    this.addSql(`drop table if exists "bill_line" cascade;`);
    this.addSql(`drop table if exists "bill_number_counter" cascade;`);
    this.addSql(`drop table if exists "bill_sync_counter" cascade;`);
    this.addSql(`drop table if exists "contract" cascade;`);
    this.addSql(`drop table if exists "contract_version" cascade;`);
    this.addSql(`drop table if exists "payment" cascade;`);
    this.addSql(`drop table if exists "settlement_run" cascade;`);

    this.addSql(`alter table "tenant" add "is_prepaid" bool not null default false;`);

    this.addSql(`drop index "usage_record_tenant_seq_index";`);
    this.addSql(`alter table "usage_record" drop column "seq";`);

    this.addSql(`drop type "bill_status";`);
    this.addSql(`drop type "billing_mode";`);
    this.addSql(`drop type "tax_mode";`);
    this.addSql(`drop type "bill_line_kind";`);
    this.addSql(`drop type "contract_type";`);
    this.addSql(`drop type "invoice_type";`);
    this.addSql(`drop type "bill_payment_method";`);
    this.addSql(`drop type "settlement_run_status";`);
    this.addSql(`drop sequence "usage_record_seq_seq";`);
  }
}
