import type { EntityManager } from '@mikro-orm/postgresql';
import type { Actor } from './platform/auth/actor.js';
import type { Clock } from './platform/clock.js';
import type { Logger } from './platform/logger.js';
import type { LocalPubSub } from './platform/events/pubsub.js';
import type { ExportLinks } from './platform/export-links.js';
import type { InputViolation } from './platform/graphql/input-rules.js';
import type { RequestFacts } from './platform/http/request-facts.js';
import type { Metrics } from './platform/metrics.js';
import type { AccessTokenCache } from './modules/access-token/access-token-cache.js';
import type { AuthorizationFactsCache } from './modules/usage/authorization-facts-cache.js';
import type { UsageStore } from './modules/usage/usage-store.js';
import type { UsageReservations } from './modules/usage/usage-reservations.js';
import type { UsageDenialLog } from './modules/usage/usage-denials.js';
import { createLoaders, type Loaders } from './modules/loaders.js';

/**
 * Starts a settlement run in this process. Declared here, not imported, so the context does not
 * depend on the billing feature that depends on it.
 */
export interface SettlementStarter {
  start(run: { id: string; tenantIds?: string[] | null }): Promise<void>;
}

/** What webhook endpoints may point at, as this process's dispatcher delivers (modules/webhook/webhook-dispatcher.ts). Declared here for the same reason. */
export interface WebhookUrlPolicy {
  readonly allowPrivateNetworks: boolean;
}

/** One per HTTP request and one per WebSocket operation. Services take it first. */
export interface RequestContext {
  /** Forked per request: its identity map never leaks between callers. */
  em: EntityManager;
  actor: Actor;
  requestId: string;
  clock: Clock;
  loaders: Loaders;
  logger: Logger;
  /** This process's subscription feed (filled from PostgreSQL NOTIFY). */
  pubSub: LocalPubSub;
  /** This process's bearer-token cache; token and tenant changes evict from it. */
  accessTokens: AccessTokenCache;
  /** This process's copy of what usageAuthorize reads, kept current by events. */
  authorizationFacts: AuthorizationFactsCache;
  /** This process's usage ingestion, which stores small usageRecord calls together. */
  usageBatches: UsageStore;
  /** This process's usageReserve holds, placed for calls that arrive together in one transaction. */
  usageReservations: UsageReservations;
  /** This process's count of gateway refusals, written to `usage_denial` once a second. */
  usageDenials: UsageDenialLog;
  /** Settlement runs this process executes (modules/bill/settlement.service.ts, SettlementRunner). */
  settlements: SettlementStarter;
  /** Signs the export links the API hands out. */
  exportLinks: ExportLinks;
  /** Where this process's webhook dispatcher delivers: the rule for endpoint URLs. */
  webhooks: WebhookUrlPolicy;
  /** This process's Prometheus metrics. */
  metrics: Metrics;
  /** Input-rule violations of mutation fields, by response key, answered in their payloads (graphql/input-rules.ts). */
  refusedInput?: Map<string, InputViolation[]>;
  /** An HTTP request's facts for its access-log line and metrics, which the GraphQL operation adds to. */
  requestFacts?: RequestFacts;
}

/**
 * A request's context whose EntityManager and loaders are made on first use: a gateway check
 * answered from memory needs neither, and forking costs as much as the check. They are getters on
 * the prototype, so a copy made onto the same prototype (as Apollo copies each request's context,
 * and `inTransaction` does) stays lazy.
 */
export class RequestScope implements RequestContext {
  declare actor: Actor;
  declare requestId: string;
  declare clock: Clock;
  declare logger: Logger;
  declare pubSub: LocalPubSub;
  declare accessTokens: AccessTokenCache;
  declare authorizationFacts: AuthorizationFactsCache;
  declare usageBatches: UsageStore;
  declare usageReservations: UsageReservations;
  declare usageDenials: UsageDenialLog;
  declare settlements: SettlementStarter;
  declare exportLinks: ExportLinks;
  declare webhooks: WebhookUrlPolicy;
  declare metrics: Metrics;
  declare refusedInput?: Map<string, InputViolation[]>;
  declare requestFacts?: RequestFacts;
  private forked?: EntityManager;
  private made?: Loaders;

  constructor(
    private readonly fork: () => EntityManager,
    fields: Omit<RequestContext, 'em' | 'loaders'>,
  ) {
    Object.assign(this, fields);
  }

  get em(): EntityManager {
    return (this.forked ??= this.fork());
  }

  set em(em: EntityManager) {
    this.forked = em;
    this.made = undefined;
  }

  get loaders(): Loaders {
    return (this.made ??= createLoaders(this.em, this.clock));
  }

  set loaders(loaders: Loaders) {
    this.made = loaders;
  }
}

/** The same context with another EntityManager (and loaders of its own, made on first use). */
function withEntityManager(context: RequestContext, em: EntityManager): RequestContext {
  return Object.assign(Object.create(Object.getPrototypeOf(context) as object) as RequestContext, context, { em });
}

/** Runs work in one transaction with a context whose `em` is the transaction's. */
export function inTransaction<T>(context: RequestContext, work: (transaction: RequestContext) => Promise<T>): Promise<T> {
  return context.em.transactional((em) => work(withEntityManager(context, em)));
}

/**
 * A subscription's context lives as long as the subscription; each event must read the database
 * afresh, not the entities and loader caches an earlier event filled. Call it first per event.
 */
export function beginSubscriptionEvent(context: RequestContext): void {
  context.em.clear();
  context.loaders = createLoaders(context.em, context.clock);
}
