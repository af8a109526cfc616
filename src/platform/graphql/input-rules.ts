import {
  coerceInputValue,
  getArgumentValues,
  getNamedType,
  getNullableType,
  GraphQLError,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  TypeInfo,
  typeFromAST,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type FieldNode,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { UserErrorCode } from '../user-errors.js';
import { INSTANT_RANGE_MESSAGE, instantInRange, textProblem } from '../validation.js';

/**
 * The input rule at the boundary: every string a caller sends, in any argument, input field or
 * list item, in variables or written into the document, is checked before any resolver runs, so no
 * service has to remember it and PostgreSQL never sees a value it cannot store.
 *   - NUL and unpaired surrogates are INVALID_CHARACTER; a blank required string is BLANK;
 *   - an ID must not be blank (INVALID_ID): "" is never "none", null is;
 *   - a DateTime must lie in INSTANT_RANGE (OUT_OF_RANGE);
 *   - variables that do not coerce to their type are INVALID, with the path inside the variable.
 * A mutation whose payload has userErrors answers its violations there, as it does every other
 * refusal of its input, and does not run. Anything else is a top-level BAD_USER_INPUT error, HTTP
 * 400, with `extensions.field` (the path from the argument, or from the variable when the
 * variable itself does not coerce) and `extensions.reason` (the rule, a UserErrorCode).
 */
export interface InputViolation {
  reason: UserErrorCode;
  field: string[];
  message: string;
  /** The response key of the mutation field that answers it in its payload's userErrors. */
  payloadOf?: string;
}

/**
 * Input object types whose items a resolver checks one by one with the same rules, so that one
 * bad item is refused by its index and does not sink the others (a usage batch).
 */
export const CHECKED_PER_ITEM = { inputRules: 'checkedPerItem' } as const;

interface ArgumentSite {
  field: GraphQLField<unknown, unknown>;
  node: FieldNode;
  payloadOf?: string;
}

/** A mutation payload that can carry every refusal: userErrors, and nothing else it must return. */
function answersWithUserErrors(field: GraphQLField<unknown, unknown>): boolean {
  const payload = getNullableType(field.type);
  if (!isObjectType(payload)) return false;
  const fields = Object.values(payload.getFields());
  return fields.some((inner) => inner.name === 'userErrors') && fields.every((inner) => inner.name === 'userErrors' || !isNonNullType(inner.type));
}

/** Fields that take arguments, per document: Apollo reuses a document object for a repeated query. */
const sitesByDocument = new WeakMap<DocumentNode, ArgumentSite[]>();

function argumentSites(schema: GraphQLSchema, document: DocumentNode): ArgumentSite[] {
  let sites = sitesByDocument.get(document);
  if (sites) return sites;
  sites = [];
  const typeInfo = new TypeInfo(schema);
  const found = sites;
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const field = typeInfo.getFieldDef();
        if (!field || field.args.length === 0) return;
        const isPayload = typeInfo.getParentType() === schema.getMutationType() && answersWithUserErrors(field);
        found.push({ field, node, payloadOf: isPayload ? (node.alias ?? node.name).value : undefined });
      },
    }),
  );
  sitesByDocument.set(document, sites);
  return sites;
}

function isDateTime(type: GraphQLInputType): boolean {
  return getNamedType(type).name === 'DateTime';
}

function checkValue(type: GraphQLInputType, value: unknown, field: string[], violations: InputViolation[]): void {
  if (value === null || value === undefined) return;
  const required = isNonNullType(type);
  const nullable = getNullableType(type);
  if (isListType(nullable)) {
    if (Array.isArray(value)) value.forEach((item, index) => checkValue(nullable.ofType, item, [...field, String(index)], violations));
    return;
  }
  if (isInputObjectType(nullable)) {
    if (nullable.extensions.inputRules === CHECKED_PER_ITEM.inputRules) return;
    for (const inner of Object.values(nullable.getFields())) {
      checkValue(inner.type, (value as Record<string, unknown>)[inner.name], [...field, inner.name], violations);
    }
    return;
  }
  if (isEnumType(nullable)) return;
  const name = field.at(-1);
  if (nullable.name === 'ID' && typeof value === 'string') {
    const problem = textProblem(value, { required: true });
    if (problem)
      violations.push({ reason: UserErrorCode.INVALID_ID, field, message: `${name} must be an id${required ? '' : ' or null (for none)'}, not blank` });
  } else if (typeof value === 'string') {
    const problem = textProblem(value, { required });
    if (problem) violations.push({ reason: problem.code, field, message: `${name} ${problem.message}` });
  } else if (value instanceof Date && isDateTime(nullable) && !instantInRange(value)) {
    violations.push({ reason: UserErrorCode.OUT_OF_RANGE, field, message: `${name} ${INSTANT_RANGE_MESSAGE}` });
  }
}

/**
 * The operation's variables coerced to their types, or the violations of those that do not
 * coerce, each with its path inside the variable ("$input.amount" as ["input", "amount"]).
 */
function coerceVariables(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
): { coerced: Record<string, unknown>; violations: InputViolation[] } {
  const coerced: Record<string, unknown> = {};
  const violations: InputViolation[] = [];
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    const type = typeFromAST(schema, definition.type) as GraphQLInputType | undefined;
    if (!type) continue; // validation reported the unknown type
    if (!(name in variables)) {
      if (isNonNullType(type) && !definition.defaultValue) {
        violations.push({ reason: UserErrorCode.BLANK, field: [name], message: `variable $${name} of type ${String(type)} is required` });
      }
      continue;
    }
    coerced[name] = coerceInputValue(variables[name], type, (path, _invalid, error) => {
      const field = [name, ...path.map(String)];
      violations.push({ reason: UserErrorCode.INVALID, field, message: `${field.join('.')}: ${error.message}` });
    });
  }
  return { coerced, violations };
}

/** Every violation of the input rule in one operation, variables and literals alike. */
export function inputViolations(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | undefined,
): InputViolation[] {
  const { coerced, violations } = coerceVariables(schema, operation, variables ?? {});
  if (violations.length > 0) return violations;
  for (const { field, node, payloadOf } of argumentSites(schema, document)) {
    let values: Record<string, unknown>;
    try {
      values = getArgumentValues(field, node, coerced);
    } catch {
      continue; // a literal of the wrong type is a validation error, reported as such
    }
    const found: InputViolation[] = [];
    for (const argument of field.args) checkValue(argument.type, values[argument.name], [argument.name], found);
    violations.push(...found.map((violation) => ({ ...violation, payloadOf })));
  }
  return violations;
}

/**
 * Mutation fields answer the violations the admission found for them (`refusedInput` in the
 * context, by response key) in their payload's userErrors, without running. Wraps the built
 * schema's mutation resolvers once, so no other field pays for it.
 */
export function answerRefusedInputInPayloads(schema: GraphQLSchema): void {
  for (const field of Object.values(schema.getMutationType()?.getFields() ?? {})) {
    const resolve = field.resolve;
    if (!resolve || !answersWithUserErrors(field)) continue;
    field.resolve = (source, args, context: { refusedInput?: Map<string, InputViolation[]> }, info) => {
      const refused = context.refusedInput?.get(String(info.path.key));
      if (!refused) return resolve(source, args, context, info);
      return { userErrors: refused.map(({ reason, field: path, message }) => ({ code: reason, field: path, message })) };
    };
  }
}

export function inputViolationError(violation: InputViolation): GraphQLError {
  return new GraphQLError(violation.message, {
    extensions: { code: 'BAD_USER_INPUT', field: violation.field, reason: violation.reason, http: { status: 400 } },
  });
}
