import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { DocumentNode, GraphQLSchema } from 'graphql';
import { getComplexity, simpleEstimator, type ComplexityEstimator } from 'graphql-query-complexity';

/** Published in README: what a single operation may ask for. */
export const QUERY_LIMITS = { maxDepth: 10, maxAliases: 20, maxDirectives: 20, maxTokens: 5000, maxCost: 5000 } as const;

/**
 * The token limit is enforced by the parser itself, so an overlong document is a syntax error
 * (GRAPHQL_PARSE_FAILED, HTTP 400); graphql-armor's own token rule answers HTTP 500.
 */
export const PARSE_OPTIONS = { maxTokens: QUERY_LIMITS.maxTokens } as const;

/**
 * Depth, aliases and directives are checked by graphql-armor during validation. Field
 * suggestions ("did you mean ...") are blocked so the schema cannot be probed unauthenticated.
 */
export function armorProtection() {
  return new ApolloArmor({
    maxDepth: { n: QUERY_LIMITS.maxDepth },
    maxAliases: { n: QUERY_LIMITS.maxAliases },
    maxDirectives: { n: QUERY_LIMITS.maxDirectives },
    maxTokens: { enabled: false },
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

/**
 * What an operation may cost before it runs: one point a field, a list's items times its page
 * size. Call it with variables that coerce (the input rule checks them first).
 */
export function requestedCost(schema: GraphQLSchema, document: DocumentNode, operationName: string | undefined, variables: Record<string, unknown>): number {
  return getComplexity({
    schema,
    query: document,
    variables,
    operationName,
    estimators: [listEstimator, simpleEstimator({ defaultComplexity: 1 })],
  });
}
