import { readFileSync } from 'node:fs';
import { buildSchema, parse, validate } from 'graphql';
import { readmeExamples } from '../../scripts/readme-examples.js';
import { DEMO_ACCESS_TOKENS } from '../../seeds/index.js';

/**
 * README's example operations are what portal, ERP and gateway teams copy: each must run as written.
 * .ci/run runs them against `npm start`'s demo (scripts/readme-examples.ts); this checks, without a
 * server, that each validates against the schema and names a demo token to send.
 */
describe('README example operations', () => {
  const schema = buildSchema(readFileSync('schema/schema.graphql', 'utf8'));
  const examples = readmeExamples(readFileSync('README.md', 'utf8'));

  it('has examples', () => {
    expect(examples.length).toBeGreaterThan(10);
  });

  it.each(examples.map((example) => [example.number, example]))(
    'example %i validates against schema/schema.graphql and names a demo token',
    (_number, example) => {
      expect(validate(schema, parse(example.operation)).map((error) => error.message)).toEqual([]);
      expect(DEMO_ACCESS_TOKENS.map((token) => token.name as string)).toContain(example.tokenName);
    },
  );
});
