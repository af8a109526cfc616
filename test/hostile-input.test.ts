import fc from 'fast-check';
import {
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import { buildAppSchema } from '../src/schema.js';
import type { World } from './support/fixtures.js';
import type { TestApp } from './support/harness.js';
import { tableFingerprint } from './support/table-fingerprint.js';
import { startUsageTest } from './support/usage-fixtures.js';

/**
 * Random hostile values, driven by the schema, sent to every mutation: each call carries one
 * value no field may take, somewhere in its input (nested, in a list, optional or required). The
 * API must refuse it as the caller's mistake, naming a code and a field, and write nothing.
 */

let test: TestApp;
let world: World;
let schema: GraphQLSchema;

beforeAll(async () => {
  ({ test, world } = await startUsageTest());
  schema = await buildAppSchema();
});
afterAll(() => test.stop());

/** Values no field of the scalar may take, by scalar name. */
const HOSTILE_SCALARS: Record<string, unknown[]> = {
  String: ['a\u0000b', '\ud800', 'x\udc00', '   ', '\t\n', 42, { text: 'x' }],
  ID: ['', ' ', 'ten_\u0000', '\udbff', 7.5],
  DateTime: ['0000-01-01T00:00:00Z', '9999-12-31T23:59:59Z', '1969-12-31T23:59:59Z', 'yesterday', 1700000000, ''],
  LocalDate: ['0000-01-01', '2026-13-01', 'x', 20261101],
  Decimal: ['NaN', 'Infinity', '-Infinity', '1e3', '', ' 1', '1.2.3', '0x10', 1.5, 100],
  Int: [1.5, 2 ** 31, -(2 ** 40), '1', true],
  Float: ['x', Number.NaN],
  Boolean: ['true', 1, 'yes'],
  SafeInt: [2 ** 60, 0.5, 'x'],
  CurrencyCode: ['', 'XXX\u0000', 'cny1', 12],
  UsageQuantity: ['x', true, { n: 1 }],
};

/** A plausible value for a field the hostile value is not in, so the call fails on it and nothing else. */
function plainValue(type: GraphQLInputType, depth: number): unknown {
  const nullable = getNullableType(type);
  if (isListType(nullable)) return [plainValue(nullable.ofType, depth + 1)];
  if (isInputObjectType(nullable)) {
    const value: Record<string, unknown> = {};
    for (const field of Object.values(nullable.getFields())) if (isNonNullType(field.type)) value[field.name] = plainValue(field.type, depth + 1);
    return value;
  }
  if (isEnumType(nullable)) return nullable.getValues()[0].name;
  switch (nullable.name) {
    case 'ID':
      return world.a.id;
    case 'DateTime':
      return '2026-11-01T00:00:00Z';
    case 'LocalDate':
      return '2026-11-01';
    case 'Decimal':
      return '1.00';
    case 'Int':
    case 'SafeInt':
    case 'UsageQuantity':
      return 1;
    case 'Boolean':
      return false;
    case 'CurrencyCode':
      return 'CNY';
    default:
      return 'plain';
  }
}

interface Leaf {
  path: string[];
  type: GraphQLInputType;
}

/** Every place in an input a value can go, down to scalars, through lists (one item) and nested inputs. */
function leaves(type: GraphQLInputType, path: string[], depth = 0): Leaf[] {
  const nullable = getNullableType(type);
  if (depth > 4) return [];
  if (isListType(nullable)) return leaves(nullable.ofType, [...path, '0'], depth + 1);
  if (isInputObjectType(nullable)) return Object.values(nullable.getFields()).flatMap((field) => leaves(field.type, [...path, field.name], depth + 1));
  return [{ path, type }];
}

function hostileValues(leaf: Leaf): unknown[] {
  const named = getNamedType(leaf.type);
  const values = isEnumType(named) ? ['BOGUS', 3] : isScalarType(named) ? (HOSTILE_SCALARS[named.name] ?? ['\u0000']) : [];
  return isNonNullType(leaf.type) ? [...values, null] : values;
}

/** The argument's plain value with `hostile` put at `path`, building what lies on the way. */
function withHostile(type: GraphQLInputType, path: string[], hostile: unknown): unknown {
  if (path.length === 0) return hostile;
  const nullable = getNullableType(type);
  if (isListType(nullable)) return [withHostile(nullable.ofType, path.slice(1), hostile)];
  if (!isInputObjectType(nullable)) throw new Error(`no field ${path.join('.')} in ${String(type)}`);
  const value = plainValue(nullable, 0) as Record<string, unknown>;
  const [head, ...rest] = path;
  value[head] = withHostile(nullable.getFields()[head].type, rest, hostile);
  return value;
}

/** What the payload says about refusals: userErrors, and any list of objects with a code and a field (usage rejections). */
function refusalSelection(field: GraphQLField<unknown, unknown>): string {
  const payload = getNamedType(field.type) as GraphQLObjectType;
  const lists = Object.values(payload.getFields()).filter((inner) => {
    const item = getNamedType(inner.type);
    return isListType(getNullableType(inner.type)) && isObjectType(item) && 'code' in item.getFields() && 'field' in item.getFields();
  });
  return `{ __typename ${lists.map((list) => `${list.name} { code field message }`).join(' ')} }`;
}

interface Call {
  mutation: string;
  argument: string;
  leaf: string;
  hostile: unknown;
}

function calls(): fc.Arbitrary<{ query: string; variables: Record<string, unknown>; call: Call }> {
  const mutations = Object.values(schema.getMutationType()!.getFields());
  return fc.constantFrom(...mutations).chain((mutation) => {
    const [argument] = mutation.args;
    const candidates = leaves(argument.type, []).flatMap((leaf) => hostileValues(leaf).map((hostile) => ({ leaf, hostile })));
    return fc.constantFrom(...candidates).map(({ leaf, hostile }) => ({
      query: `mutation($${argument.name}: ${String(argument.type)}) { ${mutation.name}(${argument.name}: $${argument.name}) ${refusalSelection(mutation)} }`,
      variables: { [argument.name]: withHostile(argument.type, leaf.path, hostile) },
      call: { mutation: mutation.name, argument: argument.name, leaf: leaf.path.join('.'), hostile },
    }));
  });
}

interface Refusal {
  code?: unknown;
  field?: unknown;
}

function namesCodeAndField(refusal: Refusal): boolean {
  return typeof refusal.code === 'string' && Array.isArray(refusal.field) && refusal.field.length > 0;
}

it('refuses a hostile value anywhere in any mutation as bad input, naming a code and a field, and writes nothing', async () => {
  const before = await tableFingerprint(test.sql);
  const mutationsTried = new Set<string>();
  await fc.assert(
    fc.asyncProperty(calls(), async ({ query, variables, call }) => {
      mutationsTried.add(call.mutation);
      const response = await fetch(test.app.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${world.adminToken}` },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await response.json()) as { data?: Record<string, Record<string, Refusal[] | string> | null> | null; errors?: { extensions?: Refusal }[] };
      const context = JSON.stringify({ call, status: response.status, body });
      expect({ context, isClientError: response.status < 500 }).toEqual({ context, isClientError: true });
      if (body.errors) {
        const unnamed = body.errors.filter((error) => error.extensions?.code !== 'BAD_USER_INPUT' || !namesCodeAndField(error.extensions));
        expect({ context, unnamed }).toEqual({ context, unnamed: [] });
      } else {
        const payload = body.data![call.mutation]!;
        const refusals = Object.values(payload)
          .filter((value): value is Refusal[] => Array.isArray(value))
          .flat();
        expect({ context, refused: refusals.length > 0 && refusals.every(namesCodeAndField) }).toEqual({ context, refused: true });
      }
    }),
    { numRuns: 400, interruptAfterTimeLimit: 8_000, markInterruptAsFailure: false },
  );
  expect(await tableFingerprint(test.sql)).toEqual(before);
  expect(mutationsTried.size).toBeGreaterThan(20);
});
