import { readFileSync } from 'node:fs';
import { buildSchema, parse, validate } from 'graphql';

/** README's example operations are what portal, ERP and gateway teams copy: each must run as written. */
describe('README example operations', () => {
  const schema = buildSchema(readFileSync('schema/schema.graphql', 'utf8'));
  const blocks = [...readFileSync('README.md', 'utf8').matchAll(/```graphql\n([\s\S]*?)```/g)].map((match) => match[1]);

  it('has examples', () => {
    expect(blocks.length).toBeGreaterThan(10);
  });

  it.each(blocks.map((block, index) => [index, block]))('example %i parses and validates against schema/schema.graphql', (_index, block) => {
    expect(validate(schema, parse(block)).map((error) => error.message)).toEqual([]);
  });
});
