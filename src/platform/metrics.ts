import { timingSafeEqual } from 'node:crypto';
import type express from 'express';
import type pg from 'pg';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { noteErrorCode, requestFacts } from './http/request-facts.js';
import { bearerSecret } from './auth/bearer.js';
import { queryRows } from './database/sql.js';

/**
 * What the server counts, for Prometheus (prom-client), each metric named `billing_…`. One
 * registry per server (tests run several in one process); Node's own metrics (heap, event loop
 * lag, GC) come with it. Figures that are the same whatever instance is asked (holds open,
 * webhook backlog, settlement progress) are read from PostgreSQL when scraped, so any instance
 * gives them; counters and histograms are this instance's.
 */
export class Metrics {
  readonly registry = new Registry();

  /** Every HTTP request: a GraphQL operation by its root field, or the route it took. */
  readonly requestDuration = new Histogram({
    name: 'billing_request_duration_seconds',
    help: 'HTTP requests by GraphQL root field (or "multiple"; other routes by name) and operation type (query, mutation, subscription, http), until the response ended.',
    labelNames: ['operation', 'type'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  readonly requestErrors = new Counter({
    name: 'billing_request_errors_total',
    help: 'Errors answered, by operation, type and error code (UNAUTHENTICATED, BAD_USER_INPUT, RATE_LIMITED, INTERNAL_SERVER_ERROR ...).',
    labelNames: ['operation', 'type', 'code'] as const,
    registers: [this.registry],
  });

  readonly usageRecords = new Counter({
    name: 'billing_usage_records_total',
    help: 'Usage records reported by usageRecord, by outcome (accepted, duplicate, rejected) and rejection code.',
    labelNames: ['outcome', 'code'] as const,
    registers: [this.registry],
  });

  readonly authorizeDecisions = new Counter({
    name: 'billing_authorize_decisions_total',
    help: 'Answers of usageAuthorize and usageReserve, by operation and decision (ALLOWED, or the denial code: what the gateway maps to 402 or 429).',
    labelNames: ['operation', 'decision'] as const,
    registers: [this.registry],
  });

  readonly eventLag = new Histogram({
    name: 'billing_event_lag_seconds',
    help: 'From an event published in a committing transaction to this instance handing it to its subscribers, by topic.',
    labelNames: ['topic'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  readonly sharedSubscriptionResults = new Counter({
    name: 'billing_shared_subscription_results_total',
    help: 'Results of subscriptions that equal ones share (live spend, alerts), by field: executed once, and delivered to each subscriber.',
    labelNames: ['field', 'counted'] as const,
    registers: [this.registry],
  });

  readonly webhookAttempts = new Counter({
    name: 'billing_webhook_attempts_total',
    help: "Webhook delivery attempts by this instance, by result (delivered, or failed: the endpoint's error or no answer).",
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  readonly webhookAttemptDuration = new Histogram({
    name: 'billing_webhook_attempt_duration_seconds',
    help: 'Webhook delivery attempts by this instance, until the endpoint answered or timed out.',
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  readonly readRoutes = new Counter({
    name: 'billing_read_routes_total',
    help: "ERP pulls, exports and reports with DATABASE_READ_URL set, by where they read: replica, primary_lagging (the replica had not replayed the caller's last write in time) or primary_unreachable.",
    labelNames: ['route'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** Gauges read when scraped: open subscriptions and WebSocket connections of this instance. */
  watchSubscriptions(count: () => { connections: number; subscriptions: number }): void {
    new Gauge({
      name: 'billing_websocket_connections_open',
      help: "This instance's open GraphQL WebSocket connections.",
      registers: [this.registry],
      collect() {
        this.set(count().connections);
      },
    });
    new Gauge({
      name: 'billing_subscriptions_open',
      help: "This instance's running GraphQL subscriptions.",
      registers: [this.registry],
      collect() {
        this.set(count().subscriptions);
      },
    });
  }

  /**
   * Gauges read when scraped: this instance's connection pool, and from PostgreSQL what every
   * instance shares: holds open, the webhook backlog, and running settlements' progress.
   */
  watchDatabase(pool: pg.Pool): void {
    const registers = [this.registry];
    new Gauge({
      name: 'billing_database_connections',
      help: "This instance's PostgreSQL pool: connections in use, idle, and callers waiting for one.",
      labelNames: ['state'] as const,
      registers,
      collect() {
        this.set({ state: 'in_use' }, pool.totalCount - pool.idleCount);
        this.set({ state: 'idle' }, pool.idleCount);
        this.set({ state: 'waiting' }, pool.waitingCount);
      },
    });
    new Gauge({
      name: 'billing_usage_holds_open',
      help: 'usageReserve holds not yet recorded, released or expired (every instance).',
      registers,
      async collect() {
        const [row] = await queryRows<{ count: number }>(pool, 'select count(*)::int as count from spend_hold where expires_at > now()', []);
        this.set(row.count);
      },
    });
    new Gauge({
      name: 'billing_webhook_backlog',
      help: 'Webhook messages not yet delivered (every instance): pending, and due now (their next attempt is not in the future).',
      labelNames: ['state'] as const,
      registers,
      async collect() {
        const [row] = await queryRows<{ pending: number; due: number }>(
          pool,
          `select count(*)::int as pending, (count(*) filter (where next_attempt_at <= now()))::int as due
             from webhook_delivery where state = 'PENDING'`,
          [],
        );
        this.set({ state: 'pending' }, row.pending);
        this.set({ state: 'due' }, row.due);
      },
    });
    new Gauge({
      name: 'billing_webhook_oldest_due_seconds',
      help: 'How long the oldest due webhook message has waited past its attempt time (0 when none is due): delivery falling behind.',
      registers,
      async collect() {
        const [row] = await queryRows<{ seconds: number }>(
          pool,
          `select coalesce(extract(epoch from now() - min(next_attempt_at)), 0)::float8 as seconds
             from webhook_delivery where state = 'PENDING' and next_attempt_at <= now()`,
          [],
        );
        this.set(row.seconds);
      },
    });
    new Gauge({
      name: 'billing_settlement_tenants',
      help: "Running settlement runs' tenants (every instance), by state: billed, skipped, failed, and left to do.",
      labelNames: ['period', 'state'] as const,
      registers,
      async collect() {
        this.reset();
        const rows = await queryRows<{ period: string; billed: number; skipped: number; failed: number; left: number }>(
          pool,
          `select period, sum(billed_count)::int as billed, sum(skipped_count)::int as skipped, sum(failed_count)::int as failed,
                  sum(tenant_count - billed_count - skipped_count - failed_count)::int as left
             from settlement_run where status = 'RUNNING' group by period`,
          [],
        );
        for (const { period, ...counts } of rows) for (const [state, count] of Object.entries(counts)) this.set({ period, state }, count);
      },
    });
  }

  /**
   * Times every HTTP request and counts its error codes, labelled from its facts
   * (http/request-facts.ts) once its response ends.
   */
  middleware(): express.RequestHandler {
    return (request, response, next) => {
      const stop = this.requestDuration.startTimer();
      response.once('close', () => {
        const facts = requestFacts(request);
        const labels = facts.operationType
          ? { operation: facts.rootFields?.length === 1 ? facts.rootFields[0] : 'multiple', type: facts.operationType }
          : { operation: routeOf(request.originalUrl), type: 'http' };
        stop(labels);
        for (const code of facts.errorCodes) this.requestErrors.inc({ ...labels, code });
      });
      next();
    };
  }

  /**
   * `GET /metrics` in Prometheus's text format for a scraper that sends `Authorization: Bearer
   * <METRICS_TOKEN>`; 404 while no token is configured.
   */
  endpoint(token: string | undefined): express.RequestHandler {
    const expected = token ? Buffer.from(token) : undefined;
    return async (request, response) => {
      if (!expected) {
        response.status(404).json({ error: { code: 'NOT_FOUND', message: 'Metrics are off: set METRICS_TOKEN to serve them here.' } });
        return;
      }
      const given = Buffer.from(bearerSecret(request.headers.authorization) ?? '');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        noteErrorCode(requestFacts(request), 'UNAUTHENTICATED');
        response.status(401).json({ error: { code: 'UNAUTHENTICATED', message: 'Send "Authorization: Bearer <METRICS_TOKEN>".' } });
        return;
      }
      response.type(this.registry.contentType).send(await this.registry.metrics());
    };
  }
}

/** A route outside GraphQL, named by its first path segment, from a fixed set (labels stay few whatever is requested). */
function routeOf(url: string): string {
  const segment = url.split(/[/?]/, 2)[1] ?? '';
  return ['graphql', 'exports', 'healthz', 'readyz', 'metrics', 'console', 'explorer'].includes(segment) ? segment : 'other';
}
