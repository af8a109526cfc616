import { OptionalProps } from '@mikro-orm/core';
import { Entity, Enum, Index, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { TenantOwned } from '../database/tenant-scope.js';

/**
 * The webhook outbox: one row per event that some endpoint subscribed to when it happened, written
 * in the transaction that made the change (webhook-outbox.ts). `seq` orders events as their
 * changes committed, per object: two changes to one object hold its row lock in turn.
 */
@Entity({ tableName: 'webhook_event' })
@TenantOwned('tenantId')
export class WebhookEvent {
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  seq!: string;

  /** The `webhook-id` header: the same on every endpoint and every retry. */
  @Property({ type: 'text', unique: true })
  id!: string;

  @Property({ type: 'text' })
  type!: string;

  /** The tenant the event is about; null for operator events (settlement.completed). */
  @Property({ type: 'text', nullable: true })
  tenantId?: string | null;

  /** The body exactly as signed and sent: `{"type":…,"timestamp":…,"data":…}`. */
  @Property({ type: 'text' })
  payload!: string;

  @Property({ type: 'timestamptz' })
  createdAt!: Date;
}

export enum WebhookDeliveryState {
  /** Waiting for its first attempt, its next retry, or an earlier event of its object. */
  PENDING = 'PENDING',
  DELIVERED = 'DELIVERED',
  /** Every retry failed. Redeliver it by hand once the endpoint works. */
  FAILED = 'FAILED',
}

/**
 * One event on its way to one endpoint. A delivery goes only once every earlier delivery of the
 * same object (`orderKey`) to the same endpoint is no longer pending, so an endpoint sees a bill
 * finalized before it sees it paid.
 */
@Entity({ tableName: 'webhook_delivery' })
@Index({
  name: 'webhook_delivery_due_index',
  expression: `create index "webhook_delivery_due_index" on "webhook_delivery" ("next_attempt_at", "event_seq") where "state" = 'PENDING'`,
})
@Index({
  name: 'webhook_delivery_order_index',
  expression: `create index "webhook_delivery_order_index" on "webhook_delivery" ("endpoint_id", "order_key", "event_seq") where "state" = 'PENDING'`,
})
@Index({ name: 'webhook_delivery_endpoint_index', properties: ['endpointId', 'createdAt', 'id'] })
@Index({ name: 'webhook_delivery_event_index', properties: ['eventSeq'] })
@TenantOwned('tenantId')
export class WebhookDelivery {
  [OptionalProps]?: 'attemptCount' | 'lockedUntil' | 'deliveredAt' | 'lastStatusCode' | 'lastError';

  @PrimaryKey({ type: 'text' })
  id!: string;

  @Property({ type: 'bigint' })
  eventSeq!: string;

  @Property({ type: 'text' })
  endpointId!: string;

  /** The endpoint's tenant; null for an operator endpoint. */
  @Property({ type: 'text', nullable: true })
  tenantId?: string | null;

  /** The object the event is about (a bill, an alert's budget, a run): deliveries of one key go in order. */
  @Property({ type: 'text' })
  orderKey!: string;

  @Enum({ items: () => WebhookDeliveryState, nativeEnumName: 'webhook_delivery_state' })
  state!: WebhookDeliveryState;

  @Property({ type: 'integer', default: 0 })
  attemptCount!: number;

  @Property({ type: 'timestamptz' })
  nextAttemptAt!: Date;

  /** A dispatcher has it in flight until then; after that (the dispatcher died) another may take it. */
  @Property({ type: 'timestamptz', nullable: true })
  lockedUntil?: Date | null;

  @Property({ type: 'timestamptz', nullable: true })
  deliveredAt?: Date | null;

  @Property({ type: 'integer', nullable: true })
  lastStatusCode?: number | null;

  @Property({ type: 'text', nullable: true })
  lastError?: string | null;

  @Property({ type: 'timestamptz' })
  createdAt!: Date;

  @Property({ type: 'timestamptz' })
  updatedAt!: Date;
}

/** The delivery log: every attempt, with the receiver's status code and how long it took. */
@Entity({ tableName: 'webhook_attempt' })
@Index({ properties: ['deliveryId', 'attemptedAt'] })
@TenantOwned('tenantId')
export class WebhookAttempt {
  [OptionalProps]?: 'statusCode' | 'error' | 'responseBody';

  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @Property({ type: 'text' })
  deliveryId!: string;

  @Property({ type: 'text', nullable: true })
  tenantId?: string | null;

  @Property({ type: 'timestamptz' })
  attemptedAt!: Date;

  /** The receiver's HTTP status; null when none came (refused, timed out). */
  @Property({ type: 'integer', nullable: true })
  statusCode?: number | null;

  @Property({ type: 'integer' })
  durationMs!: number;

  @Property({ type: 'text', nullable: true })
  error?: string | null;

  /** The start of the receiver's answer, for support. */
  @Property({ type: 'text', nullable: true })
  responseBody?: string | null;
}
