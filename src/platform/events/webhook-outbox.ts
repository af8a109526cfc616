import type pg from 'pg';
import { newId, newWebhookMessageId } from '../ids.js';
import { queryRows, type SqlTarget } from '../database/sql.js';
import { publishOnCommit } from './pubsub.js';
import type { WebhookEventType } from './webhook-event-types.js';

/**
 * The webhook outbox and its deliveries: the one writer of `webhook_event`, `webhook_delivery` and
 * `webhook_attempt`. A change records its events here inside its own transaction, so an event
 * exists exactly when its change committed; the dispatcher (modules/webhook) takes deliveries
 * from here, one object's in order, and records each attempt.
 */

/** Topic that wakes dispatchers when a transaction that queued deliveries commits. */
export const WEBHOOKS_QUEUED = 'WEBHOOKS_QUEUED';

export interface WebhookEventDraft {
  type: WebhookEventType;
  /** The tenant the event is about: its endpoints and the operator's receive it. Null: the operator's only. */
  tenantId: string | null;
  /** The object whose events an endpoint receives in order: a bill's id for bill, payment and invoice events. */
  orderKey: string;
  /** What the event says, besides `tenant` (added here from the tenant row). */
  data: Record<string, unknown>;
}

interface SubscribedEndpoint {
  id: string;
  tenantId: string | null;
  eventTypes: string[];
}

interface TenantReference {
  id: string;
  externalId: string | null;
  name: string;
}

/**
 * Records events in the caller's transaction: each becomes one message, with a delivery to every
 * enabled endpoint subscribed to its type (the tenant's own and the operator's). An event no
 * endpoint wants is not stored. Dispatchers are woken when the transaction commits.
 */
export async function recordWebhookEvents(target: SqlTarget, drafts: WebhookEventDraft[], now: Date): Promise<void> {
  if (drafts.length === 0) return;
  const tenantIds = [...new Set(drafts.flatMap((draft) => (draft.tenantId ? [draft.tenantId] : [])))];
  // Lists travel as JSON: an ORM target inlines parameters and cannot bind arrays.
  const endpoints = await queryRows<SubscribedEndpoint>(
    target,
    `select id, tenant_id as "tenantId", event_types as "eventTypes" from webhook_endpoint
      where status = 'ENABLED' and event_types && array(select jsonb_array_elements_text($1::jsonb))
        and (tenant_id is null or tenant_id in (select jsonb_array_elements_text($2::jsonb)))
      order by id`,
    [JSON.stringify([...new Set(drafts.map((draft) => draft.type))]), JSON.stringify(tenantIds)],
  );
  const wanted = drafts
    .map((draft) => ({
      draft,
      endpoints: endpoints.filter(
        (endpoint) => (endpoint.tenantId === null || endpoint.tenantId === draft.tenantId) && endpoint.eventTypes.includes(draft.type),
      ),
    }))
    .filter((event) => event.endpoints.length > 0);
  if (wanted.length === 0) return;

  const tenants = new Map(
    (
      await queryRows<TenantReference>(
        target,
        'select id, external_id as "externalId", name from tenant where id in (select jsonb_array_elements_text($1::jsonb))',
        [JSON.stringify([...new Set(wanted.flatMap(({ draft }) => (draft.tenantId ? [draft.tenantId] : [])))])],
      )
    ).map((tenant) => [tenant.id, tenant]),
  );
  const messages = wanted.map(({ draft, endpoints: subscribed }) => {
    const tenant = draft.tenantId ? tenants.get(draft.tenantId)! : null;
    const body = { type: draft.type, timestamp: now.toISOString(), data: tenant ? { tenant, ...draft.data } : draft.data };
    return { id: newWebhookMessageId(), draft, subscribed, payload: JSON.stringify(body) };
  });
  // One row per message, numbered in the order given: `seq` orders one object's events.
  const stored = await queryRows<{ id: string; seq: string }>(
    target,
    `insert into webhook_event (id, type, tenant_id, payload, created_at)
     select id, type, tenant_id, payload, $2
       from rows from (jsonb_to_recordset($1::jsonb) as (id text, type text, tenant_id text, payload text)) with ordinality as m(id, type, tenant_id, payload, position)
      order by position
     returning id, seq::text`,
    [
      JSON.stringify(messages.map((message) => ({ id: message.id, type: message.draft.type, tenant_id: message.draft.tenantId, payload: message.payload }))),
      now,
    ],
  );
  const seqOf = new Map(stored.map((row) => [row.id, row.seq]));
  const deliveries = messages.flatMap((message) =>
    message.subscribed.map((endpoint) => ({
      id: newId('WebhookDelivery'),
      event_seq: seqOf.get(message.id)!,
      endpoint_id: endpoint.id,
      tenant_id: endpoint.tenantId,
      order_key: message.draft.orderKey,
    })),
  );
  await queryRows(
    target,
    `insert into webhook_delivery (id, event_seq, endpoint_id, tenant_id, order_key, state, next_attempt_at, created_at, updated_at)
     select id, event_seq, endpoint_id, tenant_id, order_key, 'PENDING', $2, $2, $2
       from jsonb_to_recordset($1::jsonb) as d(id text, event_seq bigint, endpoint_id text, tenant_id text, order_key text)`,
    [JSON.stringify(deliveries), now],
  );
  await publishOnCommit(target, WEBHOOKS_QUEUED, null);
}

/** A delivery a dispatcher holds until its lease ends: the message and where it goes. */
export interface ClaimedDelivery {
  id: string;
  tenantId: string | null;
  endpointId: string;
  url: string;
  /** The endpoint's secrets not yet expired, oldest first: the message carries a signature by each. */
  secrets: string[];
  /** Counting the attempt about to be made. */
  attemptCount: number;
  messageId: string;
  payload: string;
  /** When the change that made the event was written (before it committed), as PostgreSQL prints it (`parseTimestamptz`). */
  eventCreatedAt: string;
}

/**
 * Takes up to `limit` deliveries that are due, each the oldest pending one of its object on its
 * endpoint, for enabled endpoints, and leases them until `leaseUntil`. Concurrent dispatchers
 * (other processes) skip rows another holds; a lease that runs out (its dispatcher died) frees
 * the delivery again: at least once.
 */
export async function claimDueDeliveries(pool: pg.Pool, now: Date, leaseUntil: Date, limit: number): Promise<ClaimedDelivery[]> {
  return queryRows<ClaimedDelivery>(
    pool,
    `with due as (
       select d.id from webhook_delivery d
         join webhook_endpoint e on e.id = d.endpoint_id and e.status = 'ENABLED'
        where d.state = 'PENDING' and d.next_attempt_at <= $1 and (d.locked_until is null or d.locked_until <= $1)
          and not exists (select 1 from webhook_delivery earlier
                           where earlier.endpoint_id = d.endpoint_id and earlier.order_key = d.order_key
                             and earlier.state = 'PENDING' and earlier.event_seq < d.event_seq)
        order by d.next_attempt_at, d.event_seq
        limit $3
        for update of d skip locked)
     update webhook_delivery d set locked_until = $2, attempt_count = d.attempt_count + 1
       from due, webhook_event m, webhook_endpoint e
      where d.id = due.id and m.seq = d.event_seq and e.id = d.endpoint_id
     returning d.id, d.tenant_id as "tenantId", d.endpoint_id as "endpointId", e.url,
               array(select s.secret from webhook_endpoint_secret s where s.endpoint_id = e.id and (s.expires_at is null or s.expires_at > $1) order by s.id) as secrets,
               d.attempt_count as "attemptCount",
               m.id as "messageId", m.payload, m.created_at::text as "eventCreatedAt"`,
    [now, leaseUntil, limit],
  );
}

export interface AttemptRecord {
  attemptedAt: Date;
  /** Null when no answer came. */
  statusCode: number | null;
  durationMs: number;
  error: string | null;
  responseBody: string | null;
}

/** What becomes of a delivery after an attempt: done, another try at a time, or given up. */
export type AttemptOutcome = { state: 'DELIVERED' } | { state: 'PENDING'; nextAttemptAt: Date } | { state: 'FAILED' };

/** An attempt made, and what becomes of its delivery. */
export interface AttemptResult {
  delivery: ClaimedDelivery;
  attempt: AttemptRecord;
  outcome: AttemptOutcome;
}

/** Logs attempts and moves their deliveries on, in the caller's transaction: two statements for any number. */
export async function recordAttempts(target: SqlTarget, results: AttemptResult[]): Promise<void> {
  if (results.length === 0) return;
  const rows = results.map(({ delivery, attempt, outcome }) => ({
    delivery_id: delivery.id,
    tenant_id: delivery.tenantId,
    attempted_at: attempt.attemptedAt.toISOString(),
    status_code: attempt.statusCode,
    duration_ms: attempt.durationMs,
    error: attempt.error,
    response_body: attempt.responseBody,
    state: outcome.state,
    next_attempt_at: outcome.state === 'PENDING' ? outcome.nextAttemptAt.toISOString() : null,
  }));
  const json = JSON.stringify(rows);
  await queryRows(
    target,
    `insert into webhook_attempt (delivery_id, tenant_id, attempted_at, status_code, duration_ms, error, response_body)
     select delivery_id, tenant_id, attempted_at, status_code, duration_ms, error, response_body
       from jsonb_to_recordset($1::jsonb) as r(delivery_id text, tenant_id text, attempted_at timestamptz, status_code int, duration_ms int, error text, response_body text)`,
    [json],
  );
  await queryRows(
    target,
    `update webhook_delivery d set state = r.state, next_attempt_at = coalesce(r.next_attempt_at, d.next_attempt_at), locked_until = null,
                                  delivered_at = case when r.state = 'DELIVERED' then r.attempted_at else d.delivered_at end,
                                  last_status_code = r.status_code, last_error = r.error, updated_at = r.attempted_at
       from jsonb_to_recordset($1::jsonb) as r(delivery_id text, attempted_at timestamptz, status_code int, error text, state webhook_delivery_state, next_attempt_at timestamptz)
      where d.id = r.delivery_id`,
    [json],
  );
}

/** Queues a delivery again now, whatever became of it: a manual redelivery. The caller checked who may. */
export async function redeliver(target: SqlTarget, deliveryId: string, now: Date): Promise<void> {
  await queryRows(target, `update webhook_delivery set state = 'PENDING', next_attempt_at = $2, locked_until = null, updated_at = $2 where id = $1`, [
    deliveryId,
    now,
  ]);
  await publishOnCommit(target, WEBHOOKS_QUEUED, null);
}

/** Forgets an endpoint's deliveries and their log, when the endpoint is deleted. */
export async function dropEndpointDeliveries(target: SqlTarget, endpointId: string): Promise<void> {
  await queryRows(
    target,
    `with gone as (delete from webhook_delivery where endpoint_id = $1 returning id)
     delete from webhook_attempt where delivery_id in (select id from gone)`,
    [endpointId],
  );
}

/** Drops the log of deliveries finished before `before`, and messages no delivery still needs. */
export async function pruneWebhookLog(pool: pg.Pool, before: Date): Promise<void> {
  await queryRows(
    pool,
    `with gone as (delete from webhook_delivery where state <> 'PENDING' and updated_at < $1 returning id)
     delete from webhook_attempt where delivery_id in (select id from gone)`,
    [before],
  );
  await queryRows(pool, `delete from webhook_event m where m.created_at < $1 and not exists (select 1 from webhook_delivery d where d.event_seq = m.seq)`, [
    before,
  ]);
}
