/** Expected business failures, returned in a payload's `userErrors` rather than thrown to the client. */
export enum UserErrorCode {
  BLANK = 'BLANK',
  TOO_LONG = 'TOO_LONG',
  TOO_SHORT = 'TOO_SHORT',
  TOO_SMALL = 'TOO_SMALL',
  TOO_LARGE = 'TOO_LARGE',
  INVALID = 'INVALID',
  INVALID_CHARACTER = 'INVALID_CHARACTER',
  INVALID_ID = 'INVALID_ID',
  INVALID_TIMEZONE = 'INVALID_TIMEZONE',
  INVALID_TAXPAYER_ID = 'INVALID_TAXPAYER_ID',
  IN_PAST = 'IN_PAST',
  NOT_FOUND = 'NOT_FOUND',
  TAKEN = 'TAKEN',
  CYCLE = 'CYCLE',
  ARCHIVED = 'ARCHIVED',
  HAS_ACTIVE_CHILDREN = 'HAS_ACTIVE_CHILDREN',
  HAS_ACTIVE_API_KEYS = 'HAS_ACTIVE_API_KEYS',
  INVALID_STATE = 'INVALID_STATE',
  NOT_PERMITTED = 'NOT_PERMITTED',
  PRICED_USAGE_EXISTS = 'PRICED_USAGE_EXISTS',
  IDEMPOTENCY_KEY_REUSED = 'IDEMPOTENCY_KEY_REUSED',
  ALREADY_REDEEMED = 'ALREADY_REDEEMED',
  EXPIRED = 'EXPIRED',
  CURRENCY_MISMATCH = 'CURRENCY_MISMATCH',
  OUT_OF_RANGE = 'OUT_OF_RANGE',
  OVERLAPPING_CONTRACT = 'OVERLAPPING_CONTRACT',
  NOTICE_PERIOD = 'NOTICE_PERIOD',
  PERIOD_BILLED = 'PERIOD_BILLED',
  PERIOD_NOT_ENDED = 'PERIOD_NOT_ENDED',
  OVERPAYMENT = 'OVERPAYMENT',
  INSUFFICIENT_BALANCE = 'INSUFFICIENT_BALANCE',
  OVER_INVOICED = 'OVER_INVOICED',
  ALREADY_REVERSED = 'ALREADY_REVERSED',
}

export interface UserErrorData {
  code: UserErrorCode;
  /** Path to the input field, starting at the argument: ['input', 'name']. */
  field: string[] | null;
  message: string;
}

/**
 * Thrown by services inside a mutation's transaction: the transaction rolls back, and the
 * resolver turns it into the payload's userErrors. Nothing is half-written.
 */
export class UserInputErrors extends Error {
  constructor(readonly errors: UserErrorData[]) {
    super(errors.map((error) => `${error.field?.join('.') ?? ''}: ${error.message}`).join('; '));
  }

  static single(code: UserErrorCode, field: string[] | null, message: string): UserInputErrors {
    return new UserInputErrors([{ code, field, message }]);
  }
}

/** Runs a mutation's work; expected failures become userErrors, everything else propagates. */
export async function collectUserErrors<T>(work: () => Promise<T>): Promise<{ result: T | null; userErrors: UserErrorData[] }> {
  try {
    return { result: await work(), userErrors: [] };
  } catch (error) {
    if (error instanceof UserInputErrors) return { result: null, userErrors: error.errors };
    throw error;
  }
}
