import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { AuthenticationError, AuthorizationError } from 'type-graphql';
import { DomainError } from '../errors.js';
import type { Logger } from '../logger.js';
import { UserInputErrors } from '../user-errors.js';

/** Codes a client may see as they are. Anything else is an unexpected failure and is masked. */
const PUBLIC_CODES = new Set([
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'BAD_USER_INPUT',
  'RATE_LIMITED',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'OPERATION_RESOLUTION_FAILURE',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

/** The one place where errors become what a client sees. */
export function createErrorFormatter(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const base = { locations: formatted.locations, path: formatted.path };
    if (original instanceof DomainError) {
      return {
        ...base,
        message: original.message,
        extensions: { code: original.code, ...(original.field ? { field: original.field } : {}) },
      };
    }
    // A query's argument refused by the same rules a mutation's input meets (validateInput): the
    // mutation answers them as userErrors, a query as BAD_USER_INPUT naming the field.
    if (original instanceof UserInputErrors) {
      const [first] = original.errors;
      return {
        ...base,
        message: original.errors.map((refusal) => refusal.message).join('; '),
        extensions: { code: 'BAD_USER_INPUT', reason: first.code, ...(first.field ? { field: first.field } : {}) },
      };
    }
    if (original instanceof AuthorizationError) {
      return { ...base, message: 'Your role does not allow this operation.', extensions: { code: 'FORBIDDEN' } };
    }
    if (original instanceof AuthenticationError) {
      return { ...base, message: formatted.message, extensions: { code: 'UNAUTHENTICATED' } };
    }
    // Apollo's own refusals of a request (a persisted query whose hash does not match, say) carry
    // a 4xx status and no code.
    const status = original instanceof GraphQLError ? (original.extensions.http as { status?: number } | undefined)?.status : undefined;
    if (original instanceof GraphQLError && original.extensions.code === undefined && status !== undefined && status >= 400 && status < 500) {
      return { ...base, message: original.message, extensions: { code: 'BAD_REQUEST' } };
    }
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && PUBLIC_CODES.has(code) && (original instanceof GraphQLError || !(original instanceof Error))) {
      // Over WebSocket nothing strips what Apollo keeps for the HTTP response.
      const { stacktrace: _stacktrace, http: _http, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions };
    }
    logger.error({ err: original, path: formatted.path }, 'unexpected error in GraphQL operation');
    return { ...base, message: 'Internal server error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  };
}
