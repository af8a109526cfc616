import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { DocumentNode, GraphQLSchema, OperationDefinitionNode } from 'graphql';
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
 * Costs of operations that take no variables, by document (Apollo reuses a document object for a
 * repeated query): a client retrying a refused heavy query must not cost a walk of it each time.
 */
const costsOfDocuments = new WeakMap<DocumentNode, Map<string, number>>();

/**
 * What an operation may cost before it runs: one point a field, a list's items times its page
 * size. Call it with variables that coerce (the input rule checks them first).
 */
export function requestedCost(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown>): number {
  const operationName = operation.name?.value;
  const compute = () =>
    getComplexity({ schema, query: document, variables, operationName, estimators: [listEstimator, simpleEstimator({ defaultComplexity: 1 })] });
  if (operation.variableDefinitions?.length) return compute();
  let costs = costsOfDocuments.get(document);
  if (!costs) costsOfDocuments.set(document, (costs = new Map()));
  let cost = costs.get(operationName ?? '');
  if (cost === undefined) costs.set(operationName ?? '', (cost = compute()));
  return cost;
}
