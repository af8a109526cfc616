import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import type { MikroORM } from '@mikro-orm/postgresql';
import express from 'express';
import { GraphQLError } from 'graphql';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { RequestContext } from './context.js';
import { AccessTokenCache } from './modules/access-token/access-token-cache.js';
import { DEFAULT_SPEND_SPIKE_RULE, type SpendSpikeRule } from './modules/alert/spend-spike.js';
import { ensureBootstrapToken } from './modules/access-token/access-token.service.js';
import { billCsv, billJson, billPdf, loadBillExport } from './modules/bill/bill-export.js';
import { invoiceJson, invoicePdf, invoiceXml, loadInvoiceExport } from './modules/invoice/invoice-export.js';
import { markOverdueBills } from './modules/bill/bill.service.js';
import { SettlementRunner } from './modules/bill/settlement.service.js';
import { createLoaders } from './modules/loaders.js';
import { MONEY_DOCUMENT_READERS } from './platform/auth/roles.js';
import { nativePool } from './platform/database/sql.js';
import { requireRole, type Actor } from './platform/auth/actor.js';
import { systemClock, type Clock } from './platform/clock.js';
import { initOrm } from './platform/database/orm.js';
import { ForbiddenError } from './platform/errors.js';
import { createLocalPubSub, EventListener, type LocalPubSub } from './platform/events.js';
import { createErrorFormatter } from './platform/graphql/error-formatting.js';
import { armorProtection, costLimitPlugin } from './platform/graphql/limits.js';
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

function bearerSecret(header: unknown): string | undefined {
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  return match?.[1];
}

function unauthenticated(): GraphQLError {
  return new GraphQLError('A valid access token is required: send "Authorization: Bearer <token>".', {
    extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
  });
}

/** Starts the API: GraphQL over HTTP and WebSocket on one port at /graphql, plus health probes. */
export async function startApp(options: AppOptions): Promise<App> {
  const { logger } = options;
  const clock = options.clock ?? systemClock;
  const orm = await initOrm(options.databaseUrl);
  if (options.bootstrapAdminToken) await ensureBootstrapToken(orm.em.fork(), options.bootstrapAdminToken);

  const pubSub: LocalPubSub = createLocalPubSub();
  const listener = new EventListener(options.databaseUrl, pubSub, logger);
  await listener.start();
  const accessTokens = new AccessTokenCache();
  const stopEvictions = accessTokens.listen(pubSub);

  const schema = await buildAppSchema();
  const settlementDependencies = { pool: await nativePool(orm.em), clock, logger };
  const settlements = new SettlementRunner(settlementDependencies);
  const overdueSweep = setInterval(() => {
    markOverdueBills(settlementDependencies).catch((error: unknown) => logger.warn({ err: error }, 'marking overdue bills failed'));
  }, OVERDUE_SWEEP_INTERVAL_MS).unref();

  async function contextFor(secret: string | undefined, requestId: string | undefined): Promise<RequestContext> {
    if (!secret) throw unauthenticated();
    const em = orm.em.fork();
    const actor = await accessTokens.authenticate(em, secret, clock.now());
    if (!actor) throw unauthenticated();
    return contextOf(actor, em, requestId);
  }

  function contextOf(actor: Actor, em = orm.em.fork(), requestId?: string): RequestContext {
    return {
      em,
      actor,
      requestId: requestId && REQUEST_ID_PATTERN.test(requestId) ? requestId : randomUUID(),
      clock,
      loaders: createLoaders(em),
      logger,
      pubSub,
      accessTokens,
      spendSpike: options.spendSpike ?? DEFAULT_SPEND_SPIKE_RULE,
      settlements,
    };
  }

  const formatError = createErrorFormatter(logger);
  const app = express();
  app.disable('x-powered-by');
  const httpServer = http.createServer(app);

  const wsServer = new WebSocketServer({ server: httpServer, path: '/graphql' });
  // The actor of each WebSocket operation, checked when it subscribes.
  const operationActors = new WeakMap<object, Map<string, Actor>>();
  const wsCleanup = useServer<{ authorization?: unknown }>(
    {
      schema,
      // At connect: no or bad token closes the socket with 4401 before any operation.
      onConnect: async (connection) => {
        const secret = bearerSecret(connection.connectionParams?.authorization);
        const actor = secret ? await accessTokens.authenticate(orm.em.fork(), secret, clock.now()) : null;
        if (!actor) {
          connection.extra.socket.close(CloseCode.Unauthorized, 'Unauthorized');
          return false;
        }
        operationActors.set(connection, new Map());
        return true;
      },
      // Per subscribe: the token is checked again, so a revoked token stops opening subscriptions at once.
      onSubscribe: async (connection, id) => {
        const secret = bearerSecret(connection.connectionParams?.authorization);
        const actor = secret ? await accessTokens.authenticate(orm.em.fork(), secret, clock.now()) : null;
        if (!actor) return [unauthenticated()];
        operationActors.get(connection)?.set(id, actor);
        return undefined;
      },
      onComplete: (connection, id) => {
        operationActors.get(connection)?.delete(id);
      },
      context: (connection, id) => contextOf(operationActors.get(connection)!.get(id)!),
      // Errors over WebSocket get the same codes and masking as over HTTP.
      onNext: (_connection, _id, _payload, _args, result) =>
        result.errors ? { ...result, errors: result.errors.map((error) => formatError(error.toJSON(), error)) } : result,
      onError: (_connection, _id, _payload, errors) => errors.map((error) => formatError(error.toJSON(), error)),
    },
    wsServer,
  );

  const protection = armorProtection();
  const apollo = new ApolloServer<RequestContext>({
    schema,
    introspection: true, // every operation needs a valid token, introspection included
    includeStacktraceInErrorResponses: false,
    formatError,
    validationRules: protection.validationRules,
    allowBatchedHttpRequests: false,
    stopOnTerminationSignals: false, // server.ts drains and stops everything in order
    plugins: [
      // graphql-armor ships CommonJS typings of Apollo's plugin type; the runtime shape is the same.
      ...(protection.plugins as unknown as ApolloServerPlugin<RequestContext>[]),
      costLimitPlugin(schema),
      ApolloServerPluginDrainHttpServer({ httpServer }),
      {
        async serverWillStart() {
          return {
            async drainServer() {
              await wsCleanup.dispose();
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
      try {
        const context = await contextFor(bearerSecret(request.headers.authorization), request.header('x-request-id'));
        requireRole(context.actor, MONEY_DOCUMENT_READERS);
        const data = await load(context, id);
        if (!data) {
          response.status(404).json({ error: { code: 'NOT_FOUND', message: `No ${typeName} with id "${id}".` } });
          return;
        }
        const { contentType, body } = render[format];
        const content = await body(data);
        response.setHeader('Content-Disposition', `attachment; filename="${fileName(data, format)}"`);
        response.type(contentType).send(Buffer.isBuffer(content) || typeof content === 'string' ? content : JSON.stringify(content));
      } catch (error) {
        if (error instanceof GraphQLError && error.extensions.code === 'UNAUTHENTICATED') {
          response.status(401).json({ error: { code: 'UNAUTHENTICATED', message: error.message } });
          return;
        }
        if (error instanceof ForbiddenError) {
          response.status(403).json({ error: { code: error.code, message: error.message } });
          return;
        }
        logger.error({ err: error, id }, `${typeName} export failed`);
        response.status(500).json({ error: { code: 'INTERNAL_SERVER_ERROR', message: 'The export failed.' } });
      }
    });
  }
  exportRoute(/^\/exports\/bills\/(bil_[0-9A-Z]{26})\.(csv|json|pdf)$/, 'Bill', loadBillExport, (data, format) => `bill-${data.bill.number ?? data.bill.id}.${format}`, {
    csv: { contentType: 'text/csv; charset=utf-8', body: billCsv },
    json: { contentType: 'application/json; charset=utf-8', body: billJson },
    pdf: { contentType: 'application/pdf', body: billPdf },
  });
  exportRoute(/^\/exports\/invoices\/(inv_[0-9A-Z]{26})\.(pdf|json|xml)$/, 'VatInvoice', loadInvoiceExport, (data, format) => `fapiao-${data.invoice.number}.${format}`, {
    pdf: { contentType: 'application/pdf', body: invoicePdf },
    json: { contentType: 'application/json; charset=utf-8', body: invoiceJson },
    xml: { contentType: 'application/xml; charset=utf-8', body: invoiceXml },
  });
  app.use(
    '/graphql',
    express.json({ limit: MAX_BODY }),
    expressMiddleware(apollo, {
      context: async ({ req }) => contextFor(bearerSecret(req.headers.authorization), req.header('x-request-id')),
    }),
  );

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
      await stopEvictions();
      await listener.stop();
      logger.debug('stopping: database pool');
      await orm.close();
    },
  };
}
