import { ApolloArmor } from '@escape.tech/graphql-armor';
import { visit, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { getComplexity, simpleEstimator, type ComplexityEstimator } from 'graphql-query-complexity';
import { DEFAULT_PAGE_SIZE } from './page-size.js';

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

/** A list field costs what one item costs times how many it may return (`first` or `last`, a connection's default page, or `ids`). */
const listEstimator: ComplexityEstimator = ({ args, field, childComplexity }) => {
  if (typeof args.first === 'number') return 1 + childComplexity * args.first;
  if (typeof args.last === 'number') return 1 + childComplexity * args.last;
  if (Array.isArray(args.ids)) return 1 + childComplexity * args.ids.length;
  if (field.args.some((argument) => argument.name === 'first')) return 1 + childComplexity * DEFAULT_PAGE_SIZE;
  return undefined;
};

/** Arguments the cost reads: page sizes and id lists (listEstimator), and @include/@skip conditions. */
const COST_ARGUMENTS = new Set(['first', 'last', 'ids', 'if']);

/** The variables an operation's cost depends on: those given to an argument the cost reads, anywhere in the document. */
function costVariables(document: DocumentNode): string[] {
  const names = new Set<string>();
  visit(document, {
    Argument(argument) {
      if (!COST_ARGUMENTS.has(argument.name.value)) return false;
      visit(argument.value, { Variable: (variable) => void names.add(variable.name.value) });
      return false;
    },
  });
  return [...names];
}

interface DocumentCosts {
  variables: string[];
  /** By operation name and the values of `variables`. */
  costs: Map<string, number>;
}

/** Costs kept per document (Apollo reuses a document object for a repeated query): the gateway's calls cost a lookup, not a walk. */
const costsOfDocuments = new WeakMap<DocumentNode, DocumentCosts>();
/** Distinct page sizes and conditions kept per document; beyond this, costs are computed each time. */
const MAX_COSTS_PER_DOCUMENT = 100;

/**
 * What an operation may cost before it runs: one point a field, a list's items times its page
 * size. Call it with variables that coerce (the input rule checks them first).
 */
export function requestedCost(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown>): number {
  const operationName = operation.name?.value;
  let known = costsOfDocuments.get(document);
  if (!known) costsOfDocuments.set(document, (known = { variables: costVariables(document), costs: new Map() }));
  const key = JSON.stringify([operationName ?? null, ...known.variables.map((name) => variables[name] ?? null)]);
  let cost = known.costs.get(key);
  if (cost === undefined) {
    cost = getComplexity({ schema, query: document, variables, operationName, estimators: [listEstimator, simpleEstimator({ defaultComplexity: 1 })] });
    if (known.costs.size < MAX_COSTS_PER_DOCUMENT) known.costs.set(key, cost);
  }
  return cost;
}
