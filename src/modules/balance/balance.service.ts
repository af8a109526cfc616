import { LockMode, type FilterQuery } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { inTransaction, type RequestContext } from '../../context.js';
import { requireRole, tenantScope } from '../../platform/auth/actor.js';
import { BALANCE_LEDGER_READERS, Role, VOUCHER_REDEEMERS } from '../../platform/auth/roles.js';
import { OrderDirection, paginate, type PageArgs } from '../../platform/graphql/relay.js';
import { once } from '../../platform/idempotency.js';
import { decimal, type CurrencyCode } from '../../platform/money.js';
import { displayPrefix, generateSecret, hashSecret } from '../../platform/secrets.js';
import { UserErrorCode, UserInputErrors } from '../../platform/user-errors.js';
import { amount, futureDate, inputId, requiredText, validateInput } from '../../platform/validation.js';
import { recordAudit } from '../audit/audit.service.js';
import { BillingMode } from '../contract/contract.entity.js';
import { billingModeNow, currentTerms } from '../contract/contract.service.js';
import { Tenant } from '../tenant/tenant.entity.js';
import { BalanceAccount, BalanceEntry, BalanceEntryType, PaymentMethod, RedemptionCode } from './balance.entity.js';
import type { BalanceAdjustInput, BalanceTopUpInput, RedemptionCodeRedeemInput, RedemptionCodesCreateInput } from './balance.types.js';

export const REDEMPTION_CODE_PREFIX = 'rc_';
const MAX_CODES_PER_CALL = 100;

const idempotencyKey = requiredText(100);

const topUpSchema = z.object({
  amount: amount({ allowZero: false }),
  paymentMethod: z.enum(PaymentMethod),
  reference: requiredText(200),
  idempotencyKey,
});

const adjustSchema = z.object({
  amount: z.string().refine(
    // Balances carry usage to 16 decimal places; an adjustment can square them exactly.
    (value) => /^-?(0|[1-9]\d{0,13})(\.\d{1,16})?$/.test(value) && !decimal(value).isZero(),
    'must be a non-zero decimal below 10^14 with at most 16 decimal places; negative debits the balance',
  ),
  reason: requiredText(500),
  idempotencyKey,
});

interface LedgerChange {
  type: BalanceEntryType;
  amount: string;
  idempotencyKey?: string;
  inputFingerprint?: string;
  paymentMethod?: PaymentMethod;
  reference?: string | null;
  reason?: string | null;
}

/** The tenant of a balance mutation: it must exist, be visible, and be prepaid. */
async function prepaidTenant(transaction: RequestContext, tenantId: string, field: string[]): Promise<Tenant> {
  const tenant = await transaction.em.findOne(Tenant, { id: inputId('Tenant', tenantId, field) });
  if (!tenant) throw UserInputErrors.single(UserErrorCode.NOT_FOUND, field, `${field.at(-1)} names no tenant you can see`);
  if ((await billingModeNow(transaction, tenant)) !== BillingMode.PREPAID) {
    throw UserInputErrors.single(UserErrorCode.INVALID_STATE, field, `${field.at(-1)} names a tenant whose contract in force is not prepaid`);
  }
  return tenant;
}

/**
 * Moves a prepaid balance: locks the tenant's account row (creating it at zero), answers a replayed
 * idempotency key with its first entry (or refuses it when the input differs), then appends the
 * entry and updates the balance together. The balance is therefore always the sum of the entries.
 */
async function changeBalance(transaction: RequestContext, tenant: Tenant, change: LedgerChange): Promise<BalanceEntry> {
  const { em } = transaction;
  await em.execute('insert into balance_account (tenant_id, balance, updated_at) values (?, 0, now()) on conflict (tenant_id) do nothing', [tenant.id]);
  const account = await em.findOneOrFail(BalanceAccount, { tenantId: tenant.id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  const append = async (): Promise<BalanceEntry> => {
    const now = transaction.clock.now();
    account.balance = decimal(account.balance).plus(change.amount).toFixed();
    account.updatedAt = now;
    const entry = em.create(BalanceEntry, {
      ...change,
      tenantId: tenant.id,
      currency: tenant.billingCurrency,
      balanceAfter: account.balance,
      createdByTokenId: transaction.actor.tokenId,
      createdAt: now,
    });
    await recordAudit(transaction, {
      tenantId: tenant.id,
      action: `balance.${change.type.toLowerCase()}`,
      targetId: entry.id,
      after: { type: change.type, amount: change.amount, balanceAfter: account.balance, reference: change.reference ?? null, reason: change.reason ?? null },
    });
    return entry;
  };
  if (!change.idempotencyKey) return append();
  const findEarlier = async () => {
    const earlier = await em.findOne(BalanceEntry, { tenantId: tenant.id, idempotencyKey: change.idempotencyKey });
    return earlier && { result: earlier, fingerprint: earlier.inputFingerprint };
  };
  return once(em, { scope: `balance:${tenant.id}`, key: change.idempotencyKey, fingerprint: change.inputFingerprint ?? '', findEarlier }, append);
}

export async function topUpBalance(context: RequestContext, input: BalanceTopUpInput): Promise<BalanceEntry> {
  requireRole(context.actor, [Role.PLATFORM_ADMIN]);
  const values = validateInput(topUpSchema, input);
  return inTransaction(context, async (transaction) => {
    const tenant = await prepaidTenant(transaction, input.tenantId, ['input', 'tenantId']);
    return changeBalance(transaction, tenant, {
      type: BalanceEntryType.TOP_UP,
      amount: decimal(values.amount).toFixed(),
      paymentMethod: values.paymentMethod,
      reference: values.reference,
      idempotencyKey: values.idempotencyKey,
      inputFingerprint: JSON.stringify([decimal(values.amount).toFixed(), values.paymentMethod, values.reference]),
    });
  });
}

export async function adjustBalance(context: RequestContext, input: BalanceAdjustInput): Promise<BalanceEntry> {
  requireRole(context.actor, [Role.PLATFORM_ADMIN]);
  const values = validateInput(adjustSchema, input);
  return inTransaction(context, async (transaction) => {
    const tenant = await prepaidTenant(transaction, input.tenantId, ['input', 'tenantId']);
    return changeBalance(transaction, tenant, {
      type: BalanceEntryType.ADJUSTMENT,
      amount: decimal(values.amount).toFixed(),
      reason: values.reason,
      idempotencyKey: values.idempotencyKey,
      inputFingerprint: JSON.stringify([decimal(values.amount).toFixed(), values.reason]),
    });
  });
}

export interface IssuedRedemptionCode {
  code: string;
  redemptionCode: RedemptionCode;
}

export async function createRedemptionCodes(context: RequestContext, input: RedemptionCodesCreateInput): Promise<IssuedRedemptionCode[]> {
  requireRole(context.actor, [Role.PLATFORM_ADMIN]);
  const now = context.clock.now();
  const values = validateInput(
    z.object({
      count: z.number().int('must be a whole number').min(1, 'must be at least 1').max(MAX_CODES_PER_CALL, `must be at most ${MAX_CODES_PER_CALL}`),
      amount: amount({ allowZero: false }),
      expiresAt: futureDate(now),
    }),
    input,
  );
  return inTransaction(context, async (transaction) => {
    const issued = Array.from({ length: values.count }, () => {
      const code = generateSecret(REDEMPTION_CODE_PREFIX);
      const redemptionCode = transaction.em.create(RedemptionCode, {
        codeHash: hashSecret(code),
        codePrefix: displayPrefix(code, REDEMPTION_CODE_PREFIX),
        amount: values.amount,
        currency: input.currency,
        expiresAt: values.expiresAt,
        createdAt: now,
        createdByTokenId: transaction.actor.tokenId,
      });
      return { code, redemptionCode };
    });
    await recordAudit(transaction, {
      tenantId: null,
      action: 'redemptionCode.create',
      targetId: issued[0].redemptionCode.id,
      after: {
        count: values.count,
        amount: values.amount,
        currency: input.currency,
        expiresAt: values.expiresAt.toISOString(),
        ids: issued.map((item) => item.redemptionCode.id),
      },
    });
    return issued;
  });
}

/**
 * Credits a code's amount to the caller's prepaid balance. Single use under any race: the code is
 * claimed by one conditional UPDATE, which a concurrent redemption waits for and then finds done.
 */
export async function redeemCode(context: RequestContext, input: RedemptionCodeRedeemInput): Promise<BalanceEntry> {
  requireRole(context.actor, VOUCHER_REDEEMERS);
  const codeField = ['input', 'code'];
  const tenantId = tenantScope(context.actor, input.tenantId) ?? null;
  if (!tenantId) throw UserInputErrors.single(UserErrorCode.BLANK, ['input', 'tenantId'], 'tenantId is required for operator redemptions');
  return inTransaction(context, async (transaction) => {
    const tenant = await prepaidTenant(transaction, tenantId, ['input', 'tenantId']);
    const codeHash = hashSecret(input.code.trim());
    const known = await transaction.em.findOne(RedemptionCode, { codeHash });
    if (!known) throw UserInputErrors.single(UserErrorCode.NOT_FOUND, codeField, 'code is not a redemption code');
    if (known.currency !== tenant.billingCurrency) {
      throw UserInputErrors.single(
        UserErrorCode.CURRENCY_MISMATCH,
        codeField,
        `code is in ${known.currency}; the tenant is billed in ${tenant.billingCurrency}`,
      );
    }
    const now = transaction.clock.now();
    const claimed = await transaction.em.execute<{ id: string }[]>(
      'update redemption_code set redeemed_at = ?, redeemed_by_tenant_id = ? where id = ? and redeemed_at is null and expires_at > ? returning id',
      [now, tenant.id, known.id, now],
    );
    if (claimed.length === 0) {
      await transaction.em.refresh(known);
      if (known.redeemedAt) throw UserInputErrors.single(UserErrorCode.ALREADY_REDEEMED, codeField, 'code was already redeemed');
      throw UserInputErrors.single(UserErrorCode.EXPIRED, codeField, `code expired at ${known.expiresAt.toISOString()}`);
    }
    return changeBalance(transaction, tenant, { type: BalanceEntryType.REDEMPTION, amount: known.amount, reference: known.id });
  });
}

export async function listBalanceEntries(context: RequestContext, tenantId: string, page: PageArgs) {
  requireRole(context.actor, BALANCE_LEDGER_READERS);
  const where: FilterQuery<BalanceEntry> = { tenantId: tenantScope(context.actor, tenantId) };
  return paginate({ em: context.em, entity: BalanceEntry, where, sortField: 'createdAt', direction: OrderDirection.DESC, page });
}

/** A prepaid tenant's balance (null for others). */
export async function balanceOf(context: RequestContext, tenant: Tenant): Promise<{ amount: string; currency: CurrencyCode } | null> {
  if ((await currentTerms(context, tenant)).billingMode !== BillingMode.PREPAID) return null;
  const account = await context.loaders.balanceAccountByTenant.load(tenant.id);
  return { amount: account?.balance ?? '0', currency: tenant.billingCurrency };
}

export async function findBalanceEntry(context: RequestContext, id: string): Promise<BalanceEntry | null> {
  requireRole(context.actor, BALANCE_LEDGER_READERS);
  return context.em.findOne(BalanceEntry, { id });
}

/** A voucher, for the operator only (tenants never see vouchers, only their ledger entries). */
export async function findRedemptionCode(context: RequestContext, id: string): Promise<RedemptionCode | null> {
  requireRole(context.actor, [Role.PLATFORM_ADMIN]);
  return context.em.findOne(RedemptionCode, { id });
}
