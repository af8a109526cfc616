import type { EntityManager } from '@mikro-orm/postgresql';
import { createPubSub } from '@graphql-yoga/subscription';
import pg from 'pg';
import type { Logger } from './logger.js';

/**
 * Cross-instance events over PostgreSQL LISTEN/NOTIFY. Publishing is a `pg_notify` inside the
 * writer's transaction, so an event goes out on commit and never for a rolled-back change. Every
 * process holds one LISTEN connection and feeds what arrives into its local pubsub, from which
 * type-graphql subscriptions read. Delivery is at-most-once; a payload stays under 8000 bytes.
 */
export const EVENTS_CHANNEL = 'billing_events';

export type LocalPubSub = ReturnType<typeof createPubSub>;

interface EventEnvelope {
  topic: string;
  payload: unknown;
}

export function createLocalPubSub(): LocalPubSub {
  return createPubSub();
}

export async function publishOnCommit(em: EntityManager, topic: string, payload: unknown): Promise<void> {
  const envelope: EventEnvelope = { topic, payload };
  await em.execute('select pg_notify(?, ?)', [EVENTS_CHANNEL, JSON.stringify(envelope)]);
}

const RECONNECT_DELAYS_MS = [100, 250, 500, 1000, 2000, 5000];

export class EventListener {
  private client: pg.Client | undefined;
  private stopped = false;
  private attempt = 0;

  constructor(
    private readonly connectionString: string,
    private readonly pubSub: LocalPubSub,
    private readonly logger: Logger,
  ) {}

  /** Resolves once LISTEN is in place, so events published afterwards are not missed. */
  async start(): Promise<void> {
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.connectionString });
    client.on('error', (error) => this.logger.warn({ err: error }, 'event listener connection error'));
    client.on('end', () => this.scheduleReconnect(client));
    client.on('notification', (message) => this.deliver(message.payload));
    await client.connect();
    await client.query(`listen ${EVENTS_CHANNEL}`);
    this.client = client;
    this.attempt = 0;
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

  private deliver(raw: string | undefined): void {
    if (!raw) return;
    try {
      const envelope = JSON.parse(raw) as EventEnvelope;
      this.pubSub.publish(envelope.topic, envelope.payload);
    } catch (error) {
      this.logger.error({ err: error }, 'malformed event notification');
    }
  }
}
