import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { DateTimeResolver, LocalDateResolver, SafeIntResolver } from 'graphql-scalars';
import { isDecimalString } from '../money.js';

function parseDecimal(value: unknown): string {
  if (typeof value !== 'string' || !isDecimalString(value)) {
    throw new GraphQLError(`Decimal must be a string in plain decimal notation such as "12.50" (no exponent, no float), got ${JSON.stringify(value)}.`, {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  }
  return value;
}

/** Exact decimal numbers travel as strings: a JSON number would be a binary float. */
export const DecimalScalar = new GraphQLScalarType<string, string>({
  name: 'Decimal',
  description: 'An exact decimal number as a string in plain notation, e.g. "1234.5600". Never a float: money keeps every digit.',
  serialize: (value) => String(value),
  parseValue: parseDecimal,
  parseLiteral: (ast) => parseDecimal(ast.kind === Kind.STRING ? ast.value : undefined),
});

export const DateTimeScalar = DateTimeResolver;

/** A calendar date without time zone, "2026-11-01": period starts in the tenant's time zone. */
export const LocalDateScalar = LocalDateResolver;

/** Whole numbers up to 2^53 - 1: token and request totals outgrow GraphQL's 32-bit Int. */
export const SafeIntScalar = SafeIntResolver;
