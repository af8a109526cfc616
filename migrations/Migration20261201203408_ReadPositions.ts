import { Migration } from '@mikro-orm/migrations';

/**
 * Each caller's last write as a WAL position, for read-your-writes on the read replica
 * (platform/database/read-replica.ts). Unlogged: written after every mutation when a replica is
 * configured, so it costs no WAL and no fsync; replicas get it empty (it is read on the primary
 * only), and a crash of the primary empties it, after which each caller's next write sets it again.
 */
export class Migration20261201203408_ReadPositions extends Migration {
  override name = 'Migration20261201203408_ReadPositions';

  override up(): void {
    this.addSql(
      `create unlogged table "read_position" ("token_id" text not null, "lsn" pg_lsn not null, "updated_at" timestamptz not null, primary key ("token_id"));`,
    );
  }

  override down(): void {
    this.addSql(`drop table if exists "read_position";`);
  }
}
