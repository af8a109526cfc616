import { queryRows, type SqlTarget } from '../../platform/database/sql.js';
import { newId } from '../../platform/ids.js';
import type { CurrencyCode } from '../../platform/money.js';
import type { BalanceEntryType } from './balance.entity.js';

export interface LedgerPosting {
  tenantId: string;
  type: BalanceEntryType;
  /** Signed: a credit is positive, a debit negative. */
  amount: string;
  currency: CurrencyCode;
  reason?: string | null;
  reference?: string | null;
  createdByTokenId?: string | null;
  createdAt: Date;
  /** Refuse (answer null) rather than take the balance below zero. */
  isCoverRequired?: boolean;
}

/**
 * Posts one prepaid-ledger entry and moves the balance with it, in the caller's transaction: the
 * one way other features (bills, settlement) write the ledger, so the balance is always the sum of
 * the entries. Answers the balance after it, or null when `isCoverRequired` and the balance (or a
 * missing account) does not cover a debit.
 */
export async function postLedgerEntry(target: SqlTarget, posting: LedgerPosting): Promise<{ balanceAfter: string } | null> {
  const moveAccount = posting.isCoverRequired
    ? `update balance_account set balance = balance + $3, updated_at = $9 where tenant_id = $2 and balance + $3 >= 0 returning balance`
    : `insert into balance_account as a (tenant_id, balance, updated_at) values ($2, $3, $9)
       on conflict (tenant_id) do update set balance = a.balance + excluded.balance, updated_at = excluded.updated_at
       returning balance`;
  const [row] = await queryRows<{ balanceAfter: string }>(
    target,
    `with account as (${moveAccount})
     insert into balance_entry (id, tenant_id, type, amount, currency, balance_after, reason, reference, created_by_token_id, created_at)
     select $1, $2, $4, $3, $5, account.balance, $6, $7, $8, $9 from account
     returning balance_after::text as "balanceAfter"`,
    [
      newId('BalanceEntry'),
      posting.tenantId,
      posting.amount,
      posting.type,
      posting.currency,
      posting.reason ?? null,
      posting.reference ?? null,
      posting.createdByTokenId ?? null,
      posting.createdAt,
    ],
  );
  return row ?? null;
}
