import { OptionalProps } from '@mikro-orm/core';
import { Entity, Enum, Index, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { TenantOwned } from '../../platform/database/tenant-scope.js';

export enum WebhookEndpointStatus {
  ENABLED = 'ENABLED',
  /** Receives nothing: turned off by its owner, or by the dispatcher after failing for days. */
  DISABLED = 'DISABLED',
}

/** Where a tenant's (or, with no tenant, the operator's) systems take the events they subscribed to. */
@Entity({ tableName: 'webhook_endpoint' })
@Index({ properties: ['tenantId', 'createdAt'] })
@TenantOwned('tenantId')
export class WebhookEndpoint {
  [OptionalProps]?: 'description' | 'disabledReason' | 'failingSince';

  @PrimaryKey({ type: 'text' })
  id!: string;

  /** Null for an operator endpoint: it receives every tenant's events. */
  @Property({ type: 'text', nullable: true })
  tenantId?: string | null;

  @Property({ type: 'text' })
  url!: string;

  @Property({ type: 'text', nullable: true })
  description?: string | null;

  /** Standard Webhooks type names (`bill.finalized`). */
  @Property({ type: 'text[]' })
  eventTypes!: string[];

  @Enum({ items: () => WebhookEndpointStatus, nativeEnumName: 'webhook_endpoint_status' })
  status!: WebhookEndpointStatus;

  @Property({ type: 'text', nullable: true })
  disabledReason?: string | null;

  /** When its current run of failed attempts began; null while it succeeds. */
  @Property({ type: 'timestamptz', nullable: true })
  failingSince?: Date | null;

  @Property({ type: 'timestamptz' })
  createdAt!: Date;

  @Property({ type: 'timestamptz' })
  updatedAt!: Date;
}

/**
 * An endpoint's signing secrets. Messages are signed with every secret not yet expired, so after
 * a rotation the receiver may switch to the new secret at any time within the overlap.
 */
@Entity({ tableName: 'webhook_endpoint_secret' })
@Index({ properties: ['endpointId', 'createdAt'] })
export class WebhookEndpointSecret {
  [OptionalProps]?: 'expiresAt';

  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @Property({ type: 'text' })
  endpointId!: string;

  /** `whsec_` and 32 random bytes in base64, as Standard Webhooks has it; kept to sign with. */
  @Property({ type: 'text' })
  secret!: string;

  @Property({ type: 'timestamptz' })
  createdAt!: Date;

  /** The end of a rotation's overlap; null while it is the current secret. */
  @Property({ type: 'timestamptz', nullable: true })
  expiresAt?: Date | null;
}
