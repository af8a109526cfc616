import { setMaxListeners } from 'node:events';
import { createPubSub } from '@graphql-yoga/subscription';
import pg from 'pg';
import { queryRows, type SqlTarget } from '../database/sql.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';

/**
 * Cross-instance events over PostgreSQL LISTEN/NOTIFY. Publishing is a `pg_notify` inside the
 * writer's transaction, so an event goes out on commit and never for a rolled-back change. Every
 * process holds one LISTEN connection and feeds what arrives into its local pubsub, from which
 * type-graphql subscriptions read. Delivery is at-most-once. Payloads NOTIFY cannot carry (8000
 * bytes) are stored in `event_outbox` and the notification carries their id.
 */
export const EVENTS_CHANNEL = 'billing_events';

export type LocalPubSub = ReturnType<typeof createPubSub>;

/**
 * What travels in a notification: the payload itself, or a reference to it in `event_outbox`;
 * `sentAt` is when it was published (epoch ms), for the event lag metric.
 */
type EventEnvelope = ({ topic: string; payload: unknown } | { topic: string; ref: string }) & { sentAt: number };

/** NOTIFY refuses payloads of 8000 bytes or more; larger events go through `event_outbox`. */
const MAX_NOTIFY_BYTES = 7500;
/** Outbox rows only bridge the gap between commit and every listener reading them. */
const OUTBOX_RETENTION = '1 hour';
const OUTBOX_PRUNE_INTERVAL_MS = 10 * 60 * 1000;

export function createLocalPubSub(): LocalPubSub {
  // One listener per open subscription: far more than EventTarget's default warning threshold.
  const eventTarget = new EventTarget();
  setMaxListeners(0, eventTarget);
  return createPubSub({ eventTarget });
}

/**
 * A topic's events from this moment on. The pubsub's own iterator listens only once it is first
 * read, so a subscription that checks its arguments against the database first would miss what
 * is published meanwhile; this one starts listening now and holds what arrives until it is read.
 * Call `return()` if it is never read.
 */
export function listenNow(pubSub: LocalPubSub, topic: string): AsyncIterableIterator<unknown> {
  const events = pubSub.subscribe(topic);
  let first: Promise<IteratorResult<unknown>> | null = events.next(); // runs the listener's setup now
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    next() {
      const next = first ?? events.next();
      first = null;
      return next;
    },
    return: (value?: unknown) => events.return!(value),
    throw: (error?: unknown) => events.throw!(error),
  };
}

/**
 * Publishes an event when the surrounding transaction commits, to every process. One
 * notification per call: publish once per batch, never per row (NOTIFY serialises commits).
 */
export async function publishOnCommit(target: SqlTarget, topic: string, payload: unknown): Promise<void> {
  const sentAt = Date.now();
  const inline = JSON.stringify({ topic, payload, sentAt } satisfies EventEnvelope);
  if (Buffer.byteLength(inline) < MAX_NOTIFY_BYTES) {
    await queryRows(target, 'select pg_notify($1, $2)', [EVENTS_CHANNEL, inline]);
    return;
  }
  await queryRows(
    target,
    `with stored as (insert into event_outbox (topic, payload) values ($1, $2::jsonb) returning id, topic)
     select pg_notify($3, json_build_object('topic', topic, 'ref', id::text, 'sentAt', $4::bigint)::text) from stored`,
    [topic, JSON.stringify(payload), EVENTS_CHANNEL, sentAt],
  );
}

const RECONNECT_DELAYS_MS = [100, 250, 500, 1000, 2000, 5000];

/** Whether this process hears every event now, and since when: what caches kept current by events rely on. */
export interface EventFeed {
  /** LISTEN is in place: every event committed from now on arrives. */
  readonly isListening: boolean;
  /** Counts LISTEN connections made: a new one means events may have been missed while none was open. */
  readonly epoch: number;
}

export class EventListener implements EventFeed {
  private client: pg.Client | undefined;
  private stopped = false;
  private attempt = 0;
  isListening = false;
  epoch = 0;
  /** Deliveries run one after another, so events reach subscribers in commit order. */
  private delivering: Promise<void> = Promise.resolve();
  private pruneTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly connectionString: string,
    private readonly pubSub: LocalPubSub,
    private readonly logger: Logger,
    private readonly metrics: Metrics,
  ) {}

  /** Resolves once LISTEN is in place, so events published afterwards are not missed. */
  async start(): Promise<void> {
    await this.connect();
    this.pruneTimer = setInterval(() => this.pruneOutbox(), OUTBOX_PRUNE_INTERVAL_MS).unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.isListening = false;
    clearInterval(this.pruneTimer);
    await this.delivering;
    await this.client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.connectionString });
    client.on('error', (error) => {
      if (client === this.client) this.isListening = false;
      this.logger.warn({ err: error }, 'event listener connection error');
    });
    client.on('end', () => {
      if (client === this.client) this.isListening = false;
      this.scheduleReconnect(client);
    });
    client.on('notification', (message) => {
      this.delivering = this.delivering.then(() => this.deliver(client, message.payload));
    });
    await client.connect();
    await client.query(`listen ${EVENTS_CHANNEL}`);
    this.client = client;
    this.attempt = 0;
    this.epoch += 1;
    this.isListening = true;
  }

  private scheduleReconnect(ended: pg.Client): void {
    if (this.stopped || ended !== this.client) return;
    const delay = RECONNECT_DELAYS_MS[Math.min(this.attempt, RECONNECT_DELAYS_MS.length - 1)];
    this.attempt += 1;
    this.logger.warn({ delay }, 'event listener disconnected; reconnecting');
    setTimeout(() => {
      if (this.stopped) return;
      this.connect().catch((error: unknown) => {
        this.logger.warn({ err: error }, 'event listener reconnect failed');
        this.client = ended;
        this.scheduleReconnect(ended);
      });
    }, delay).unref();
  }

  private async deliver(client: pg.Client, raw: string | undefined): Promise<void> {
    if (!raw) return;
    try {
      const envelope = JSON.parse(raw) as EventEnvelope;
      if ('ref' in envelope) {
        const stored = await client.query<{ payload: unknown }>('select payload from event_outbox where id = $1', [envelope.ref]);
        if (stored.rows.length === 0) throw new Error(`event_outbox row ${envelope.ref} is gone`);
        this.pubSub.publish(envelope.topic, stored.rows[0].payload);
      } else {
        this.pubSub.publish(envelope.topic, envelope.payload);
      }
      this.metrics.eventLag.observe({ topic: envelope.topic }, Math.max(0, Date.now() - envelope.sentAt) / 1000);
    } catch (error) {
      this.logger.error({ err: error }, 'event notification could not be delivered');
    }
  }

  private pruneOutbox(): void {
    this.client
      ?.query(`delete from event_outbox where created_at < now() - interval '${OUTBOX_RETENTION}'`)
      .catch((error: unknown) => this.logger.warn({ err: error }, 'event outbox prune failed'));
  }
}
