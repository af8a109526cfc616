import { buildSchema, parse, type OperationDefinitionNode } from 'graphql';
import { requestedCost } from '../../src/platform/graphql/limits.js';

const schema = buildSchema(`
  type Item { id: ID! name: String! }
  type Query { items(first: Int, last: Int, ids: [ID!], filter: String): [Item!]! check(secret: String!): Boolean! }
`);

/** The cost of a document's only operation, the same document object each time (as Apollo reuses it). */
function costOf(query: string) {
  const document = parse(query);
  const operation = document.definitions[0] as OperationDefinitionNode;
  return (variables: Record<string, unknown>) => requestedCost(schema, document, operation, variables);
}

describe('requestedCost of a document asked again with other variables', () => {
  it('follows page sizes and id lists given as variables', () => {
    const cost = costOf('query($first: Int, $filter: String) { items(first: $first, filter: $filter) { id name } }');
    expect(cost({ first: 10, filter: 'a' })).toBe(1 + 2 * 10);
    expect(cost({ first: 10, filter: 'b' })).toBe(1 + 2 * 10);
    expect(cost({ first: 100, filter: 'a' })).toBe(1 + 2 * 100);
    expect(costOf('query($ids: [ID!]) { items(ids: $ids) { id } }')({ ids: ['1', '2', '3'] })).toBe(1 + 3);
  });

  it('costs a page asked backwards by its `last`, and one asked with no size by the default of 20', () => {
    const cost = costOf('query($last: Int) { items(last: $last) { id name } }');
    expect(cost({ last: 7 })).toBe(1 + 2 * 7);
    expect(cost({})).toBe(1 + 2 * 20);
    expect(costOf('{ items { id } }')({})).toBe(1 + 20);
  });

  it('follows @include and @skip conditions given as variables', () => {
    const cost = costOf('query($withName: Boolean!) { items(first: 5) { id name @include(if: $withName) } }');
    expect(cost({ withName: true })).toBe(1 + 2 * 5);
    expect(cost({ withName: false })).toBe(1 + 1 * 5);
    expect(cost({ withName: true })).toBe(1 + 2 * 5);
  });

  it('is one figure for variables the cost does not read', () => {
    const cost = costOf('query($secret: String!) { check(secret: $secret) }');
    expect(cost({ secret: 'a' })).toBe(1);
    expect(cost({ secret: 'b' })).toBe(1);
  });
});
