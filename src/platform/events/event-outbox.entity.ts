import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';

/** Event payloads too large for a NOTIFY; the notification carries the id (see pubsub.ts). */
@Entity({ tableName: 'event_outbox' })
export class EventOutbox {
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @Property({ type: 'text' })
  topic!: string;

  @Property({ type: 'jsonb' })
  payload!: unknown;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  @Index()
  createdAt!: Date;
}
