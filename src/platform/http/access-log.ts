import { randomUUID } from 'node:crypto';
import type express from 'express';
import { moduleLogger, type Logger } from '../logger.js';
import { requestFacts } from './request-facts.js';

/** An X-Request-ID the server takes as the request's own; anything else gets a new id. */
const REQUEST_ID_PATTERN = /^[A-Za-z0-9._-]{1,100}$/;

/** Paths machines poll (health probes, Prometheus): their lines are debug, not info. */
const POLLED_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/** Query parameters whose values open something on their own: a signed export link's signature. */
const SECRET_PARAMETERS = ['signature'];

/** The request's id: the X-Request-ID it came with, if well formed, or a new one (set by accessLog). */
export function requestIdOf(request: express.Request): string {
  return requestFacts(request).requestId ?? randomUUID();
}

/**
 * The access log (module `http`): one JSON line a request when its response ends, with its id
 * (echoed in X-Request-ID), method, path, client address, status and duration, and what the
 * request's facts hold (request-facts.ts): the caller's role and tenant, the GraphQL operation's
 * name, type and root fields, where a routed read read (`readFrom`), and the codes of the errors answered. No header and no secret is
 * logged: a signed link's signature is written `[redacted]`. 5xx lines are errors, polled paths
 * debug, a response the client left before it ended says `"aborted": true`.
 *
 * Written here on pino rather than with pino-http: pino-http makes two child loggers a request,
 * which took 60 µs of CPU a request in a plain Express app on this machine kind, and the
 * gateway's usageAuthorize takes about 200 µs all told (bench (i)); this takes about 20.
 */
export function accessLog(logger: Logger): express.RequestHandler {
  const log = moduleLogger(logger, 'http');
  return (request, response, next) => {
    const given = request.headers['x-request-id'];
    const requestId = typeof given === 'string' && REQUEST_ID_PATTERN.test(given) ? given : randomUUID();
    const facts = requestFacts(request);
    facts.requestId = requestId;
    response.setHeader('x-request-id', requestId);
    const started = performance.now();
    response.once('close', () => {
      const path = request.originalUrl.split('?', 1)[0];
      const statusCode = response.statusCode;
      const level = statusCode >= 500 ? 'error' : POLLED_PATHS.has(path) ? 'debug' : 'info';
      if (!log.isLevelEnabled(level)) return;
      const { errorCodes, ...known } = facts;
      log[level](
        {
          ...known,
          req: { method: request.method, url: withoutSecrets(request.originalUrl), remoteAddress: request.ip },
          res: { statusCode },
          durationMs: Math.round((performance.now() - started) * 10) / 10,
          ...(errorCodes.length ? { errorCodes } : {}),
          ...(response.writableFinished ? {} : { aborted: true }),
        },
        `${request.method} ${path} ${statusCode}`,
      );
    });
    next();
  };
}

function withoutSecrets(url: string): string {
  const query = url.indexOf('?');
  if (query < 0) return url;
  const parameters = new URLSearchParams(url.slice(query + 1));
  for (const name of SECRET_PARAMETERS) if (parameters.has(name)) parameters.set(name, '[redacted]');
  return `${url.slice(0, query)}?${parameters.toString().replaceAll('%5Bredacted%5D', '[redacted]')}`;
}
