import { Migration } from '@mikro-orm/migrations';

export class Migration20261130232931_DefaultEstimate extends Migration {
  override name = 'Migration20261130232931_DefaultEstimate';

  override up(): void | Promise<void> {
    this.addSql(`alter table "model_price" add "default_estimate" numeric(24,10) null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "model_price" drop column "default_estimate";`);
  }
}
