import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import type { MikroORM } from '@mikro-orm/postgresql';
import express from 'express';
import { GraphQLError } from 'graphql';
import { RequestScope, type RequestContext } from './context.js';
import { AccessTokenCache, isExpired } from './modules/access-token/access-token-cache.js';
import { findActiveAccessTokenById } from './modules/access-token/access-token.repository.js';
import { DEFAULT_SPEND_SPIKE_RULE, type SpendSpikeRule } from './modules/alert/spend-spike.js';
import { ensureBootstrapToken } from './modules/access-token/access-token.service.js';
import { markOverdueBills } from './modules/bill/bill.service.js';
import { SettlementRunner } from './modules/bill/settlement.service.js';
import { AuthorizationFactsCache } from './modules/usage/authorization-facts-cache.js';
import { UsageBatches } from './modules/usage/usage-batches.js';
import { UsageReservations } from './modules/usage/usage-reservations.js';
import { DEFAULT_USAGE_DENIAL_RETENTION_MS, UsageDenialLog } from './modules/usage/usage-denials.js';
import { ensureUsagePartitions } from './modules/usage/usage-partitions.js';
import { DEFAULT_WEBHOOK_SETTINGS, WebhookDispatcher, type WebhookSettings } from './modules/webhook/webhook-dispatcher.js';
import { bearerSecret } from './platform/auth/bearer.js';
import { nativePool } from './platform/database/sql.js';
import { ReadReplica, readRoutingPlugin, routeReads } from './platform/database/read-replica.js';
import { Role } from './platform/auth/roles.js';
import { acrossTenants, entityManagerFor } from './platform/database/tenant-scope.js';
import type { Actor } from './platform/auth/actor.js';
import { systemClock, type Clock } from './platform/clock.js';
import { initOrm } from './database.js';
import { createLocalPubSub, EventListener, type LocalPubSub } from './platform/events/pubsub.js';
import { createErrorFormatter } from './platform/graphql/error-formatting.js';
import { admissionPlugin, admitSubscription, rateLimitedError } from './platform/graphql/admission.js';
import { legacyJsonStatusPlugin } from './platform/graphql/legacy-json-status.js';
import { armorProtection, PARSE_OPTIONS } from './platform/graphql/limits.js';
import { startWebSocketServer } from './websocket-server.js';
import { browserAccess, isAllowedOrigin, type AllowedOrigins } from './platform/browser-origins.js';
import { mountExplorer } from './platform/explorer.js';
import { ExportLinks, loadUrlSigningKey } from './platform/export-links.js';
import { mountExports } from './exports.js';
import { mountConsole } from './platform/ops-console.js';
import { ConcurrencyLimit, CostBuckets, DEFAULT_RATE_LIMITS, FailedAuthenticationThrottle, type RateLimitConfig } from './platform/rate-limits.js';
import { moduleLogger, type Logger } from './platform/logger.js';
import { accessLog, requestIdOf } from './platform/http/access-log.js';
import { Metrics } from './platform/metrics.js';
import { noteErrorCode, requestFacts } from './platform/http/request-facts.js';
import { requestFactsPlugin } from './platform/graphql/request-facts-plugin.js';
import { buildAppSchema } from './schema.js';

export interface AppOptions {
  databaseUrl: string;
  /** A streaming replica for ERP pulls, exports and reports, and how long a read waits for it (platform/database/read-replica.ts). */
  readDatabase?: { url: string; maxWaitMs: number };
  host: string;
  port: number;
  logger: Logger;
  clock?: Clock;
  bootstrapAdminToken?: string;
  isProduction?: boolean;
  spendSpike?: SpendSpikeRule;
  rateLimits?: RateLimitConfig;
  /** Express's `trust proxy` setting, for the client address behind a load balancer. */
  trustProxy?: string;
  /** Origins whose pages may call from a browser (platform/browser-origins.ts); none by default. */
  corsOrigins?: AllowedOrigins;
  /** Where clients reach this service, for absolute export links; the listening address by default. */
  publicUrl?: string;
  /** How long a signed export link opens; 900 s by default. */
  exportLinkTtlSeconds?: number;
  /** The bearer secret that opens /metrics; unset: /metrics is 404. */
  metricsToken?: string;
  /** How long gateway refusals stay on record (modules/usage/usage-denials.ts); 90 days by default. */
  usageDenialRetentionMs?: number;
  /** Webhook delivery settings that differ from DEFAULT_WEBHOOK_SETTINGS. */
  webhooks?: Partial<WebhookSettings>;
}

/** How often unpaid bills past their due date are marked OVERDUE. */
const OVERDUE_SWEEP_INTERVAL_MS = 60_000;
/** How often the months of usage ahead are made sure of (a server running for months keeps making them). */
const USAGE_PARTITION_SWEEP_INTERVAL_MS = 6 * 60 * 60_000;

export interface App {
  url: string;
  wsUrl: string;
  orm: MikroORM;
  stop(): Promise<void>;
}

const MAX_BODY = '5mb';

function unauthenticated(message = 'A valid access token is required: send "Authorization: Bearer <token>".'): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
}

/** The address a request came from, as Express sees it (TRUST_PROXY decides whether X-Forwarded-For counts). */
function clientAddress(request: express.Request): string {
  return request.ip ?? request.socket.remoteAddress ?? 'unknown';
}

/**
 * Bodies that never reach GraphQL (malformed JSON, too large, a wrong charset) answer JSON with
 * their 4xx status and no stack trace, in every NODE_ENV; anything else is ours, logged and masked.
 */
function bodyErrorHandler(logger: Logger): express.ErrorRequestHandler {
  return (error: unknown, request, response, _next) => {
    const { status = 500, type, message: ownMessage } = error as { status?: number; type?: string; message?: string };
    if (status >= 400 && status < 500) {
      const code = status === 413 ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST';
      noteErrorCode(requestFacts(request), code);
      const message =
        type === 'entity.too.large'
          ? `The request body is larger than ${MAX_BODY}.`
          : type === 'entity.parse.failed'
            ? 'The request body is not valid JSON.'
            : (ownMessage ?? 'Bad request.');
      response.status(status).json({ errors: [{ message, extensions: { code } }] });
      return;
    }
    noteErrorCode(requestFacts(request), 'INTERNAL_SERVER_ERROR');
    logger.error({ err: error }, 'request failed outside GraphQL');
    response.status(500).json({ errors: [{ message: 'Internal server error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
  };
}

/** Starts the API: GraphQL over HTTP and WebSocket on one port at /graphql, plus health probes. */
export async function startApp(options: AppOptions): Promise<App> {
  const { logger } = options;
  const clock = options.clock ?? systemClock;
  const orm = await initOrm(options.databaseUrl);
  const metrics = new Metrics();
  if (options.bootstrapAdminToken) await ensureBootstrapToken(acrossTenants(orm.em), options.bootstrapAdminToken);

  const pubSub: LocalPubSub = createLocalPubSub();
  const listener = new EventListener(options.databaseUrl, pubSub, moduleLogger(logger, 'events'), metrics);
  await listener.start();
  const accessTokens = new AccessTokenCache();
  const stopEvictions = accessTokens.listen(pubSub);
  const authorizationFacts = new AuthorizationFactsCache(listener);
  const stopFactsUpdates = authorizationFacts.listen(pubSub);

  const schema = await buildAppSchema();
  const settlementDependencies = { pool: await nativePool(orm.em), clock, logger: moduleLogger(logger, 'settlement') };
  metrics.watchDatabase(settlementDependencies.pool);
  const spendSpike = options.spendSpike ?? DEFAULT_SPEND_SPIKE_RULE;
  // A batch's spend reaches this process's usageAuthorize as soon as it commits; other processes' as the event arrives.
  const readReplica =
    options.readDatabase &&
    (await ReadReplica.open(
      await initOrm(options.readDatabase.url),
      settlementDependencies.pool,
      options.readDatabase,
      moduleLogger(logger, 'database'),
      metrics,
    ));
  const usageBatches = new UsageBatches(settlementDependencies.pool, clock, spendSpike, (event) => authorizationFacts.spendMoved(event));
  const usageReservations = new UsageReservations(settlementDependencies.pool, clock);
  const usageLogger = moduleLogger(logger, 'usage');
  const usageDenials = new UsageDenialLog(settlementDependencies.pool, clock, usageLogger, options.usageDenialRetentionMs ?? DEFAULT_USAGE_DENIAL_RETENTION_MS);
  await usageDenials.start();
  // A run that goes on in the background counts as its starter's write once it finishes.
  const settlements = new SettlementRunner(
    settlementDependencies,
    readReplica && ((run) => (run.createdByTokenId ? readReplica.noteWrite({ tokenId: run.createdByTokenId, role: Role.PLATFORM_ADMIN }) : Promise.resolve())),
  );
  let publicUrl = options.publicUrl ?? ''; // the listening address once known, unless configured
  const exportLinks = new ExportLinks(await loadUrlSigningKey(settlementDependencies.pool), () => publicUrl, options.exportLinkTtlSeconds ?? 900, clock);
  const webhooks = new WebhookDispatcher({
    ...settlementDependencies,
    logger: moduleLogger(logger, 'webhook'),
    metrics,
    pubSub,
    settings: { ...DEFAULT_WEBHOOK_SETTINGS, ...options.webhooks },
  });
  webhooks.start();
  const overdueSweep = setInterval(() => {
    markOverdueBills(settlementDependencies).catch((error: unknown) => settlementDependencies.logger.warn({ err: error }, 'marking overdue bills failed'));
  }, OVERDUE_SWEEP_INTERVAL_MS).unref();
  const makeUsagePartitions = () =>
    ensureUsagePartitions(settlementDependencies.pool, clock.now()).then(
      (months) => months.length > 0 && usageLogger.info({ months }, 'usage partitions created'),
      (error: unknown) => usageLogger.error({ err: error }, 'creating the usage partitions ahead failed'),
    );
  await makeUsagePartitions();
  const usagePartitionSweep = setInterval(makeUsagePartitions, USAGE_PARTITION_SWEEP_INTERVAL_MS).unref();

  const rateLimits = options.rateLimits ?? DEFAULT_RATE_LIMITS;
  const costBuckets = new CostBuckets(rateLimits);
  const failedAuthentications = new FailedAuthenticationThrottle(rateLimits.failedAuthentication);
  const renders = new ConcurrencyLimit({ perKey: rateLimits.renders.perToken, total: rateLimits.renders.perProcess });

  /**
   * The caller's context, from the bearer token, noted in the request's facts. A client address
   * that keeps failing authentication waits (429) before it may try another secret; tokens this
   * server already knows go on, so one client's bad token does not lock out the others behind the
   * same address.
   */
  async function contextFor(request: express.Request): Promise<RequestContext> {
    const facts = requestFacts(request);
    try {
      return requestContextOf(request, await authenticate(bearerSecret(request.headers.authorization), clientAddress(request)));
    } catch (error) {
      if (error instanceof GraphQLError) noteErrorCode(facts, error.extensions.code);
      throw error;
    }
  }

  async function authenticate(secret: string | undefined, address: string): Promise<Actor> {
    const wait = await failedAuthentications.waitFor(address);
    if (wait > 0 && !(secret && accessTokens.isKnown(secret)))
      throw rateLimitedError(`Too many failed authentications from this address. Retry after ${wait} s.`, wait);
    // A token lookup is SQL of its own on the pool: no tenant scope applies, nor is one known yet.
    const actor = secret ? await accessTokens.authenticate(orm.em, secret, clock.now()) : null;
    if (!actor) {
      const blocked = await failedAuthentications.fail(address);
      if (blocked > 0) throw rateLimitedError(`Too many failed authentications from this address. Retry after ${blocked} s.`, blocked);
      throw unauthenticated();
    }
    return actor;
  }

  /** An export's caller: a signed link's token (checked to be still active), or the bearer token. */
  async function exportContextFor(request: express.Request): Promise<RequestContext> {
    const query = new URL(request.originalUrl, 'http://localhost').searchParams;
    if (!ExportLinks.isSigned(query)) return contextFor(request);
    const verified = exportLinks.verify(request.path, query);
    if ('problem' in verified) throw new GraphQLError(verified.message, { extensions: { code: verified.problem, http: { status: 403 } } });
    const credential = await findActiveAccessTokenById(orm.em, verified.tokenId);
    if (!credential || isExpired(credential, clock.now()))
      throw unauthenticated('The access token this link was made for is revoked or expired. Ask the API for a new link.');
    return requestContextOf(request, credential.actor);
  }

  /** An HTTP request's context: its id, and its caller noted in its facts for the log and metrics. */
  function requestContextOf(request: express.Request, actor: Actor): RequestContext {
    Object.assign(requestFacts(request), { role: actor.role, tenantId: actor.tenantId });
    return contextOf(actor, requestIdOf(request));
  }

  /** A context for the actor: an HTTP request's id, or a WebSocket operation's new one. */
  function contextOf(actor: Actor, requestId: string = randomUUID()): RequestContext {
    return new RequestScope(() => entityManagerFor(orm.em, actor), {
      actor,
      requestId,
      clock,
      logger,
      pubSub,
      accessTokens,
      authorizationFacts,
      usageBatches,
      usageReservations,
      usageDenials,
      settlements,
      exportLinks,
      webhooks,
      metrics,
    });
  }

  const formatError = createErrorFormatter(moduleLogger(logger, 'graphql'));
  const app = express();
  app.disable('x-powered-by');
  app.use(accessLog(logger), metrics.middleware());
  if (options.trustProxy) app.set('trust proxy', options.trustProxy);
  const corsOrigins = options.corsOrigins ?? [];
  app.use(browserAccess(corsOrigins));
  const httpServer = http.createServer(app);

  const wsServer = startWebSocketServer({
    httpServer,
    schema,
    accessTokens,
    entityManager: () => orm.em.fork(),
    clock,
    logger: moduleLogger(logger, 'websocket'),
    contextOf,
    admit: (actor, request) => admitSubscription(schema, costBuckets, actor, request),
    failedAuthentications,
    metrics,
    afterMutation: readReplica && ((actor) => readReplica.noteWrite(actor)),
    acceptsOrigin: (request) => request.headers.origin === undefined || isAllowedOrigin(corsOrigins, request.headers.origin, request),
  });

  const protection = armorProtection();
  const apollo = new ApolloServer<RequestContext>({
    schema,
    introspection: true, // every operation needs a valid token, introspection included
    includeStacktraceInErrorResponses: false,
    parseOptions: PARSE_OPTIONS,
    formatError,
    validationRules: protection.validationRules,
    allowBatchedHttpRequests: false,
    stopOnTerminationSignals: false, // server.ts drains and stops everything in order
    plugins: [
      // graphql-armor ships CommonJS typings of Apollo's plugin type; the runtime shape is the same.
      ...(protection.plugins as unknown as ApolloServerPlugin<RequestContext>[]),
      admissionPlugin(schema, costBuckets),
      legacyJsonStatusPlugin(),
      requestFactsPlugin(),
      ...(readReplica ? [readRoutingPlugin(readReplica)] : []),
      // No answer is cacheable (every one is a caller's own money or directory; `no-store` is set on the route),
      // so Apollo's cache hints, a hook on every field resolved, are off.
      ApolloServerPluginCacheControlDisabled(),
      // Browsers opening /graphql get the explorer served from this server's own assets (platform/explorer.ts), not Apollo's CDN page.
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginDrainHttpServer({ httpServer }),
      {
        async serverWillStart() {
          return {
            async drainServer() {
              await wsServer.dispose();
            },
          };
        },
      },
    ],
  });
  await apollo.start();

  app.get('/healthz', (_request, response) => {
    response.json({ status: 'ok' });
  });
  app.get('/readyz', async (_request, response) => {
    try {
      await orm.em.fork().execute('select 1');
      response.json({ status: 'ready' });
    } catch (error) {
      logger.warn({ err: error }, 'readiness check failed');
      response.status(503).json({ status: 'database unreachable' });
    }
  });
  app.get('/metrics', metrics.endpoint(options.metricsToken));
  const routedExportContextFor = async (request: express.Request) => {
    const context = await exportContextFor(request);
    if (readReplica) await routeReads(readReplica, Object.assign(context, { requestFacts: requestFacts(request) }));
    return context;
  };
  mountExports(app, { contextFor: routedExportContextFor, costBuckets, renders, renderLimits: rateLimits.renders, logger: moduleLogger(logger, 'export') });
  mountExplorer(app);
  mountConsole(app);
  app.use(
    '/graphql',
    (_request, response, next) => {
      response.setHeader('cache-control', 'no-store');
      next();
    },
    express.json({ limit: MAX_BODY }),
    expressMiddleware(apollo, {
      context: async ({ req }) => Object.assign(await contextFor(req), { requestFacts: requestFacts(req) }),
    }),
  );
  app.use((request, response) => {
    noteErrorCode(requestFacts(request), 'NOT_FOUND');
    response.status(404).json({ errors: [{ message: `Nothing is served at ${request.method} ${request.path}.`, extensions: { code: 'NOT_FOUND' } }] });
  });
  app.use(bodyErrorHandler(moduleLogger(logger, 'http')));

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(options.port, options.host, resolve);
  });
  const { port } = httpServer.address() as AddressInfo;
  const displayHost = options.host === '0.0.0.0' ? '127.0.0.1' : options.host;
  publicUrl ||= `http://${displayHost}:${port}`;

  return {
    url: `http://${displayHost}:${port}/graphql`,
    wsUrl: `ws://${displayHost}:${port}/graphql`,
    orm,
    async stop() {
      logger.debug('stopping: draining HTTP and closing WebSockets');
      await apollo.stop(); // stops accepting, drains HTTP, closes WebSockets
      clearInterval(overdueSweep);
      clearInterval(usagePartitionSweep);
      await settlements.drain();
      await usageDenials.stop();
      logger.debug('stopping: webhook deliveries in flight');
      await webhooks.stop();
      logger.debug('stopping: event listener');
      await Promise.all([stopEvictions(), stopFactsUpdates()]);
      await listener.stop();
      logger.debug('stopping: database pool');
      await Promise.all([orm.close(), readReplica?.close()]);
    },
  };
}
