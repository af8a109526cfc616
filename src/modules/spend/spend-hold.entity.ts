import { Entity, Index, PrimaryKey, Property, Unique } from '@mikro-orm/decorators/legacy';
import { TenantOwned } from '../../platform/database/tenant-scope.js';

/**
 * Spend reserved by `usageReserve` for a call in flight, against every limited scope of its key,
 * until `usageRecord` records that request (same transaction that moves the counters),
 * `usageRelease` frees it, or it expires. Written only by spend-hold.repository.ts. A hold's
 * scopes are all its tenant's: it is found by tenant (the unique index), never by scope.
 * Internal: never exposed, so a plain serial id.
 */
@Entity({ tableName: 'spend_hold' })
@Unique({ name: 'spend_hold_request_unique', properties: ['tenantId', 'requestId'] })
@TenantOwned('tenantId')
export class SpendHold {
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @PrimaryKey({ type: 'text' })
  tenantId!: string;

  @Property({ type: 'text' })
  apiKeyId!: string;

  @Property({ type: 'text' })
  requestId!: string;

  @Property({ type: 'decimal', precision: 30, scale: 16 })
  amount!: string;

  @Property({ type: 'text[]' })
  scopeIds!: string[];

  /** Tokens the reservation counted against rate limits, so recording the request counts only the difference. */
  @Property({ type: 'bigint', default: 0 })
  estimatedTokens!: string;

  @Property({ type: 'timestamptz' })
  createdAt!: Date;

  @Property({ type: 'timestamptz' })
  @Index()
  expiresAt!: Date;
}
