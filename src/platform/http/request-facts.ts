import type { IncomingMessage } from 'node:http';
import type { Role } from '../auth/roles.js';

/**
 * What the server learns about an HTTP request while it handles it, for the request's access-log
 * line (access-log.ts) and its metrics (platform/metrics.ts): who called, which GraphQL operation,
 * and the codes of the errors it answered.
 */
export interface RequestFacts {
  /** X-Request-ID's, if well formed, or a new one: in the response, the log line and the GraphQL context. */
  requestId?: string;
  role?: Role;
  /** The caller's tenant; null for a platform-wide credential. */
  tenantId?: string | null;
  /** The operation's name as the client sent it. */
  operationName?: string;
  operationType?: 'query' | 'mutation' | 'subscription';
  /** The root fields it selected, in order: what the schema, not the client, names. */
  rootFields?: string[];
  /** Where an ERP pull, export or report read, with a read replica configured (database/read-replica.ts). */
  readFrom?: ReadRoute;
  errorCodes: string[];
}

/** Which database answered an ERP pull, export or report with a read replica configured, and why (database/read-replica.ts). */
export type ReadRoute = 'replica' | 'primary_lagging' | 'primary_unreachable';

const factsByRequest = new WeakMap<IncomingMessage, RequestFacts>();

export function requestFacts(request: IncomingMessage): RequestFacts {
  let facts = factsByRequest.get(request);
  if (!facts) factsByRequest.set(request, (facts = { errorCodes: [] }));
  return facts;
}

/** Notes the code of an error the request is answered with (once each). */
export function noteErrorCode(facts: RequestFacts, code: unknown): void {
  const text = typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR';
  if (!facts.errorCodes.includes(text)) facts.errorCodes.push(text);
}
