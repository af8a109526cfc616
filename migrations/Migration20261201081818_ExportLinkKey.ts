import { Migration } from '@mikro-orm/migrations';

/** The key export links are signed with (platform/export-links.ts): one row, made by the first server to start. */
export class Migration20261201081818_ExportLinkKey extends Migration {
  override name = 'Migration20261201081818_ExportLinkKey';

  override up(): void | Promise<void> {
    this.addSql(`create table "url_signing_key" ("id" int not null, "secret" text not null, primary key ("id"));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "url_signing_key" cascade;`);
  }
}
