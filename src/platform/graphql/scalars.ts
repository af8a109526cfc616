import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { isDecimalString } from '../money.js';

function parseDecimal(value: unknown): string {
  if (typeof value !== 'string' || !isDecimalString(value)) {
    throw new GraphQLError(
      `Decimal must be a string in plain decimal notation such as "12.50" (no exponent, no float), got ${JSON.stringify(value)}.`,
      { extensions: { code: 'BAD_USER_INPUT' } },
    );
  }
  return value;
}

/** Exact decimal numbers travel as strings: a JSON number would be a binary float. */
export const DecimalScalar = new GraphQLScalarType<string, string>({
  name: 'Decimal',
  description:
    'An exact decimal number as a string in plain notation, e.g. "1234.5600". Never a float: money keeps every digit.',
  serialize: (value) => String(value),
  parseValue: parseDecimal,
  parseLiteral: (ast) => parseDecimal(ast.kind === Kind.STRING ? ast.value : undefined),
});

export const DateTimeScalar = DateTimeResolver;
