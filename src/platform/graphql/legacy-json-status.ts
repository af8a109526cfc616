import type { ApolloServerPlugin } from '@apollo/server';

const GRAPHQL_RESPONSE_JSON = 'application/graphql-response+json';

/**
 * GraphQL over HTTP: a request refused before execution (parse, validation, variable coercion, the
 * input rule, the cost limit) is HTTP 400 for clients that accept application/graphql-response+json
 * or state no preference, and 200 for legacy clients that accept only application/json, which
 * read the errors from the body (the spec's SHOULD; graphql-http's audit checks it).
 */
export function legacyJsonStatusPlugin(): ApolloServerPlugin {
  return {
    async requestDidStart({ request }) {
      const accept = request.http?.headers.get('accept') ?? '';
      const isLegacy = accept.includes('application/json') && !accept.includes(GRAPHQL_RESPONSE_JSON);
      if (!isLegacy) return;
      return {
        async willSendResponse({ response }) {
          const body = response.body;
          if (response.http.status === 400 && body.kind === 'single' && body.singleResult.errors && !('data' in body.singleResult)) {
            response.http.status = 200;
          }
        },
      };
    },
  };
}
