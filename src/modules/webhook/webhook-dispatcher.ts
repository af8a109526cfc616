import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import { Webhook } from 'standardwebhooks';
import type { Clock } from '../../platform/clock.js';
import { sqlTransaction } from '../../platform/database/sql.js';
import type { LocalPubSub } from '../../platform/events/pubsub.js';
import {
  claimDueDeliveries,
  pruneWebhookLog,
  recordAttempts,
  WEBHOOKS_QUEUED,
  type AttemptOutcome,
  type AttemptRecord,
  type AttemptResult,
  type ClaimedDelivery,
} from '../../platform/events/webhook-outbox.js';
import type { Logger } from '../../platform/logger.js';
import type { Metrics } from '../../platform/metrics.js';
import { raiseWebhookEndpointDisabledAlert } from '../alert/alert.service.js';
import { noteEndpointFailure, noteEndpointSuccess } from './webhook-endpoint.repository.js';
import { publicAddressLookup } from './webhook-url.js';

export interface WebhookSettings {
  /** How long an endpoint has to answer. */
  timeoutMs: number;
  /** Messages in flight at once, per process; 0 for a process that delivers none (an API-only instance). */
  concurrency: number;
  /** Waits before each retry; after the last one fails the delivery is FAILED. */
  retryDelaysMs: readonly number[];
  /** An endpoint failing without a success for this long is disabled. */
  disableAfterMs: number;
  /** Whether URLs may point at loopback and private networks (a receiver beside the server). */
  allowPrivateNetworks: boolean;
  /** How often due retries are looked for; new messages wake the dispatcher at once. */
  pollIntervalMs: number;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/**
 * 13 attempts over 3 days 22 hours: quick retries for a blip, then hours apart for an outage
 * (Stripe and Svix retry for about 3 days). Each wait varies by up to a tenth, so a receiver back
 * from an outage is not hit by every message at the same instant.
 */
export const DEFAULT_WEBHOOK_SETTINGS: WebhookSettings = {
  timeoutMs: 10 * SECOND,
  concurrency: 16,
  retryDelaysMs: [5 * SECOND, 30 * SECOND, 2 * MINUTE, 10 * MINUTE, 30 * MINUTE, HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, 24 * HOUR, 24 * HOUR, 24 * HOUR],
  disableAfterMs: 5 * 24 * HOUR,
  allowPrivateNetworks: false,
  pollIntervalMs: SECOND,
};

/** How much of an answer the delivery log keeps. */
const RESPONSE_LOG_CHARS = 1024;
/** How long the delivery log keeps finished deliveries. */
const LOG_RETENTION_MS = 30 * 24 * HOUR;
const PRUNE_INTERVAL_MS = HOUR;

export interface WebhookDispatcherDependencies {
  pool: pg.Pool;
  clock: Clock;
  logger: Logger;
  /** Counts attempts (platform/metrics.ts). */
  metrics: Metrics;
  pubSub: LocalPubSub;
  settings: WebhookSettings;
}

/**
 * Delivers webhook messages from the outbox: signs each (Standard Webhooks, with every live secret
 * of its endpoint), POSTs it, logs the attempt and schedules a retry with backoff when it fails.
 * Every process runs one; they share the work through the outbox's leases, and a message whose
 * process died mid-flight goes again when its lease ends (at least once: receivers drop repeats by
 * `webhook-id`).
 */
export class WebhookDispatcher {
  private readonly agents: { http: http.Agent; https: https.Agent };
  private readonly inFlight = new Set<Promise<void>>();
  private pumping = false;
  private again = false;
  private stopped = false;
  private pollTimer: NodeJS.Timeout | undefined;
  private pruneTimer: NodeJS.Timeout | undefined;
  private wakeUps: AsyncIterator<unknown> | undefined;
  /** Attempts made and not yet written, with who waits for the write. */
  private unrecorded: { result: AttemptResult; written: PromiseWithResolvers<void> }[] = [];
  private recording = false;

  constructor(private readonly dependencies: WebhookDispatcherDependencies) {
    const { concurrency } = dependencies.settings;
    this.agents = {
      http: new http.Agent({ keepAlive: true, maxSockets: Math.max(concurrency, 1) }),
      https: new https.Agent({ keepAlive: true, maxSockets: Math.max(concurrency, 1) }),
    };
  }

  get allowPrivateNetworks(): boolean {
    return this.dependencies.settings.allowPrivateNetworks;
  }

  start(): void {
    if (this.dependencies.settings.concurrency === 0) return;
    const wakeUps = this.dependencies.pubSub.subscribe(WEBHOOKS_QUEUED)[Symbol.asyncIterator]();
    this.wakeUps = wakeUps;
    void (async () => {
      while (!(await wakeUps.next()).done) this.pump();
    })();
    this.pollTimer = setInterval(() => this.pump(), this.dependencies.settings.pollIntervalMs).unref();
    this.pruneTimer = setInterval(() => this.prune(), PRUNE_INTERVAL_MS).unref();
    this.pump();
  }

  /** Stops taking messages and waits for those in flight (each ends within the timeout). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.pollTimer);
    clearInterval(this.pruneTimer);
    await this.wakeUps?.return?.();
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  /** Takes due messages while there is room; a pass asked for while one runs runs after it. */
  private pump(): void {
    if (this.stopped) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    void this.fill()
      .catch((error: unknown) => this.dependencies.logger.warn({ err: error }, 'taking webhook deliveries failed'))
      .finally(() => {
        this.pumping = false;
        if (this.again) {
          this.again = false;
          this.pump();
        }
      });
  }

  private async fill(): Promise<void> {
    const { pool, clock, settings } = this.dependencies;
    while (!this.stopped && this.inFlight.size < settings.concurrency) {
      const now = clock.now();
      const leaseUntil = new Date(now.getTime() + 2 * settings.timeoutMs + 5 * SECOND);
      const claimed = await claimDueDeliveries(pool, now, leaseUntil, settings.concurrency - this.inFlight.size);
      if (claimed.length === 0) return;
      for (const delivery of claimed) {
        const task = this.deliver(delivery)
          .catch((error: unknown) => this.dependencies.logger.error({ err: error, deliveryId: delivery.id }, 'recording a webhook attempt failed'))
          .finally(() => {
            this.inFlight.delete(task);
            this.pump(); // the next message of the same object may be due now
          });
        this.inFlight.add(task);
      }
    }
  }

  private async deliver(delivery: ClaimedDelivery): Promise<void> {
    const attemptedAt = this.dependencies.clock.now();
    const started = performance.now();
    let statusCode: number | null = null;
    let responseBody: string | null = null;
    let error: string | null = null;
    try {
      const answer = await this.post(delivery, attemptedAt);
      statusCode = answer.statusCode;
      responseBody = answer.body;
      if (statusCode < 200 || statusCode > 299) error = `answered HTTP ${statusCode}`;
    } catch (failure) {
      error = failure instanceof Error ? failure.message : String(failure);
    }
    const attempt: AttemptRecord = { attemptedAt, statusCode, durationMs: Math.round(performance.now() - started), error, responseBody };
    const { metrics } = this.dependencies;
    metrics.webhookAttempts.inc({ result: error === null ? 'delivered' : statusCode === null ? 'no_answer' : 'refused' });
    metrics.webhookAttemptDuration.observe(attempt.durationMs / 1000);
    await this.record({ delivery, attempt, outcome: this.outcomeOf(delivery, attempt) });
  }

  /**
   * Writes an attempt with those that finished while the last write ran: one transaction for a
   * batch, so a burst of deliveries costs a commit per batch, not per message. Resolves once it
   * is written (the delivery's slot is free, and its object's next message may go).
   */
  private record(result: AttemptResult): Promise<void> {
    const written = Promise.withResolvers<void>();
    this.unrecorded.push({ result, written });
    if (!this.recording) void this.writeAttempts();
    return written.promise;
  }

  private async writeAttempts(): Promise<void> {
    this.recording = true;
    while (this.unrecorded.length > 0) {
      const batch = this.unrecorded.splice(0);
      try {
        await this.writeBatch(batch.map((entry) => entry.result));
        for (const entry of batch) entry.written.resolve();
      } catch (error) {
        for (const entry of batch) entry.written.reject(error);
      }
    }
    this.recording = false;
  }

  private async writeBatch(results: AttemptResult[]): Promise<void> {
    const { settings, logger } = this.dependencies;
    await sqlTransaction(this.dependencies.pool, async (client) => {
      await recordAttempts(client, results);
      // Each endpoint's record once, in id order (so concurrent batches lock endpoints in the same order):
      // an answer ends its run of failures; failures after the last answer start one or go on with it.
      const endpointIds = [...new Set(results.map((result) => result.delivery.endpointId))].sort();
      for (const endpointId of endpointIds) {
        const attempts = results.filter((result) => result.delivery.endpointId === endpointId).map((result) => result.attempt);
        const lastAnswer = Math.max(...attempts.filter((attempt) => attempt.error === null).map((attempt) => attempt.attemptedAt.getTime()));
        if (lastAnswer > 0) await noteEndpointSuccess(client, endpointId);
        const failedSince = attempts
          .filter((attempt) => attempt.error !== null && attempt.attemptedAt.getTime() > lastAnswer)
          .map((attempt) => attempt.attemptedAt);
        if (failedSince.length === 0) continue;
        const first = new Date(Math.min(...failedSince.map(Number)));
        const last = new Date(Math.max(...failedSince.map(Number)));
        const disabled = await noteEndpointFailure(client, endpointId, first, last, settings.disableAfterMs);
        if (!disabled) continue;
        logger.error({ endpointId, url: disabled.url, failingSince: disabled.failingSince }, 'webhook endpoint disabled after failing for days');
        if (disabled.tenantId) await raiseWebhookEndpointDisabledAlert(client, { ...disabled, tenantId: disabled.tenantId }, last);
      }
    });
  }

  private outcomeOf(delivery: ClaimedDelivery, attempt: AttemptRecord): AttemptOutcome {
    if (attempt.error === null) return { state: 'DELIVERED' };
    const { retryDelaysMs } = this.dependencies.settings;
    const delay = retryDelaysMs[delivery.attemptCount - 1];
    if (delay === undefined) return { state: 'FAILED' };
    const jitter = 1 + (Math.random() - 0.5) / 5;
    return { state: 'PENDING', nextAttemptAt: new Date(attempt.attemptedAt.getTime() + Math.round(delay * jitter)) };
  }

  /** POSTs the message as signed now; resolves with the answer's status and start, rejects on no answer. */
  private post(delivery: ClaimedDelivery, timestamp: Date): Promise<{ statusCode: number; body: string }> {
    const { timeoutMs, allowPrivateNetworks } = this.dependencies.settings;
    const url = new URL(delivery.url);
    const signature = delivery.secrets.map((secret) => new Webhook(secret).sign(delivery.messageId, timestamp, delivery.payload)).join(' ');
    const isHttps = url.protocol === 'https:';
    return new Promise((resolve, reject) => {
      const request = (isHttps ? https : http).request(
        url,
        {
          method: 'POST',
          agent: isHttps ? this.agents.https : this.agents.http,
          lookup: allowPrivateNetworks ? undefined : publicAddressLookup,
          headers: {
            'content-type': 'application/json',
            'user-agent': 'ai-billing-webhooks/1',
            'webhook-id': delivery.messageId,
            'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
            'webhook-signature': signature,
          },
        },
        (response) => {
          let body = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => {
            if (body.length < RESPONSE_LOG_CHARS) body += chunk.slice(0, RESPONSE_LOG_CHARS - body.length);
          });
          response.on('end', () => resolve({ statusCode: response.statusCode ?? 0, body }));
          response.on('error', reject);
        },
      );
      const deadline = setTimeout(() => request.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      request.on('close', () => clearTimeout(deadline));
      request.on('error', reject);
      request.end(delivery.payload);
    });
  }

  private prune(): void {
    const before = new Date(this.dependencies.clock.now().getTime() - LOG_RETENTION_MS);
    pruneWebhookLog(this.dependencies.pool, before).catch((error: unknown) => this.dependencies.logger.warn({ err: error }, 'pruning the webhook log failed'));
  }
}
