import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';

/** A caller's last write, as a position in the primary's WAL: written and read by read-replica.ts, on the primary only. */
@Entity({ tableName: 'read_position' })
export class ReadPosition {
  /** The access token or API key that wrote. */
  @PrimaryKey({ type: 'text' })
  tokenId!: string;

  /** `pg_current_wal_lsn()` on the primary after the write committed. */
  @Property({ columnType: 'pg_lsn' })
  lsn!: string;

  @Property({ type: 'timestamptz' })
  updatedAt!: Date;
}
