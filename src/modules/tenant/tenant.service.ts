import { LockMode, UniqueConstraintViolationException, type FilterQuery } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { inTransaction, type RequestContext } from '../../context.js';
import { requireRole } from '../../platform/auth/actor.js';
import { publishOnCommit } from '../../platform/events/pubsub.js';
import { Role, TENANT_PROFILE_WRITERS, TENANT_READERS } from '../../platform/auth/roles.js';
import { containsPattern, OrderDirection, paginate, type PageArgs } from '../../platform/graphql/relay.js';
import { queryRows } from '../../platform/database/sql.js';
import { CurrencyCode, decimal } from '../../platform/money.js';
import { taxpayerIdSchema } from '../../platform/tax/tax-party.js';
import { UserErrorCode, UserInputErrors } from '../../platform/user-errors.js';
import { amount, inputId, optionalText, requiredText, timeZone, validateInput } from '../../platform/validation.js';
import { ACCESS_TOKENS_CHANGED, type AccessTokensChangedEvent } from '../../platform/auth/access-tokens-changed.js';
import { recordAudit } from '../audit/audit.service.js';
import { BuyerTaxProfile, FailedRequestPolicy, Tenant, TENANT_EXTERNAL_ID_CONSTRAINT, TenantStatus } from './tenant.entity.js';
import type { TenantCreateInput, TenantFilterInput, TenantOrderInput, TenantReactivateInput, TenantSuspendInput, TenantUpdateInput } from './tenant.types.js';

const buyerTaxProfileSchema = z.object({
  legalName: optionalText(100),
  taxpayerId: taxpayerIdSchema.nullish(),
  address: optionalText(200),
  phone: optionalText(40),
  bankName: optionalText(100),
  bankAccount: optionalText(40),
});

/** An ERP customer code: what Kingdee, Yonyou and SAP accept as one. */
const externalIdSchema = z
  .string()
  .min(1, { message: 'must not be empty', abort: true })
  .max(64, { message: 'must be at most 64 characters', abort: true })
  .refine((value) => /^[A-Za-z0-9][A-Za-z0-9._:/-]*$/.test(value), {
    message: 'must be letters, digits and . _ : / - (starting with a letter or digit), as an ERP customer code is',
    params: { code: UserErrorCode.INVALID_CHARACTER },
  });

const tenantCreateSchema = z.object({
  name: requiredText(200),
  externalId: externalIdSchema.nullish(),
  timezone: timeZone.nullish(),
  billingCurrency: z.enum(CurrencyCode).nullish(),
  failedRequestPolicy: z.enum(FailedRequestPolicy).nullish(),
  buyerTaxProfile: buyerTaxProfileSchema.nullish(),
});

const tenantUpdateSchema = tenantCreateSchema.partial().extend({
  name: requiredText(200).nullish(),
  balanceLowLevel: amount({ allowZero: true }).nullish(),
});

/**
 * Fields only the operator may change: they move billing periods, prices, charges and alerts. A
 * tenant admin changes name and buyer tax profile only; a new input field must be placed here or
 * in that exclusion, or this does not compile.
 */
const OPERATOR_ONLY_FIELDS: Record<Exclude<keyof TenantUpdateInput, 'tenantId' | 'name' | 'buyerTaxProfile'>, true> = {
  externalId: true,
  timezone: true,
  billingCurrency: true,
  failedRequestPolicy: true,
  balanceLowLevel: true,
};

export function auditView(tenant: Tenant): Record<string, unknown> {
  return {
    name: tenant.name,
    externalId: tenant.externalId ?? null,
    status: tenant.status,
    timezone: tenant.timezone,
    billingCurrency: tenant.billingCurrency,
    failedRequestPolicy: tenant.failedRequestPolicy,
    buyerTaxProfile: { ...tenant.buyerTaxProfile },
    balanceLowLevel: tenant.balanceLowLevel ?? null,
  };
}

function applyBuyerTaxProfile(profile: BuyerTaxProfile, changes: z.output<typeof buyerTaxProfileSchema>): void {
  for (const [key, value] of Object.entries(changes) as [keyof BuyerTaxProfile, string | null | undefined][]) {
    if (value !== undefined) profile[key] = value;
  }
}

/** A tenant the actor may see, or null (another tenant's is null, as if it did not exist). */
export async function findTenant(context: RequestContext, id: string): Promise<Tenant | null> {
  requireRole(context.actor, TENANT_READERS);
  return context.loaders.tenantById.load(id);
}

export function listTenants(context: RequestContext, filter: TenantFilterInput | null | undefined, order: TenantOrderInput | null | undefined, page: PageArgs) {
  requireRole(context.actor, TENANT_READERS);
  const where: FilterQuery<Tenant> = {};
  if (filter?.status?.length) where.status = { $in: filter.status };
  if (filter?.nameContains) where.name = { $ilike: containsPattern(filter.nameContains) };
  if (filter?.externalId) where.externalId = filter.externalId;
  if (filter?.updatedSince) where.updatedAt = { $gte: filter.updatedSince };
  return paginate({
    em: context.em,
    entity: Tenant,
    where,
    sortField: order?.field ?? 'createdAt',
    direction: order?.direction ?? OrderDirection.ASC,
    page,
  });
}

/** Turns the external-id constraint into a userError; the constraint, not a pre-check, decides under races. */
async function withExternalIdCheck<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException && error.message.includes(TENANT_EXTERNAL_ID_CONSTRAINT)) {
      throw UserInputErrors.single(UserErrorCode.TAKEN, ['input', 'externalId'], 'externalId is already the ERP code of another tenant');
    }
    throw error;
  }
}

export async function createTenant(context: RequestContext, input: TenantCreateInput): Promise<Tenant> {
  requireRole(context.actor, [Role.PLATFORM_ADMIN]);
  const values = validateInput(tenantCreateSchema, input);
  return withExternalIdCheck(() =>
    inTransaction(context, async (transaction) => {
      const tenant = transaction.em.create(Tenant, {
        name: values.name,
        externalId: values.externalId ?? null,
        ...(values.timezone ? { timezone: values.timezone } : {}),
        ...(values.billingCurrency ? { billingCurrency: values.billingCurrency } : {}),
        ...(values.failedRequestPolicy ? { failedRequestPolicy: values.failedRequestPolicy } : {}),
      });
      if (values.buyerTaxProfile) applyBuyerTaxProfile(tenant.buyerTaxProfile, values.buyerTaxProfile);
      await recordAudit(transaction, { tenantId: tenant.id, action: 'tenant.create', targetId: tenant.id, after: auditView(tenant) });
      return tenant;
    }),
  );
}

/** Loads a tenant for a change inside a transaction, locked so concurrent changes serialise. */
export async function lockTenantForChange(transaction: RequestContext, tenantId: string, field: string[]): Promise<Tenant> {
  const id = inputId('Tenant', tenantId, field);
  const tenant = await transaction.em.findOne(Tenant, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  if (!tenant) throw UserInputErrors.single(UserErrorCode.NOT_FOUND, field, `${field.at(-1)} names no tenant you can see`);
  return tenant;
}

/** A read of usage's table in SQL: the usage module depends on tenants, so tenants do not import it. */
async function hasRecordedUsage(context: RequestContext, tenantId: string): Promise<boolean> {
  return (await queryRows(context.em, 'select 1 from usage_request where tenant_id = $1 limit 1', [tenantId])).length > 0;
}

/**
 * Spend counters and bills are kept in the tenant's currency and cut by its local days and months:
 * once usage is recorded, changing either would mix currencies or periods in the same figures.
 */
async function refuseRebucketingUsage(
  transaction: RequestContext,
  tenant: Tenant,
  values: { timezone?: string | null; billingCurrency?: CurrencyCode | null },
) {
  const changed = (['timezone', 'billingCurrency'] as const).filter((field) => values[field] && values[field] !== tenant[field]);
  if (changed.length === 0 || !(await hasRecordedUsage(transaction, tenant.id))) return;
  throw new UserInputErrors(
    changed.map((field) => ({
      code: UserErrorCode.INVALID_STATE,
      field: ['input', field],
      message: `${field} cannot change once the tenant has recorded usage: spend and bills are kept in its currency and local periods`,
    })),
  );
}

export async function updateTenant(context: RequestContext, input: TenantUpdateInput): Promise<Tenant> {
  requireRole(context.actor, TENANT_PROFILE_WRITERS);
  const { tenantId, ...changes } = input;
  // Before validation: a field the caller may not change is NOT_PERMITTED, whatever its value.
  if (context.actor.role !== Role.PLATFORM_ADMIN) {
    const refused = (Object.keys(OPERATOR_ONLY_FIELDS) as (keyof typeof OPERATOR_ONLY_FIELDS)[]).filter((field) => changes[field] != null);
    if (refused.length) {
      throw new UserInputErrors(
        refused.map((field) => ({
          code: UserErrorCode.NOT_PERMITTED,
          field: ['input', field],
          message: `${field} can only be changed by the operator (PLATFORM_ADMIN)`,
        })),
      );
    }
  }
  const values = validateInput(tenantUpdateSchema, changes);
  return withExternalIdCheck(() =>
    inTransaction(context, async (transaction) => {
      const tenant = await lockTenantForChange(transaction, tenantId, ['input', 'tenantId']);
      await refuseRebucketingUsage(transaction, tenant, values);
      const before = auditView(tenant);
      if (values.name) tenant.name = values.name;
      if (values.externalId !== undefined) tenant.externalId = values.externalId;
      if (values.timezone) tenant.timezone = values.timezone;
      if (values.billingCurrency) tenant.billingCurrency = values.billingCurrency;
      if (values.failedRequestPolicy) tenant.failedRequestPolicy = values.failedRequestPolicy;
      if (values.balanceLowLevel != null) tenant.balanceLowLevel = decimal(values.balanceLowLevel).isZero() ? null : values.balanceLowLevel;
      if (values.buyerTaxProfile) applyBuyerTaxProfile(tenant.buyerTaxProfile, values.buyerTaxProfile);
      await recordAudit(transaction, { tenantId: tenant.id, action: 'tenant.update', targetId: tenant.id, before, after: auditView(tenant) });
      return tenant;
    }),
  );
}

async function changeStatus(context: RequestContext, tenantId: string, from: TenantStatus, to: TenantStatus, reason: string | null): Promise<Tenant> {
  requireRole(context.actor, [Role.PLATFORM_ADMIN]);
  const changed = await inTransaction(context, async (transaction) => {
    const tenant = await lockTenantForChange(transaction, tenantId, ['input', 'tenantId']);
    if (tenant.status !== from) {
      throw UserInputErrors.single(
        UserErrorCode.INVALID_STATE,
        ['input', 'tenantId'],
        `tenantId names a ${tenant.status} tenant; only a ${from} tenant can become ${to}`,
      );
    }
    const before = auditView(tenant);
    tenant.status = to;
    tenant.suspendedAt = to === TenantStatus.SUSPENDED ? transaction.clock.now() : null;
    const action = to === TenantStatus.SUSPENDED ? 'tenant.suspend' : 'tenant.reactivate';
    await recordAudit(transaction, {
      tenantId: tenant.id,
      action,
      targetId: tenant.id,
      before,
      after: { ...auditView(tenant), ...(reason ? { reason } : {}) },
    });
    // The tenant's tokens hold live connections only while it is ACTIVE (see AccessTokenSessions).
    await publishOnCommit(transaction.em, ACCESS_TOKENS_CHANGED, { tenantId: tenant.id } satisfies AccessTokensChangedEvent);
    return tenant;
  });
  context.accessTokens.evict({ tenantId: changed.id });
  return changed;
}

export function suspendTenant(context: RequestContext, input: TenantSuspendInput): Promise<Tenant> {
  const { reason } = validateInput(z.object({ reason: requiredText(500) }), { reason: input.reason });
  return changeStatus(context, input.tenantId, TenantStatus.ACTIVE, TenantStatus.SUSPENDED, reason);
}

export function reactivateTenant(context: RequestContext, input: TenantReactivateInput): Promise<Tenant> {
  return changeStatus(context, input.tenantId, TenantStatus.SUSPENDED, TenantStatus.ACTIVE, null);
}
