import type http from 'node:http';
import cors from 'cors';
import type { RequestHandler } from 'express';

/**
 * The origins whose web pages may call the API from a browser (CORS_ORIGINS): exact origins
 * (`https://portal.example.com`, `http://localhost:5173`), or every origin (`*`). The server's own
 * pages (the explorer) are same-origin and need no entry.
 *
 * Credentials: the API authenticates by bearer token only and sets no cookie, so a page sends
 * `Authorization: Bearer <token>` itself (after a preflight) and `Access-Control-Allow-Credentials`
 * is never sent: a page on another origin cannot ride on anyone's session, and `credentials:
 * 'include'` is neither needed nor honoured.
 */
export type AllowedOrigins = readonly string[] | '*';

/** Request headers a page may send; response headers its script may read. */
const ALLOWED_HEADERS = ['authorization', 'content-type', 'x-request-id', 'apollo-require-preflight'];
const EXPOSED_HEADERS = ['retry-after', 'content-disposition', 'x-request-id'];
/** How long a browser may reuse a preflight's answer, in seconds. */
const PREFLIGHT_MAX_AGE = 600;

/** Whether a page of `origin` may call: a listed origin, any with `*`, or the server's own (same host). */
export function isAllowedOrigin(allowed: AllowedOrigins, origin: string, request: http.IncomingMessage): boolean {
  if (allowed === '*' || allowed.includes(origin)) return true;
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}

/**
 * CORS (the `cors` package): an allowed origin's preflight is answered (204, the methods and
 * headers above) and its answers carry `Access-Control-Allow-Origin`; a refused origin's preflight
 * gets 403 with the rule, so the reason shows in the browser's network panel, not only "Failed to
 * fetch". A refused origin's simple requests are answered without CORS headers: the browser keeps
 * the answer from the page.
 */
export function browserAccess(allowed: AllowedOrigins): RequestHandler[] {
  const listed = allowed === '*' ? [] : allowed;
  const refusePreflight: RequestHandler = (request, response, next) => {
    const origin = request.headers.origin;
    if (request.method !== 'OPTIONS' || !origin || !request.headers['access-control-request-method'] || isAllowedOrigin(allowed, origin, request)) {
      next();
      return;
    }
    response.status(403).json({
      error: {
        code: 'ORIGIN_NOT_ALLOWED',
        message: `Pages of ${origin} may not call this API: CORS_ORIGINS lists the origins that may (${listed.length ? listed.join(', ') : 'none'}).`,
      },
    });
  };
  const answer = cors({
    origin: allowed === '*' ? '*' : (origin, callback) => callback(null, origin !== undefined && listed.includes(origin)),
    methods: ['GET', 'POST'],
    allowedHeaders: ALLOWED_HEADERS,
    exposedHeaders: EXPOSED_HEADERS,
    maxAge: PREFLIGHT_MAX_AGE,
    credentials: false,
  });
  return [refusePreflight, answer];
}
