import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import { getComplexity, simpleEstimator, type ComplexityEstimator } from 'graphql-query-complexity';

/** Published in README: what a single operation may ask for. */
export const QUERY_LIMITS = { maxDepth: 10, maxAliases: 20, maxDirectives: 20, maxTokens: 5000, maxCost: 5000 } as const;

/**
 * Depth, aliases, directives and tokens are checked by graphql-armor during validation. Field
 * suggestions ("did you mean ...") are blocked so the schema cannot be probed unauthenticated.
 */
export function armorProtection() {
  return new ApolloArmor({
    maxDepth: { n: QUERY_LIMITS.maxDepth },
    maxAliases: { n: QUERY_LIMITS.maxAliases },
    maxDirectives: { n: QUERY_LIMITS.maxDirectives },
    maxTokens: { n: QUERY_LIMITS.maxTokens },
    costLimit: { enabled: false },
    blockFieldSuggestion: { enabled: true },
  }).protect();
}

/** A list field costs what one item costs times how many it may return (`first`, or `ids`). */
const listEstimator: ComplexityEstimator = ({ args, childComplexity }) => {
  if (typeof args.first === 'number') return 1 + childComplexity * args.first;
  if (Array.isArray(args.ids)) return 1 + childComplexity * args.ids.length;
  return undefined;
};

/** Refuses an operation whose estimated cost exceeds the limit, before any resolver runs. */
export function costLimitPlugin(schema: GraphQLSchema): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document }) {
          const cost = getComplexity({
            schema,
            query: document,
            variables: request.variables ?? {},
            operationName: request.operationName ?? undefined,
            estimators: [listEstimator, simpleEstimator({ defaultComplexity: 1 })],
          });
          if (cost > QUERY_LIMITS.maxCost) {
            throw new GraphQLError(
              `Query cost ${cost} exceeds the limit of ${QUERY_LIMITS.maxCost}. Ask for fewer items per page (first) or fewer nested lists.`,
              { extensions: { code: 'GRAPHQL_VALIDATION_FAILED', cost, maxCost: QUERY_LIMITS.maxCost, http: { status: 400 } } },
            );
          }
        },
      };
    },
  };
}
