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
 * Posts one prepaid-ledger entry and moves the balance with it, in the caller's transaction: with
 * `postPrepaidUsageDebits` for usage, the one way other features (bills, settlement) write the
 * ledger, so the balance is always the sum of the entries. Answers the balance after it, or null
 * when `isCoverRequired` and the balance (or a missing account) does not cover a debit.
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

/** What a batch of usage charged one tenant, in its billing currency. */
export interface UsageCharge {
  tenantId: string;
  amount: string;
}

/** A prepaid tenant's balance after its usage debit, with the level below which it wants an alert (null: none). */
export interface PrepaidDebit {
  tenantId: string;
  balanceAfter: string;
  balanceLowLevel: string | null;
}

/**
 * The set-based variant of `postLedgerEntry` for usage ingestion: prepaid tenants (by their terms
 * in force today, local time) pay a batch's usage from their balance in the batch's transaction,
 * one USAGE entry per tenant, accounts moved in tenant order so concurrent batches queue instead
 * of deadlocking. Postpaid tenants and charges of zero post nothing.
 */
export async function postPrepaidUsageDebits(target: SqlTarget, charges: UsageCharge[], postedAt: Date): Promise<PrepaidDebit[]> {
  return queryRows<PrepaidDebit>(
    target,
    `with charge as (
       select c."tenantId" as tenant_id, c.amount, c.id
         from json_to_recordset($1::json) as c("tenantId" text, amount numeric, id text)
        where c.amount > 0
     ),
     prepaid as (
       select c.tenant_id, c.amount, c.id, t.billing_currency, t.balance_low_level
         from charge c join tenant t on t.id = c.tenant_id
        where exists (select 1 from contract_terms_at(t.id, ($2::timestamptz at time zone t.timezone)::date) terms
                       where terms.billing_mode = 'PREPAID')
     ),
     debited as (
       insert into balance_account as a (tenant_id, balance, updated_at)
       select tenant_id, -amount, $2 from prepaid order by tenant_id
       on conflict (tenant_id) do update set balance = a.balance + excluded.balance, updated_at = excluded.updated_at
       returning a.tenant_id, a.balance
     ),
     entries as (
       insert into balance_entry (id, tenant_id, type, amount, currency, balance_after, created_at)
       select p.id, d.tenant_id, 'USAGE', -p.amount, p.billing_currency, d.balance, $2
         from debited d join prepaid p on p.tenant_id = d.tenant_id
       returning tenant_id, balance_after
     )
     select e.tenant_id as "tenantId", e.balance_after::text as "balanceAfter", p.balance_low_level::text as "balanceLowLevel"
       from entries e join prepaid p on p.tenant_id = e.tenant_id`,
    [JSON.stringify(charges.map((charge) => ({ ...charge, id: newId('BalanceEntry') }))), postedAt],
  );
}

/**
 * The latest credit (an entry that added money) of each tenant, null for a tenant with none: it
 * opens the stretch a low balance is alerted once in, so a top-up re-arms the alert.
 */
export async function latestCredits(target: SqlTarget, tenantIds: string[]): Promise<{ tenantId: string; entryId: string | null }[]> {
  return queryRows(
    target,
    `select t.id as "tenantId",
            (select b.id from balance_entry b where b.tenant_id = t.id and b.amount > 0 order by b.created_at desc, b.id desc limit 1) as "entryId"
       from unnest($1::text[]) as t(id)`,
    [tenantIds],
  );
}
