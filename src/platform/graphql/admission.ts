import type { ApolloServerPlugin } from '@apollo/server';
import { getOperationAST, GraphQLError, parse, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import type { RequestContext } from '../../context.js';
import type { Actor } from '../auth/actor.js';
import type { Charge, CostBuckets, ThrottleStatus } from '../rate-limits.js';
import { inputViolationError, inputViolations } from './input-rules.js';
import { PARSE_OPTIONS, QUERY_LIMITS, requestedCost } from './limits.js';

/** `extensions.cost` of every response that ran: what it asked for, what it used, what is left. */
export interface CostExtension {
  requestedQueryCost: number;
  actualQueryCost: number | null;
  throttleStatus: ThrottleStatus;
}

/** One point a field returned, items of lists counted as returned: the requested cost's rule, applied to the answer. */
export function actualCost(data: unknown): number {
  if (Array.isArray(data)) return data.reduce<number>((sum, item) => sum + actualCost(item), 0);
  if (data === null || typeof data !== 'object') return 0;
  let cost = 0;
  for (const value of Object.values(data)) cost += 1 + actualCost(value);
  return cost;
}

export function rateLimitedError(message: string, retryAfterSeconds: number, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, {
    extensions: {
      code: 'RATE_LIMITED',
      retryAfterSeconds,
      ...extensions,
      http: { status: 429, headers: new Map([['retry-after', String(retryAfterSeconds)]]) },
    },
  });
}

function costLimitError(requested: number): GraphQLError {
  return new GraphQLError(`Query cost ${requested} exceeds the limit of ${QUERY_LIMITS.maxCost}. Ask for fewer items per page (first) or fewer nested lists.`, {
    extensions: { code: 'GRAPHQL_VALIDATION_FAILED', cost: requested, maxCost: QUERY_LIMITS.maxCost, http: { status: 400 } },
  });
}

function throttledError(requested: number, charge: Extract<Charge, { allowed: false }>): GraphQLError {
  return rateLimitedError(
    `This operation costs ${requested} points and ${charge.status.currentlyAvailable} are available; they refill at ${charge.status.restoreRate} a second. Retry after ${charge.retryAfterSeconds} s.`,
    charge.retryAfterSeconds,
    { cost: { requestedQueryCost: requested, actualQueryCost: null, throttleStatus: charge.status } satisfies CostExtension },
  );
}

/** graphql-js's own errors carry no code; over HTTP Apollo adds it. */
function withCode(error: GraphQLError, code: string): GraphQLError {
  return new GraphQLError(error.message, { nodes: error.nodes, source: error.source, positions: error.positions, extensions: { code } });
}

/**
 * A subscription over WebSocket passes the same admission when it starts: parse and validation
 * (with their codes), the input rule, the cost limit, and its cost taken once from the caller's
 * bucket. Errors to refuse it with, or undefined.
 */
export function admitSubscription(
  schema: GraphQLSchema,
  buckets: CostBuckets,
  actor: Actor,
  request: { query: string; operationName?: string | null; variables?: Record<string, unknown> | null },
): GraphQLError[] | undefined {
  let document: DocumentNode;
  try {
    document = parse(request.query, PARSE_OPTIONS);
  } catch (error) {
    return [withCode(error as GraphQLError, 'GRAPHQL_PARSE_FAILED')];
  }
  const invalid = validate(schema, document);
  if (invalid.length > 0) return invalid.map((error) => withCode(error, 'GRAPHQL_VALIDATION_FAILED'));
  const operation = getOperationAST(document, request.operationName);
  if (!operation) return undefined; // graphql-ws names the missing operation
  const variables = request.variables ?? {};
  const violations = inputViolations(schema, document, operation, variables);
  if (violations.length > 0) return violations.map(inputViolationError);
  const requested = requestedCost(schema, document, operation, variables);
  if (requested > QUERY_LIMITS.maxCost) return [costLimitError(requested)];
  const charge = buckets.take(actor, requested);
  return charge.allowed ? undefined : [throttledError(requested, charge)];
}

/**
 * What every operation passes before a resolver runs, in this order: the input rule
 * (input-rules.ts), the cost limit per operation, and the caller's cost bucket. The response then
 * carries `extensions.cost`, and the points the operation did not use go back to the bucket.
 */
export function admissionPlugin(schema: GraphQLSchema, buckets: CostBuckets): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      let cost: CostExtension | undefined;
      return {
        async didResolveOperation({ request, document, operation, contextValue }) {
          if (!operation) return; // Apollo refuses a request whose operation it cannot find
          const violations = inputViolations(schema, document, operation, request.variables);
          const unanswerable = violations.find((violation) => !violation.payloadOf);
          if (unanswerable) throw inputViolationError(unanswerable);
          if (violations.length > 0) contextValue.refusedInput = Map.groupBy(violations, (violation) => violation.payloadOf!);
          const requested = requestedCost(schema, document, operation, request.variables ?? {});
          if (requested > QUERY_LIMITS.maxCost) throw costLimitError(requested);
          const charge = buckets.take(contextValue.actor, requested);
          if (!charge.allowed) throw throttledError(requested, charge);
          cost = { requestedQueryCost: requested, actualQueryCost: null, throttleStatus: charge.status };
        },
        async willSendResponse({ response, contextValue }) {
          if (!cost || response.body.kind !== 'single') return;
          const actual = Math.min(cost.requestedQueryCost, actualCost(response.body.singleResult.data));
          const throttleStatus = buckets.give(contextValue.actor, cost.requestedQueryCost - actual);
          response.body.singleResult.extensions = {
            ...response.body.singleResult.extensions,
            cost: { requestedQueryCost: cost.requestedQueryCost, actualQueryCost: actual, throttleStatus } satisfies CostExtension,
          };
        },
      };
    },
  };
}
