import { Migration } from '@mikro-orm/migrations';

export class Migration20261124035412_Invoices extends Migration {
  override name = 'Migration20261124035412_Invoices';

  override up(): void | Promise<void> {
    this.addSql(`create type "vat_invoice_status" as enum ('ISSUED', 'REVERSED');`);
    this.addSql(`create type "vat_invoice_item" as enum ('AI_API_ECONOMY', 'AI_API_STANDARD', 'AI_API_PREMIUM', 'COMMITMENT_TRUE_UP');`);
    this.addSql(
      `create table "operator_profile" ("id" int not null, "legal_name" text not null, "taxpayer_id" text not null, "address" text not null, "phone" text not null, "bank_name" text not null, "bank_account" text not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );

    this.addSql(
      `create table "vat_invoice" ("id" text not null, "tenant_id" text not null, "bill_id" text not null, "number" text not null, "type" "invoice_type" not null, "status" "vat_invoice_status" not null, "is_red_letter" boolean not null, "reversal_of_id" text null, "reversed_by_id" text null, "reversal_reason" text null, "currency" "currency_code" not null, "tax_mode" "tax_mode" not null, "tax_rate" numeric(5,4) not null, "amount" numeric(20,2) not null, "net_total" numeric(20,2) not null, "tax_total" numeric(20,2) not null, "gross_total" numeric(20,2) not null, "seller" jsonb not null, "buyer" jsonb not null, "issued_at" timestamptz not null, "issued_on" date not null, "idempotency_key" text not null, "input_fingerprint" text not null, "created_by_token_id" text null, "sync_version" bigint not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`alter table "vat_invoice" add constraint "vat_invoice_number_unique" unique ("number");`);
    this.addSql(`create unique index "vat_invoice_reversal_unique" on "vat_invoice" ("reversal_of_id") where "reversal_of_id" is not null;`);
    this.addSql(`create index "vat_invoice_updated_index" on "vat_invoice" ("updated_at", "sync_version");`);
    this.addSql(`create index "vat_invoice_sync_index" on "vat_invoice" ("sync_version", "id");`);
    this.addSql(`create index "vat_invoice_tenant_issued_index" on "vat_invoice" ("tenant_id", "issued_at");`);
    this.addSql(`create index "vat_invoice_bill_index" on "vat_invoice" ("bill_id", "issued_at");`);
    this.addSql(`alter table "vat_invoice" add constraint "vat_invoice_idempotency_unique" unique ("tenant_id", "idempotency_key");`);

    this.addSql(
      `create table "vat_invoice_line" ("invoice_id" text not null, "line_number" int not null, "item" "vat_invoice_item" not null, "item_name" text not null, "amount" numeric(20,2) not null, "net" numeric(20,2) not null, "tax_rate" numeric(5,4) not null, "tax" numeric(20,2) not null, "gross" numeric(20,2) not null, primary key ("invoice_id", "line_number"));`,
    );

    this.addSql(`create table "vat_invoice_number_counter" ("year" int not null, "last_number" bigint not null, primary key ("year"));`);

    this.addSql(`alter table "bill" add "amount_invoiced" numeric(20,2) not null default 0;`);
    this.addSql(`create index "bill_sync_index" on "bill" ("sync_version", "id");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "operator_profile" cascade;`);
    this.addSql(`drop table if exists "vat_invoice" cascade;`);
    this.addSql(`drop table if exists "vat_invoice_line" cascade;`);
    this.addSql(`drop table if exists "vat_invoice_number_counter" cascade;`);

    this.addSql(`drop index "bill_sync_index";`);
    this.addSql(`alter table "bill" drop column "amount_invoiced";`);

    this.addSql(`drop type "vat_invoice_status";`);
    this.addSql(`drop type "vat_invoice_item";`);
  }
}
