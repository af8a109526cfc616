import { queryRows, type SqlTarget } from './database/sql.js';
import { UserErrorCode, UserInputErrors } from './user-errors.js';

/** Namespace of the advisory locks that hold idempotency keys. */
const IDEMPOTENCY_LOCK_NAMESPACE = 5_301_102;

export interface IdempotentUse<T> {
  /** What the key is unique within: the kind of operation and, for tenant data, the tenant. */
  scope: string;
  key: string;
  /** The input, canonically: a replay must carry the same. */
  fingerprint: string;
  /** The first use's result and fingerprint, or null when the key is new. */
  findEarlier: () => Promise<{ result: T; fingerprint: string | null | undefined } | null>;
}

/**
 * A mutation idempotent on its key, inside the caller's transaction. The key is held until
 * commit (an advisory lock), so concurrent retries with one key wait for the first and then find
 * its result instead of racing it into a unique index; a replay gets the first result, the key
 * with other input is IDEMPOTENCY_KEY_REUSED, and a new key runs `work`.
 */
export async function once<T>(target: SqlTarget, use: IdempotentUse<T>, work: () => Promise<T>): Promise<T> {
  await queryRows(target, 'select pg_advisory_xact_lock($1, hashtext($2))', [IDEMPOTENCY_LOCK_NAMESPACE, `${use.scope}:${use.key}`]);
  const earlier = await use.findEarlier();
  if (!earlier) return work();
  if (earlier.fingerprint === use.fingerprint) return earlier.result;
  throw UserInputErrors.single(UserErrorCode.IDEMPOTENCY_KEY_REUSED, ['input', 'idempotencyKey'], 'idempotencyKey was already used with different input');
}
