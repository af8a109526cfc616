import { z } from 'zod';
import { BadInputError } from './errors.js';
import { isIdOf, ID_PREFIXES, type NodeTypeName } from './ids.js';
import { decimal, isDecimalString } from './money.js';
import { UserErrorCode, UserInputErrors, type UserErrorData } from './user-errors.js';

/**
 * Input validation with zod. Each issue becomes a userError naming the field path from the
 * argument (`['input', 'buyerTaxProfile', 'taxpayerId']`) and the rule that failed.
 */
export function validateInput<Schema extends z.ZodType>(schema: Schema, input: unknown, root: string[] = ['input']): z.output<Schema> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new UserInputErrors(
    result.error.issues.map((issue) => {
      const field = [...root, ...issue.path.map(String)];
      return { code: codeOf(issue), field, message: `${field.at(-1)} ${issue.message}` };
    }),
  );
}

function codeOf(issue: z.core.$ZodIssue): UserErrorCode {
  switch (issue.code) {
    case 'too_small':
      if (issue.origin === 'string') return issue.minimum === 1 ? UserErrorCode.BLANK : UserErrorCode.TOO_SHORT;
      return UserErrorCode.TOO_SMALL;
    case 'too_big':
      return issue.origin === 'string' || issue.origin === 'array' ? UserErrorCode.TOO_LONG : UserErrorCode.TOO_LARGE;
    case 'custom':
      return (issue.params?.code as UserErrorCode | undefined) ?? UserErrorCode.INVALID;
    default:
      return UserErrorCode.INVALID;
  }
}

/**
 * Text no field may hold: NUL (PostgreSQL text cannot store it) and half of a UTF-16 surrogate
 * pair (not Unicode; JSON and PostgreSQL refuse it).
 */
const UNSTORABLE_CHARACTER = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export interface TextProblem {
  code: UserErrorCode.INVALID_CHARACTER | UserErrorCode.BLANK;
  message: string;
}

/**
 * The rule every string from a caller meets, wherever it goes: storable characters only, and not
 * only whitespace. A required value must not be empty either; an optional one may be "" (none).
 */
export function textProblem(text: string, options: { required: boolean }): TextProblem | undefined {
  if (UNSTORABLE_CHARACTER.test(text)) {
    return { code: UserErrorCode.INVALID_CHARACTER, message: 'must not contain NUL (U+0000) or an unpaired UTF-16 surrogate' };
  }
  if (text.trim() === '' && (options.required || text !== '')) {
    return { code: UserErrorCode.BLANK, message: options.required ? 'must not be blank' : 'must not be only whitespace; send null or "" for none' };
  }
  return undefined;
}

/** Instants a caller may name: anything outside is a typo or a probe, and breaks date arithmetic. */
export const INSTANT_RANGE = { from: new Date('1970-01-01T00:00:00Z'), to: new Date('2200-01-01T00:00:00Z') } as const;

export function instantInRange(instant: Date): boolean {
  return instant >= INSTANT_RANGE.from && instant < INSTANT_RANGE.to;
}

export const INSTANT_RANGE_MESSAGE = 'must be from 1970-01-01T00:00:00Z to before 2200-01-01T00:00:00Z';

export function requiredText(maxLength: number) {
  return z.string().trim().min(1, 'must not be blank').max(maxLength, `must be at most ${maxLength} characters`);
}

/** Absent keeps the current value; null or blank clears it. */
export function optionalText(maxLength: number) {
  return z
    .string()
    .trim()
    .max(maxLength, `must be at most ${maxLength} characters`)
    .transform((value) => (value === '' ? null : value))
    .nullish();
}

/** The canonical IANA name of a time zone, or undefined. Offsets like "+08:00" are not time zones. */
export function canonicalTimeZone(name: string): string | undefined {
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(name)) return undefined;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

export const timeZone = z
  .string()
  .trim()
  .transform((name, context) => {
    const canonical = canonicalTimeZone(name);
    if (canonical) return canonical;
    context.addIssue({
      code: 'custom',
      message: 'must be an IANA time zone name such as "Asia/Shanghai" or "UTC"',
      params: { code: UserErrorCode.INVALID_TIMEZONE },
    });
    return z.NEVER;
  });

export function futureDate(now: Date) {
  return z.date().refine((value) => value.getTime() > now.getTime(), {
    message: 'must be in the future',
    params: { code: UserErrorCode.IN_PAST },
  });
}

/** Runs two validations and reports the problems of both at once. */
export function validateTogether<A, B>(first: () => A, second: () => B): [A, B] {
  const errors: UserErrorData[] = [];
  const attempt = <T>(validate: () => T): T | undefined => {
    try {
      return validate();
    } catch (error) {
      if (!(error instanceof UserInputErrors)) throw error;
      errors.push(...error.errors);
      return undefined;
    }
  };
  const results = [attempt(first), attempt(second)] as [A, B];
  if (errors.length > 0) throw new UserInputErrors(errors);
  return results;
}

/** An id inside a mutation input: a wrong or malformed id is the caller's mistake, reported as a userError. */
export function inputId(type: NodeTypeName, value: string, field: string[]): string {
  if (isIdOf(type, value)) return value;
  throw UserInputErrors.single(UserErrorCode.INVALID_ID, field, `${field.at(-1)} must be a ${type} id (${ID_PREFIXES[type]}_...)`);
}

/** An id given as a query argument: malformed is BAD_USER_INPUT naming the argument. */
export function argumentId(type: NodeTypeName, value: string, argument: string): string {
  if (isIdOf(type, value)) return value;
  throw new BadInputError(`${argument} must be a ${type} id (${ID_PREFIXES[type]}_...), got "${value}".`, [argument]);
}

/** Digits a stored rate or limit keeps after the point (numeric(24,10) columns). */
export const AMOUNT_DECIMAL_PLACES = 10;
const MAX_AMOUNT = decimal('1e14');

/** A money amount or rate given as a Decimal string: at most 10 decimal places, below 10^14. */
export function amount(options: { allowZero: boolean }) {
  return z
    .string()
    .refine(isDecimalString, 'must be a decimal such as "500.00"')
    .superRefine((value, context) => {
      if (!isDecimalString(value)) return;
      const parsed = decimal(value);
      const tooSmall = options.allowZero ? parsed.isNegative() : parsed.lte(0);
      if (tooSmall) {
        context.addIssue({
          code: 'custom',
          message: options.allowZero ? 'must not be negative' : 'must be greater than 0',
          params: { code: UserErrorCode.TOO_SMALL },
        });
      } else if (parsed.gte(MAX_AMOUNT)) {
        context.addIssue({ code: 'custom', message: 'must be less than 100000000000000', params: { code: UserErrorCode.TOO_LARGE } });
      } else if (parsed.decimalPlaces() > AMOUNT_DECIMAL_PLACES) {
        context.addIssue({ code: 'custom', message: `must have at most ${AMOUNT_DECIMAL_PLACES} decimal places` });
      }
    });
}
