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
import { AccessTokenCache } from './modules/access-token/access-token-cache.js';
import { DEFAULT_SPEND_SPIKE_RULE, type SpendSpikeRule } from './modules/alert/spend-spike.js';
import { ensureBootstrapToken } from './modules/access-token/access-token.service.js';
import { billCsv, billJson, billPdf, loadBillExport } from './modules/bill/bill-export.js';
import { invoiceJson, invoicePdf, invoiceXml, loadInvoiceExport } from './modules/invoice/invoice-export.js';
import { markOverdueBills } from './modules/bill/bill.service.js';
import { SettlementRunner } from './modules/bill/settlement.service.js';
import { AuthorizationFactsCache } from './modules/usage/authorization-facts-cache.js';
import { UsageBatches } from './modules/usage/usage-batches.js';
import { UsageReservations } from './modules/usage/usage-reservations.js';
import { bearerSecret } from './platform/auth/bearer.js';
import { MONEY_DOCUMENT_READERS } from './platform/auth/roles.js';
import { nativePool } from './platform/database/sql.js';
import { acrossTenants, entityManagerFor } from './platform/database/tenant-scope.js';
import { requireRole, type Actor } from './platform/auth/actor.js';
import { systemClock, type Clock } from './platform/clock.js';
import { initOrm } from './database.js';
import { ForbiddenError } from './platform/errors.js';
import { createLocalPubSub, EventListener, type LocalPubSub } from './platform/events.js';
import { createErrorFormatter } from './platform/graphql/error-formatting.js';
import { admissionPlugin, admitSubscription, rateLimitedError } from './platform/graphql/admission.js';
import { legacyJsonStatusPlugin } from './platform/graphql/legacy-json-status.js';
import { armorProtection, PARSE_OPTIONS } from './platform/graphql/limits.js';
import { startWebSocketServer } from './websocket-server.js';
import { browserAccess, isAllowedOrigin, type AllowedOrigins } from './platform/browser-origins.js';
import { mountExplorer } from './platform/explorer.js';
import { mountConsole } from './platform/ops-console.js';
import { ConcurrencyLimit, CostBuckets, DEFAULT_RATE_LIMITS, FailedAuthenticationThrottle, type RateLimitConfig } from './platform/rate-limits.js';
import type { Logger } from './platform/logger.js';
import { buildAppSchema } from './schema.js';

export interface AppOptions {
  databaseUrl: string;
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
}

/** How often unpaid bills past their due date are marked OVERDUE. */
const OVERDUE_SWEEP_INTERVAL_MS = 60_000;

export interface App {
  url: string;
  wsUrl: string;
  orm: MikroORM;
  stop(): Promise<void>;
}

const REQUEST_ID_PATTERN = /^[A-Za-z0-9._-]{1,100}$/;
const MAX_BODY = '5mb';
/** Points an export takes from the caller's bucket: a PDF render is worth a large query, a data file a small one. */
const EXPORT_COST = { document: 500, data: 50 } as const;

function unauthenticated(): GraphQLError {
  return new GraphQLError('A valid access token is required: send "Authorization: Bearer <token>".', {
    extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
  });
}

/** The address a request came from, as Express sees it (TRUST_PROXY decides whether X-Forwarded-For counts). */
function clientAddress(request: express.Request): string {
  return request.ip ?? request.socket.remoteAddress ?? 'unknown';
}

/** An error outside GraphQL as the same JSON body every route answers with, with its status and Retry-After. */
function sendHttpError(response: express.Response, error: GraphQLError): void {
  const http = error.extensions.http as { status: number; headers?: Map<string, string> } | undefined;
  for (const [name, value] of http?.headers ?? []) response.setHeader(name, value);
  const status = error.extensions.code === 'UNAUTHENTICATED' ? 401 : (http?.status ?? 400);
  response.status(status).json({ error: { code: error.extensions.code, message: error.message } });
}

/**
 * Bodies that never reach GraphQL (malformed JSON, too large, a wrong charset) answer JSON with
 * their 4xx status and no stack trace, in every NODE_ENV; anything else is ours, logged and masked.
 */
function bodyErrorHandler(logger: Logger): express.ErrorRequestHandler {
  return (error: unknown, _request, response, _next) => {
    const { status = 500, type, message: ownMessage } = error as { status?: number; type?: string; message?: string };
    if (status >= 400 && status < 500) {
      const message =
        type === 'entity.too.large'
          ? `The request body is larger than ${MAX_BODY}.`
          : type === 'entity.parse.failed'
            ? 'The request body is not valid JSON.'
            : (ownMessage ?? 'Bad request.');
      response.status(status).json({ errors: [{ message, extensions: { code: status === 413 ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST' } }] });
      return;
    }
    logger.error({ err: error }, 'request failed outside GraphQL');
    response.status(500).json({ errors: [{ message: 'Internal server error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
  };
}

/** Starts the API: GraphQL over HTTP and WebSocket on one port at /graphql, plus health probes. */
export async function startApp(options: AppOptions): Promise<App> {
  const { logger } = options;
  const clock = options.clock ?? systemClock;
  const orm = await initOrm(options.databaseUrl);
  if (options.bootstrapAdminToken) await ensureBootstrapToken(acrossTenants(orm.em), options.bootstrapAdminToken);

  const pubSub: LocalPubSub = createLocalPubSub();
  const listener = new EventListener(options.databaseUrl, pubSub, logger);
  await listener.start();
  const accessTokens = new AccessTokenCache();
  const stopEvictions = accessTokens.listen(pubSub);
  const authorizationFacts = new AuthorizationFactsCache(listener);
  const stopFactsUpdates = authorizationFacts.listen(pubSub);

  const schema = await buildAppSchema();
  const settlementDependencies = { pool: await nativePool(orm.em), clock, logger };
  const spendSpike = options.spendSpike ?? DEFAULT_SPEND_SPIKE_RULE;
  // A batch's spend reaches this process's usageAuthorize as soon as it commits; other processes' as the event arrives.
  const usageBatches = new UsageBatches(settlementDependencies.pool, clock, spendSpike, (event) => authorizationFacts.spendMoved(event));
  const usageReservations = new UsageReservations(settlementDependencies.pool, clock);
  const settlements = new SettlementRunner(settlementDependencies);
  const overdueSweep = setInterval(() => {
    markOverdueBills(settlementDependencies).catch((error: unknown) => logger.warn({ err: error }, 'marking overdue bills failed'));
  }, OVERDUE_SWEEP_INTERVAL_MS).unref();

  const rateLimits = options.rateLimits ?? DEFAULT_RATE_LIMITS;
  const costBuckets = new CostBuckets(rateLimits);
  const failedAuthentications = new FailedAuthenticationThrottle(rateLimits.failedAuthentication);
  const renders = new ConcurrencyLimit({ perKey: rateLimits.renders.perToken, total: rateLimits.renders.perProcess });

  /**
   * The caller's context. A client address that keeps failing authentication waits (429) before it
   * may try another secret; tokens this server already knows go on, so one client's bad token
   * does not lock out the others behind the same address.
   */
  async function contextFor(secret: string | undefined, requestId: string | undefined, address: string): Promise<RequestContext> {
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
    return contextOf(actor, requestId);
  }

  function contextOf(actor: Actor, requestId?: string): RequestContext {
    return new RequestScope(() => entityManagerFor(orm.em, actor), {
      actor,
      requestId: requestId && REQUEST_ID_PATTERN.test(requestId) ? requestId : randomUUID(),
      clock,
      logger,
      pubSub,
      accessTokens,
      authorizationFacts,
      usageBatches,
      usageReservations,
      settlements,
    });
  }

  const formatError = createErrorFormatter(logger);
  const app = express();
  app.disable('x-powered-by');
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
    logger,
    contextOf,
    admit: (actor, request) => admitSubscription(schema, costBuckets, actor, request),
    failedAuthentications,
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
  /** A download for ERP and people: same bearer token and visibility as the object's query; 404 for what the caller cannot see, 403 for a role that reads no money documents. */
  function exportRoute<Data>(
    pattern: RegExp,
    typeName: string,
    load: (context: RequestContext, id: string) => Promise<Data | null>,
    fileName: (data: Data, format: string) => string,
    render: Record<string, { contentType: string; body: (data: Data) => string | Buffer | Record<string, unknown> | Promise<Buffer> }>,
  ): void {
    app.get(pattern, async (request, response) => {
      const [id, format] = [request.params[0], request.params[1]] as [string, string];
      let release: (() => void) | undefined;
      try {
        const context = await contextFor(bearerSecret(request.headers.authorization), request.header('x-request-id'), clientAddress(request));
        requireRole(context.actor, MONEY_DOCUMENT_READERS);
        const { contentType, body } = render[format];
        const cost = contentType === 'application/pdf' ? EXPORT_COST.document : EXPORT_COST.data;
        const charge = costBuckets.take(context.actor, cost);
        if (!charge.allowed)
          throw rateLimitedError(
            `This export costs ${cost} points and ${charge.status.currentlyAvailable} are available. Retry after ${charge.retryAfterSeconds} s.`,
            charge.retryAfterSeconds,
          );
        release = renders.tryAcquire(context.actor.tokenId);
        if (!release)
          throw rateLimitedError(
            `At most ${rateLimits.renders.perToken} exports per token run at once, and ${rateLimits.renders.perProcess} per server. Retry after 1 s.`,
            1,
          );
        const data = await load(context, id);
        if (!data) {
          response.status(404).json({ error: { code: 'NOT_FOUND', message: `No ${typeName} with id "${id}".` } });
          return;
        }
        const content = await body(data);
        response.setHeader('Content-Disposition', `attachment; filename="${fileName(data, format)}"`);
        response.type(contentType).send(Buffer.isBuffer(content) || typeof content === 'string' ? content : JSON.stringify(content));
      } catch (error) {
        if (error instanceof GraphQLError && (error.extensions.code === 'UNAUTHENTICATED' || error.extensions.code === 'RATE_LIMITED')) {
          sendHttpError(response, error);
          return;
        }
        if (error instanceof ForbiddenError) {
          response.status(403).json({ error: { code: error.code, message: error.message } });
          return;
        }
        logger.error({ err: error, id }, `${typeName} export failed`);
        response.status(500).json({ error: { code: 'INTERNAL_SERVER_ERROR', message: 'The export failed.' } });
      } finally {
        release?.();
      }
    });
  }
  exportRoute(
    /^\/exports\/bills\/(bil_[0-9A-Z]{26})\.(csv|json|pdf)$/,
    'Bill',
    loadBillExport,
    (data, format) => `bill-${data.bill.number ?? data.bill.id}.${format}`,
    {
      csv: { contentType: 'text/csv; charset=utf-8', body: billCsv },
      json: { contentType: 'application/json; charset=utf-8', body: billJson },
      pdf: { contentType: 'application/pdf', body: billPdf },
    },
  );
  exportRoute(
    /^\/exports\/invoices\/(inv_[0-9A-Z]{26})\.(pdf|json|xml)$/,
    'VatInvoice',
    loadInvoiceExport,
    (data, format) => `fapiao-${data.invoice.number}.${format}`,
    {
      pdf: { contentType: 'application/pdf', body: invoicePdf },
      json: { contentType: 'application/json; charset=utf-8', body: invoiceJson },
      xml: { contentType: 'application/xml; charset=utf-8', body: invoiceXml },
    },
  );
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
      context: async ({ req }) => contextFor(bearerSecret(req.headers.authorization), req.header('x-request-id'), clientAddress(req)),
    }),
  );
  app.use((request, response) => {
    response.status(404).json({ errors: [{ message: `Nothing is served at ${request.method} ${request.path}.`, extensions: { code: 'NOT_FOUND' } }] });
  });
  app.use(bodyErrorHandler(logger));

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(options.port, options.host, resolve);
  });
  const { port } = httpServer.address() as AddressInfo;
  const displayHost = options.host === '0.0.0.0' ? '127.0.0.1' : options.host;

  return {
    url: `http://${displayHost}:${port}/graphql`,
    wsUrl: `ws://${displayHost}:${port}/graphql`,
    orm,
    async stop() {
      logger.debug('stopping: draining HTTP and closing WebSockets');
      await apollo.stop(); // stops accepting, drains HTTP, closes WebSockets
      clearInterval(overdueSweep);
      await settlements.drain();
      logger.debug('stopping: event listener');
      await Promise.all([stopEvictions(), stopFactsUpdates()]);
      await listener.stop();
      logger.debug('stopping: database pool');
      await orm.close();
    },
  };
}
