import { OptionalProps } from '@mikro-orm/core';
import { Entity, Enum, Index, PrimaryKey, Property, Unique } from '@mikro-orm/decorators/legacy';
import { TenantOwned } from '../../platform/database/tenant-scope.js';
import { SpendScopeType } from '../spend/spend-counter.entity.js';

/** What a tenant may set when the operator has set nothing: the tier most tenants buy. */
export const DEFAULT_CEILING = { requestsPerMinute: 5_000, tokensPerMinute: 5_000_000 } as const;

/**
 * Requests and tokens per minute allowed on one scope (tenant, department with its subtree, or
 * key), at most one per scope. Internal id: a limit is named by its scope in the API.
 */
@Entity({ tableName: 'rate_limit' })
@Unique({ name: 'rate_limit_scope_unique', properties: ['tenantId', 'scopeId'] })
@Index({ properties: ['tenantId', 'createdAt'] })
@TenantOwned('tenantId')
export class RateLimit {
  [OptionalProps]?: 'createdAt' | 'updatedAt';

  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @PrimaryKey({ type: 'text' })
  tenantId!: string;

  @Enum({ items: () => SpendScopeType, nativeEnumName: 'spend_scope_type' })
  scopeType!: SpendScopeType;

  @Property({ type: 'text' })
  scopeId!: string;

  /** Null: requests are not limited on this scope. */
  @Property({ type: 'integer', nullable: true })
  requestsPerMinute?: number | null;

  /** Null: tokens are not limited on this scope. */
  @Property({ type: 'integer', nullable: true })
  tokensPerMinute?: number | null;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', defaultRaw: 'now()', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}

/** The most a tenant's limits may allow, set by the operator; DEFAULT_CEILING without a row. */
@Entity({ tableName: 'rate_limit_ceiling' })
@TenantOwned('tenantId')
export class RateLimitCeiling {
  [OptionalProps]?: 'updatedAt';

  @PrimaryKey({ type: 'text' })
  tenantId!: string;

  @Property({ type: 'integer' })
  requestsPerMinute!: number;

  @Property({ type: 'integer' })
  tokensPerMinute!: number;

  @Property({ type: 'timestamptz', defaultRaw: 'now()', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}

/**
 * Requests and tokens counted on a limited scope in one UTC minute (see rate-window.ts), written
 * only in SQL (rate-limit.repository.ts) by reservations and usage batches, which also drop the
 * windows of the scopes they write that are too old to count.
 */
@Entity({ tableName: 'rate_window' })
@TenantOwned('tenantId')
export class RateWindow {
  @PrimaryKey({ type: 'text' })
  scopeId!: string;

  @PrimaryKey({ type: 'timestamptz' })
  windowStart!: Date;

  @PrimaryKey({ type: 'text' })
  tenantId!: string;

  @Property({ type: 'bigint' })
  requests!: string;

  @Property({ type: 'bigint' })
  tokens!: string;

  /** Every write adds 1: of two figures of a window, the higher revision is the later (see AuthorizationFactsCache). */
  @Property({ type: 'bigint' })
  revision!: string;
}
