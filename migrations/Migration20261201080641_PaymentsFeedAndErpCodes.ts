import { Migration } from '@mikro-orm/migrations';

/**
 * Payments carry the change version their bill took when they were booked (an ERP pages them by
 * it); tenants carry the ERP's customer code. Payments booked before this take their bill's
 * version and their booking time: at most as late as the truth, so a pull misses none.
 */
export class Migration20261201080641_PaymentsFeedAndErpCodes extends Migration {
  override name = 'Migration20261201080641_PaymentsFeedAndErpCodes';

  override up(): void | Promise<void> {
    this.addSql(`alter table "payment" add "sync_version" bigint null, add "updated_at" timestamptz null;`);
    this.addSql(`update "payment" p set "sync_version" = b."sync_version", "updated_at" = p."created_at" from "bill" b where b."id" = p."bill_id";`);
    this.addSql(`alter table "payment" alter column "sync_version" set not null, alter column "updated_at" set not null;`);
    this.addSql(`create index "payment_received_index" on "payment" ("received_at", "id");`);
    this.addSql(`create index "payment_sync_index" on "payment" ("sync_version", "id");`);

    this.addSql(`alter table "tenant" add "external_id" text null;`);
    this.addSql(`create unique index "tenant_external_id_unique" on "tenant" ("external_id") where "external_id" is not null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index "tenant_external_id_unique";`);
    this.addSql(`alter table "tenant" drop column "external_id";`);
    this.addSql(`drop index "payment_received_index";`);
    this.addSql(`drop index "payment_sync_index";`);
    this.addSql(`alter table "payment" drop column "sync_version", drop column "updated_at";`);
  }
}
