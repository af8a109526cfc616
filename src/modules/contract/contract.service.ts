import type { EntityManager, FilterQuery } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { inTransaction, type RequestContext } from '../../context.js';
import { requireRole, tenantScope } from '../../platform/auth/actor.js';
import { MONEY_DOCUMENT_READERS, Role } from '../../platform/auth/roles.js';
import { OrderDirection, paginate, type PageArgs } from '../../platform/graphql/relay.js';
import { decimal, TaxMode } from '../../platform/money.js';
import { addPeriods, localDateOf, periodFirstDay, periodInput, periodOfDate, type Period } from '../../platform/period.js';
import { UserErrorCode, UserInputErrors } from '../../platform/user-errors.js';
import { amount, inputId, requiredText, validateInput, validateTogether } from '../../platform/validation.js';
import { recordAudit } from '../audit/audit.service.js';
import { ModelTier } from '../price/model-price.entity.js';
import { lockTenantForChange } from '../tenant/tenant.service.js';
import type { Tenant } from '../tenant/tenant.entity.js';
import { BillingMode, Contract, ContractType, ContractVersion, InvoiceType } from './contract.entity.js';
import type { ContractAmendInput, ContractCreateInput, ContractFilterInput, ContractTerminateInput, ContractTermsChangeInput } from './contract.types.js';
import { DEFAULT_TERMS, type ContractTerms } from './contract-terms.js';

/** Months a fixed-term contract runs; pay-as-you-go runs until terminated. */
const TERM_MONTHS: Record<ContractType, number | null> = { PAY_AS_YOU_GO: null, ANNUAL: 12, THREE_YEAR: 36 };

const percent = z
  .string()
  .refine(
    (value) => /^(0|[1-9]\d{0,2})(\.\d{1,2})?$/.test(value) && decimal(value).lte(100),
    'must be a percentage from 0 to 100 with at most 2 decimal places',
  );

const termsShape = {
  billingMode: z.enum(BillingMode),
  discountPercent: percent,
  tierDiscounts: z
    .array(z.object({ tier: z.enum(ModelTier), percent }))
    .max(Object.keys(ModelTier).length)
    .refine((discounts) => new Set(discounts.map((discount) => discount.tier)).size === discounts.length, 'must name each tier at most once'),
  monthlyCommitment: amount({ allowZero: true }),
  creditLimit: amount({ allowZero: false }).nullable(),
  paymentTermsDays: z.number().int('must be whole days').min(0, 'must not be negative').max(365, 'must be at most 365'),
  taxRate: z.string().refine((value) => /^0(\.\d{1,4})?$/.test(value), 'must be a rate from 0 to below 1 with at most 4 decimal places, e.g. "0.06"'),
  taxMode: z.enum(TaxMode),
  preferredInvoiceType: z.enum(InvoiceType),
};

const termsSchema = z.object(termsShape).refine((terms) => terms.billingMode === BillingMode.POSTPAID_MONTHLY || terms.creditLimit === null, {
  message: 'creditLimit applies to postpaid contracts only; a prepaid tenant spends its balance',
  path: ['creditLimit'],
});

const createSchema = z.object({
  type: z.enum(ContractType),
  startPeriod: periodInput,
  cancellationNoticeDays: z.number().int('must be whole days').min(0, 'must not be negative').max(730, 'must be at most 730'),
});

function termsOf(version: ContractVersion): ContractTerms {
  return {
    billingMode: version.billingMode,
    discountPercent: version.discountPercent,
    tierDiscounts: version.tierDiscounts,
    monthlyCommitment: version.monthlyCommitment,
    creditLimit: version.creditLimit ?? null,
    paymentTermsDays: version.paymentTermsDays,
    taxRate: version.taxRate,
    taxMode: version.taxMode,
    preferredInvoiceType: version.preferredInvoiceType,
  };
}

/** Terms as they are stored: canonical decimals, so versions compare and print the same. */
function validateTerms(terms: ContractTerms, field: string[]): ContractTerms {
  const values = validateInput(termsSchema, terms, field);
  return {
    ...values,
    discountPercent: decimal(values.discountPercent).toFixed(),
    tierDiscounts: values.tierDiscounts.map((discount) => ({ tier: discount.tier, percent: decimal(discount.percent).toFixed() })),
    monthlyCommitment: decimal(values.monthlyCommitment).toFixed(),
    creditLimit: values.creditLimit === null ? null : decimal(values.creditLimit).toFixed(),
    taxRate: decimal(values.taxRate).toFixed(),
  };
}

/** The tenant's last settled period (a bill that is not void, or closed with nothing to bill): terms up to it never change. */
async function lastSettledPeriod(em: EntityManager, tenantId: string): Promise<Period | null> {
  const [row] = await em.execute<{ period: string | null }[]>(
    `select to_char(greatest((select max(period_start) from bill where tenant_id = ? and status <> 'VOID'),
                             (select max(period_start) from settled_empty_period where tenant_id = ?)), 'YYYY-MM') as period`,
    [tenantId, tenantId],
  );
  return row?.period ?? null;
}

async function refuseSettledPeriod(em: EntityManager, tenantId: string, period: Period, field: string[]): Promise<void> {
  const settled = await lastSettledPeriod(em, tenantId);
  if (settled && period <= settled) {
    throw UserInputErrors.single(
      UserErrorCode.PERIOD_BILLED,
      field,
      `${field.at(-1)} must come after ${settled}, the last period already settled: settled terms never change`,
    );
  }
}

function auditView(contract: Contract, version: ContractVersion | null): Record<string, unknown> {
  return {
    type: contract.type,
    startsOn: contract.startsOn,
    endsOn: contract.endsOn ?? null,
    cancellationNoticeDays: contract.cancellationNoticeDays,
    terminatedAt: contract.terminatedAt?.toISOString() ?? null,
    ...(version ? { version: version.version, effectiveFrom: version.effectiveFrom, terms: termsOf(version) } : {}),
  };
}

async function newVersion(transaction: RequestContext, contract: Contract, effectiveFrom: string, terms: ContractTerms): Promise<ContractVersion> {
  const [row] = await transaction.em.execute<{ next: number }[]>('select coalesce(max(version), 0) + 1 as next from contract_version where contract_id = ?', [
    contract.id,
  ]);
  return transaction.em.create(ContractVersion, {
    contractId: contract.id,
    tenantId: contract.tenantId,
    version: Number(row.next),
    effectiveFrom,
    ...terms,
    createdAt: transaction.clock.now(),
    createdByTokenId: transaction.actor.tokenId,
  });
}

export async function createContract(context: RequestContext, input: ContractCreateInput): Promise<Contract> {
  requireRole(context.actor, [Role.PLATFORM_ADMIN]);
  const [values, terms] = validateTogether(
    () => validateInput(createSchema, input),
    () => validateTerms({ ...DEFAULT_TERMS, ...withoutNulls(input.terms) }, ['input', 'terms']),
  );
  return inTransaction(context, async (transaction) => {
    const { em } = transaction;
    const tenant = await lockTenantForChange(transaction, input.tenantId, ['input', 'tenantId']);
    await refuseSettledPeriod(em, tenant.id, values.startPeriod, ['input', 'startPeriod']);
    const months = TERM_MONTHS[values.type];
    const startsOn = periodFirstDay(values.startPeriod);
    const endsOn = months === null ? null : periodFirstDay(addPeriods(values.startPeriod, months));
    const [overlapping] = await em.execute<{ id: string }[]>(
      `select id from contract where tenant_id = ? and daterange(starts_on, ends_on) && daterange(?::date, ?::date) limit 1`,
      [tenant.id, startsOn, endsOn],
    );
    if (overlapping) {
      throw UserInputErrors.single(
        UserErrorCode.OVERLAPPING_CONTRACT,
        ['input', 'startPeriod'],
        `startPeriod overlaps contract ${overlapping.id} of this tenant: at most one contract is in force at any time`,
      );
    }
    const contract = em.create(Contract, { tenantId: tenant.id, type: values.type, startsOn, endsOn, cancellationNoticeDays: values.cancellationNoticeDays });
    const version = await newVersion(transaction, contract, startsOn, terms);
    await recordAudit(transaction, { tenantId: tenant.id, action: 'contract.create', targetId: contract.id, after: auditView(contract, version) });
    return contract;
  });
}

async function lockContract(transaction: RequestContext, contractId: string): Promise<{ contract: Contract; tenant: Tenant }> {
  const field = ['input', 'contractId'];
  const contract = await transaction.em.findOne(Contract, { id: inputId('Contract', contractId, field) });
  if (!contract) throw UserInputErrors.single(UserErrorCode.NOT_FOUND, field, 'contractId names no contract you can see');
  const tenant = await lockTenantForChange(transaction, contract.tenantId, field);
  await transaction.em.refresh(contract);
  return { contract, tenant };
}

function withoutNulls<T extends object>(values: T | null | undefined): Partial<{ [K in keyof T]: Exclude<T[K], null> }> {
  return Object.fromEntries(Object.entries(values ?? {}).filter(([, value]) => value !== null && value !== undefined)) as never;
}

/**
 * A new version of the terms from `effectivePeriod` on. Fields left out keep the terms in force for
 * that period; `creditLimit` is cleared by `clearCreditLimit`. Periods already billed are closed.
 */
export async function amendContract(context: RequestContext, input: ContractAmendInput): Promise<Contract> {
  requireRole(context.actor, [Role.PLATFORM_ADMIN]);
  const effectivePeriod = validateInput(z.object({ effectivePeriod: periodInput }), input).effectivePeriod;
  return inTransaction(context, async (transaction) => {
    const { em } = transaction;
    const { contract, tenant } = await lockContract(transaction, input.contractId);
    const field = ['input', 'effectivePeriod'];
    const effectiveFrom = periodFirstDay(effectivePeriod);
    if (effectiveFrom < contract.startsOn || (contract.endsOn && effectiveFrom >= contract.endsOn)) {
      throw UserInputErrors.single(UserErrorCode.OUT_OF_RANGE, field, `effectivePeriod must fall within the contract (${describeRange(contract)})`);
    }
    await refuseSettledPeriod(em, tenant.id, effectivePeriod, field);
    const current = await versionFor(em, contract.id, effectivePeriod);
    const changes: ContractTermsChangeInput = input.terms ?? {};
    const terms = validateTerms({ ...termsOf(current), ...withoutNulls(changes), ...(input.clearCreditLimit ? { creditLimit: null } : {}) }, [
      'input',
      'terms',
    ]);
    const before = auditView(contract, current);
    const version = await newVersion(transaction, contract, effectiveFrom, terms);
    contract.updatedAt = transaction.clock.now();
    await recordAudit(transaction, { tenantId: tenant.id, action: 'contract.amend', targetId: contract.id, before, after: auditView(contract, version) });
    return contract;
  });
}

/**
 * Ends a contract after `lastPeriod` (default: the earliest the notice allows). The notice runs
 * from today in the tenant's time zone; the contract then ends with the month the notice expires in.
 */
export async function terminateContract(context: RequestContext, input: ContractTerminateInput): Promise<Contract> {
  requireRole(context.actor, [Role.PLATFORM_ADMIN]);
  const values = validateInput(z.object({ lastPeriod: periodInput.nullish(), reason: requiredText(500) }), input);
  return inTransaction(context, async (transaction) => {
    const { contract, tenant } = await lockContract(transaction, input.contractId);
    if (contract.terminatedAt)
      throw UserInputErrors.single(
        UserErrorCode.INVALID_STATE,
        ['input', 'contractId'],
        `the contract was already terminated on ${contract.terminatedAt.toISOString()}`,
      );
    const now = transaction.clock.now();
    const noticeEnds = new Date(now.getTime() + contract.cancellationNoticeDays * 86_400_000);
    const earliest = periodOfDate(localDateOf(noticeEnds, tenant.timezone));
    const lastPeriod = values.lastPeriod ?? earliest;
    const field = ['input', 'lastPeriod'];
    if (lastPeriod < earliest) {
      throw UserInputErrors.single(
        UserErrorCode.NOTICE_PERIOD,
        field,
        `lastPeriod must be ${earliest} or later: the contract needs ${contract.cancellationNoticeDays} days' notice from ${localDateOf(now, tenant.timezone)}`,
      );
    }
    const endsOn = periodFirstDay(addPeriods(lastPeriod, 1));
    if (contract.endsOn && endsOn >= contract.endsOn) {
      throw UserInputErrors.single(UserErrorCode.OUT_OF_RANGE, field, `lastPeriod must end the contract before its term does (${describeRange(contract)})`);
    }
    const before = auditView(contract, null);
    contract.endsOn = endsOn < contract.startsOn ? contract.startsOn : endsOn;
    contract.terminatedAt = now;
    contract.terminationReason = values.reason;
    await recordAudit(transaction, { tenantId: tenant.id, action: 'contract.terminate', targetId: contract.id, before, after: auditView(contract, null) });
    return contract;
  });
}

function describeRange(contract: Contract): string {
  const first = periodOfDate(contract.startsOn);
  return contract.endsOn ? `${first} to ${addPeriods(periodOfDate(contract.endsOn), -1)}` : `from ${first}, open-ended`;
}

/** The version of a contract in force for a period (the contract's first version before it starts). */
export async function versionFor(em: EntityManager, contractId: string, period: Period): Promise<ContractVersion> {
  const inForce = await em.findOne(ContractVersion, { contractId, effectiveFrom: { $lte: periodFirstDay(period) } }, { orderBy: { version: 'desc' } });
  return inForce ?? (await em.findOneOrFail(ContractVersion, { contractId }, { orderBy: { version: 'asc' } }));
}

export async function contractVersions(em: EntityManager, contractId: string): Promise<ContractVersion[]> {
  return em.find(ContractVersion, { contractId }, { orderBy: { version: 'asc' } });
}

/** The version in force for a period among a contract's versions (oldest first); its first before it starts. */
export function versionInForce(versions: ContractVersion[], period: Period): ContractVersion {
  return versions.filter((version) => version.effectiveFrom <= periodFirstDay(period)).at(-1) ?? versions[0];
}

/** The tenant's contract in force today in its time zone, through the request's loaders. */
export async function activeContract(context: RequestContext, tenant: Tenant): Promise<Contract | null> {
  const inForce = await context.loaders.termsInForce.load(tenant.id);
  return inForce ? context.loaders.contractById.load(inForce.contractId) : null;
}

/**
 * The tenant's billing mode now, read in the caller's transaction with the same SQL function the
 * ingestion and authorization paths use (loaders would take a second connection mid-transaction).
 */
export async function billingModeNow(transaction: RequestContext, tenant: Tenant): Promise<BillingMode> {
  const [terms] = await transaction.em.execute<{ billingMode: BillingMode }[]>(
    `select billing_mode as "billingMode" from contract_terms_at(?, (?::timestamptz at time zone ?)::date)`,
    [tenant.id, transaction.clock.now(), tenant.timezone],
  );
  return terms?.billingMode ?? DEFAULT_TERMS.billingMode;
}

/** The terms the tenant is on today, through the request's loaders (the defaults without a contract). */
export async function currentTerms(context: RequestContext, tenant: Tenant): Promise<ContractTerms> {
  return (await context.loaders.termsInForce.load(tenant.id))?.terms ?? DEFAULT_TERMS;
}

export async function listContracts(context: RequestContext, filter: ContractFilterInput | null, page: PageArgs) {
  requireRole(context.actor, MONEY_DOCUMENT_READERS);
  const where: FilterQuery<Contract> = {};
  const tenantId = tenantScope(context.actor, filter?.tenantId);
  if (tenantId) where.tenantId = tenantId;
  return paginate({ em: context.em, entity: Contract, where, sortField: 'startsOn', direction: OrderDirection.DESC, page });
}

export async function findContract(context: RequestContext, id: string): Promise<Contract | null> {
  requireRole(context.actor, MONEY_DOCUMENT_READERS);
  return context.em.findOne(Contract, { id });
}
