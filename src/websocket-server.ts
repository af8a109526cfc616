import type http from 'node:http';
import type { EntityManager } from '@mikro-orm/postgresql';
import { getOperationAST, GraphQLError, type GraphQLSchema } from 'graphql';
import { CloseCode, type SubscribePayload } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { RequestContext } from './context.js';
import { isExpired, type AccessTokenCache } from './modules/access-token/access-token-cache.js';
import { AccessTokenSessions, sessionRefusal } from './modules/access-token/access-token-sessions.js';
import type { Actor } from './platform/auth/actor.js';
import { bearerSecret } from './platform/auth/bearer.js';
import type { Clock } from './platform/clock.js';
import type { Logger } from './platform/logger.js';
import type { Metrics } from './platform/metrics.js';
import type { FailedAuthenticationThrottle } from './platform/rate-limits.js';
import { createErrorFormatter } from './platform/graphql/error-formatting.js';
import { sharedSubscriptions } from './platform/graphql/shared-subscriptions.js';

/** Subscriptions that are pure event streams (they send no starting state), so equal ones may share an execution. */
const SHARED_SUBSCRIPTIONS = ['spendUpdated', 'alertRaised'];

export interface WebSocketServerOptions {
  httpServer: http.Server;
  schema: GraphQLSchema;
  accessTokens: AccessTokenCache;
  entityManager: () => EntityManager;
  clock: Clock;
  logger: Logger;
  /** The context of one operation of this actor. */
  contextOf: (actor: Actor) => RequestContext;
  /** Refusals of a subscription before it starts (admission.ts), or undefined. */
  admit: (actor: Actor, request: SubscribePayload) => GraphQLError[] | undefined;
  failedAuthentications: FailedAuthenticationThrottle;
  /** Shows open connections and subscriptions (platform/metrics.ts). */
  metrics: Metrics;
  /** Whether a page of the upgrade request's origin may connect (browser-origins.ts); a refused one gets HTTP 403. */
  acceptsOrigin: (request: http.IncomingMessage) => boolean;
  /** Called when a mutation over the socket has run, before its result is sent (read-your-writes, database/read-replica.ts). */
  afterMutation?: (actor: Actor) => Promise<void>;
}

/** The `authorization` connection parameter, in any case: GraphiQL-based explorers send their headers pane as the parameters (`Authorization`). */
function authorizationParameter(parameters: Record<string, unknown> | undefined): unknown {
  const name = Object.keys(parameters ?? {}).find((key) => key.toLowerCase() === 'authorization');
  return name === undefined ? undefined : parameters![name];
}

/** A client address that keeps failing authentication is closed with this code until it may try again. */
const TOO_MANY_FAILED_AUTHENTICATIONS = 4429;

/** What a connection carries from connect on: the token's secret, the actor it was opened as, its release. */
type Connection = {
  session: { secret: string; actor: Actor; release: () => void };
  /** Ids of its running subscriptions. */
  subscriptions: Set<string>;
};

/**
 * GraphQL over WebSocket (graphql-ws) at /graphql on the HTTP server's port. A connection lives
 * exactly as long as its token is good for one: a missing, unknown or expired token closes it at
 * connect with 4401; a token that is, or becomes, revoked, expired, changed or of a tenant that is
 * not ACTIVE closes it with 4403 and the reason (AccessTokenSessions), on every server.
 */
export function startWebSocketServer(options: WebSocketServerOptions): { dispose(): Promise<void> } {
  const { accessTokens, clock } = options;
  const formatError = createErrorFormatter(options.logger);
  const sessions = new AccessTokenSessions(accessTokens, options.entityManager, clock, options.logger);
  const stopSessions = sessions.start();

  // Authenticated connections, for the metrics of open connections and subscriptions.
  const open = new Set<Partial<Connection>>();
  options.metrics.watchSubscriptions(() => ({
    connections: open.size,
    subscriptions: [...open].reduce((count, connection) => count + (connection.subscriptions?.size ?? 0), 0),
  }));
  const wsServer = new WebSocketServer({
    server: options.httpServer,
    path: '/graphql',
    verifyClient: ({ req }, accept) => (options.acceptsOrigin(req) ? accept(true) : accept(false, 403, 'Origin not allowed: see CORS_ORIGINS')),
  });
  const wsCleanup = useServer<Record<string, unknown>, Connection>(
    {
      schema: options.schema,
      // Live spend and alerts are what many screens watch at once: equal ones share an execution.
      subscribe: sharedSubscriptions(SHARED_SUBSCRIPTIONS, options.metrics),
      onConnect: async (connection) => {
        const { socket, request } = connection.extra;
        const address = request.socket.remoteAddress ?? 'unknown';
        const secret = bearerSecret(authorizationParameter(connection.connectionParams));
        const wait = await options.failedAuthentications.waitFor(address);
        if (wait > 0 && !(secret && accessTokens.isKnown(secret))) {
          socket.close(TOO_MANY_FAILED_AUTHENTICATIONS, `Too many failed authentications; retry after ${wait} s`);
          return false;
        }
        const credential = secret ? await accessTokens.lookup(options.entityManager(), secret) : null;
        if (!secret || !credential || isExpired(credential, clock.now())) {
          await options.failedAuthentications.fail(address);
          socket.close(CloseCode.Unauthorized, 'Unauthorized');
          return false;
        }
        const refusal = sessionRefusal(credential, clock.now(), credential.actor);
        if (refusal) {
          socket.close(CloseCode.Forbidden, refusal);
          return false;
        }
        // The client may have gone during the lookup; onClose has then run already.
        if (socket.readyState !== socket.OPEN) return false;
        const release = sessions.hold(secret, credential, (reason) => socket.close(CloseCode.Forbidden, reason));
        connection.extra.session = { secret, actor: credential.actor, release };
        connection.extra.subscriptions = new Set();
        open.add(connection.extra);
        return true;
      },
      // Per subscribe, the token is checked again, as per request over HTTP.
      onSubscribe: async (connection, _id, payload) => {
        const { secret, actor } = connection.extra.session!;
        const refusal = sessionRefusal(await accessTokens.lookup(options.entityManager(), secret), clock.now(), actor);
        if (!refusal) return options.admit(actor, payload);
        connection.extra.socket.close(CloseCode.Forbidden, refusal);
        return [new GraphQLError(refusal, { extensions: { code: 'FORBIDDEN' } })];
      },
      // A subscription runs from its first result until it completes or its connection closes.
      onOperation: async (connection, id, _payload, args, result) => {
        if (Symbol.asyncIterator in result) connection.extra.subscriptions?.add(id);
        else if (options.afterMutation && getOperationAST(args.document, args.operationName)?.operation === 'mutation')
          await options.afterMutation(connection.extra.session!.actor);
      },
      onComplete: (connection, id) => {
        connection.extra.subscriptions?.delete(id);
      },
      onClose: (connection) => {
        open.delete(connection.extra);
        connection.extra.session?.release();
      },
      context: (connection) => options.contextOf(connection.extra.session!.actor),
      // Errors over WebSocket get the same codes and masking as over HTTP.
      onNext: (_connection, _id, _payload, _args, result) =>
        result.errors ? { ...result, errors: result.errors.map((error) => formatError(error.toJSON(), error)) } : result,
      onError: (_connection, _id, _payload, errors) => errors.map((error) => formatError(error.toJSON(), error)),
    },
    wsServer,
  );

  return {
    async dispose() {
      await wsCleanup.dispose();
      stopSessions();
    },
  };
}
