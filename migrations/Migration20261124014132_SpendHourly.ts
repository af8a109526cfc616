import { Migration } from '@mikro-orm/migrations';

export class Migration20261124014132_SpendHourly extends Migration {
  override name = 'Migration20261124014132_SpendHourly';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "spend_hourly" ("scope_id" text not null, "hour_start" timestamptz not null, "scope_type" "spend_scope_type" not null, "tenant_id" text not null, "spent" numeric(30,16) not null, primary key ("scope_id", "hour_start"));`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "spend_hourly" cascade;`);
  }
}
