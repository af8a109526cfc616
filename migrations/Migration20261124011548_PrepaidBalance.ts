import { Migration } from '@mikro-orm/migrations';

export class Migration20261124011548_PrepaidBalance extends Migration {
  override name = 'Migration20261124011548_PrepaidBalance';

  override up(): void | Promise<void> {
    this.addSql(`create type "balance_entry_type" as enum ('TOP_UP', 'REDEMPTION', 'USAGE', 'ADJUSTMENT', 'REFUND');`);
    this.addSql(`create type "payment_method" as enum ('BANK_TRANSFER', 'ALIPAY', 'WECHAT_PAY', 'CARD');`);
    this.addSql(
      `create table "balance_account" ("tenant_id" text not null, "balance" numeric(30,16) not null, "updated_at" timestamptz not null, primary key ("tenant_id"));`,
    );

    this.addSql(
      `create table "balance_entry" ("id" text not null, "tenant_id" text not null, "type" "balance_entry_type" not null, "amount" numeric(30,16) not null, "currency" "currency_code" not null, "balance_after" numeric(30,16) not null, "idempotency_key" text null, "input_fingerprint" text null, "payment_method" "payment_method" null, "reference" text null, "reason" text null, "created_by_token_id" text null, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "balance_entry_tenant_id_created_at_id_index" on "balance_entry" ("tenant_id", "created_at", "id");`);
    this.addSql(`alter table "balance_entry" add constraint "balance_entry_idempotency_unique" unique ("tenant_id", "idempotency_key");`);

    this.addSql(
      `create table "redemption_code" ("id" text not null, "code_hash" text not null, "code_prefix" text not null, "amount" numeric(24,10) not null, "currency" "currency_code" not null, "expires_at" timestamptz not null, "created_at" timestamptz not null, "created_by_token_id" text null, "redeemed_at" timestamptz null, "redeemed_by_tenant_id" text null, primary key ("id"));`,
    );
    this.addSql(`alter table "redemption_code" add constraint "redemption_code_code_hash_unique" unique ("code_hash");`);

    this.addSql(`alter table "tenant" add "is_prepaid" boolean not null default false, add "balance_low_level" numeric(24,10) null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "balance_account" cascade;`);
    this.addSql(`drop table if exists "balance_entry" cascade;`);
    this.addSql(`drop table if exists "redemption_code" cascade;`);

    this.addSql(`alter table "tenant" drop column "is_prepaid", drop column "balance_low_level";`);

    this.addSql(`drop type "balance_entry_type";`);
    this.addSql(`drop type "payment_method";`);
  }
}
