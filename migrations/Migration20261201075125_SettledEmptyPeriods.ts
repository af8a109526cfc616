import { Migration } from '@mikro-orm/migrations';

/** Periods settlement closed with nothing to bill: usage for them that arrives later goes on the next bill. */
export class Migration20261201075125_SettledEmptyPeriods extends Migration {
  override name = 'Migration20261201075125_SettledEmptyPeriods';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "settled_empty_period" ("tenant_id" text not null, "period_start" date not null, "usage_watermark" bigint not null, "settled_at" timestamptz not null, "settlement_run_id" text null, primary key ("tenant_id", "period_start"));`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "settled_empty_period" cascade;`);
  }
}
