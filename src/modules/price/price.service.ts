import type { FilterQuery } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { inTransaction, type RequestContext } from '../../context.js';
import { requireRole } from '../../platform/auth/actor.js';
import { PRICE_BOOK_READERS, Role } from '../../platform/auth/roles.js';
import { queryRows } from '../../platform/database/sql.js';
import { OrderDirection, paginate, type PageArgs } from '../../platform/graphql/relay.js';
import { CurrencyCode } from '../../platform/money.js';
import { UserErrorCode, UserInputErrors } from '../../platform/user-errors.js';
import { amount, validateInput } from '../../platform/validation.js';
import { recordAudit } from '../audit/audit.service.js';
import { ModelPrice, ModelTier } from './model-price.entity.js';
import type { ModelPriceFilterInput, ModelPriceSetInput } from './price.types.js';

/**
 * Advisory lock over the price book. Ingestion holds it shared while it prices a batch; a price
 * change holds it exclusively, so it never supersedes a version under a batch being priced with it.
 */
export const PRICE_BOOK_LOCK = 7_240_002;

export const MODEL_NAME = z
  .string()
  .trim()
  .min(1, 'must not be blank')
  .max(100, 'must be at most 100 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]*$/, 'must use only letters, digits and . _ : / -');

const priceSetSchema = z.object({
  model: MODEL_NAME,
  tier: z.enum(ModelTier),
  currency: z.enum(CurrencyCode),
  inputPerMillionTokens: amount({ allowZero: true }),
  outputPerMillionTokens: amount({ allowZero: true }),
  cachedInputPerMillionTokens: amount({ allowZero: true }),
  perImage: amount({ allowZero: true }),
  perVideoSecond: amount({ allowZero: true }),
  perRequest: amount({ allowZero: true }),
  defaultEstimate: amount({ allowZero: false }).nullish(),
  effectiveFrom: z.date().nullish(),
});

function auditView(price: ModelPrice): Record<string, unknown> {
  return {
    model: price.model,
    tier: price.tier,
    currency: price.currency,
    inputPerMillion: price.inputPerMillion,
    outputPerMillion: price.outputPerMillion,
    cachedInputPerMillion: price.cachedInputPerMillion,
    perImage: price.perImage,
    perVideoSecond: price.perVideoSecond,
    perRequest: price.perRequest,
    defaultEstimate: price.defaultEstimate ?? null,
    effectiveFrom: price.effectiveFrom.toISOString(),
    effectiveTo: price.effectiveTo?.toISOString() ?? null,
  };
}

/** A read of usage's table in SQL: the usage module depends on the price book, so the price book does not import it. */
async function hasUsagePricedSince(context: RequestContext, priceId: string, since: Date): Promise<boolean> {
  return (await queryRows(context.em, 'select 1 from usage_record where price_id = $1 and occurred_at >= $2 limit 1', [priceId, since])).length > 0;
}

/**
 * Adds a price version. It slots in by effectiveFrom: the version before it now ends there, and it
 * ends where the next one (if any) starts. Refused when usage already priced with the version
 * before it occurred at or after effectiveFrom: recorded usage is never repriced.
 */
export async function setModelPrice(context: RequestContext, input: ModelPriceSetInput): Promise<ModelPrice> {
  requireRole(context.actor, [Role.PLATFORM_ADMIN]);
  const values = validateInput(priceSetSchema, input);
  const effectiveFrom = values.effectiveFrom ?? context.clock.now();
  return inTransaction(context, async (transaction) => {
    const { em } = transaction;
    await em.execute('select pg_advisory_xact_lock(?)', [PRICE_BOOK_LOCK]);
    const versions = await em.find(ModelPrice, { model: values.model, currency: values.currency }, { orderBy: { effectiveFrom: 'asc' } });
    const field = ['input', 'effectiveFrom'];
    if (versions.some((version) => version.effectiveFrom.getTime() === effectiveFrom.getTime())) {
      throw UserInputErrors.single(
        UserErrorCode.TAKEN,
        field,
        `effectiveFrom: a version of ${values.model} in ${values.currency} already takes effect at that instant`,
      );
    }
    const previous = versions.findLast((version) => version.effectiveFrom < effectiveFrom);
    const next = versions.find((version) => version.effectiveFrom > effectiveFrom);
    if (previous && (await hasUsagePricedSince(transaction, previous.id, effectiveFrom))) {
      throw UserInputErrors.single(
        UserErrorCode.PRICED_USAGE_EXISTS,
        field,
        `effectiveFrom: usage at or after ${effectiveFrom.toISOString()} is already priced with the version it would supersede; choose a later instant`,
      );
    }
    const price = em.create(ModelPrice, {
      model: values.model,
      tier: values.tier,
      currency: values.currency,
      inputPerMillion: values.inputPerMillionTokens,
      outputPerMillion: values.outputPerMillionTokens,
      cachedInputPerMillion: values.cachedInputPerMillionTokens,
      perImage: values.perImage,
      perVideoSecond: values.perVideoSecond,
      perRequest: values.perRequest,
      defaultEstimate: values.defaultEstimate ?? null,
      effectiveFrom,
      effectiveTo: next?.effectiveFrom ?? null,
      createdAt: transaction.clock.now(),
      createdByTokenId: transaction.actor.tokenId,
    });
    if (previous) previous.effectiveTo = effectiveFrom;
    await recordAudit(transaction, { tenantId: null, action: 'modelPrice.set', targetId: price.id, after: auditView(price) });
    return price;
  });
}

/** The versions in force at `asOf`, one per model and currency, by model name. */
export function listModelPrices(context: RequestContext, asOf: Date | null, filter: ModelPriceFilterInput | null, page: PageArgs) {
  requireRole(context.actor, PRICE_BOOK_READERS);
  const instant = asOf ?? context.clock.now();
  const where: FilterQuery<ModelPrice>[] = [{ effectiveFrom: { $lte: instant } }, { $or: [{ effectiveTo: null }, { effectiveTo: { $gt: instant } }] }];
  if (filter?.models?.length) where.push({ model: { $in: filter.models } });
  if (filter?.tier) where.push({ tier: filter.tier });
  if (filter?.currency) where.push({ currency: filter.currency });
  return paginate({ em: context.em, entity: ModelPrice, where: { $and: where }, sortField: 'model', direction: OrderDirection.ASC, page });
}

/** Prices are the same for every tenant: portals show them, the gateway quotes them. */
export async function findModelPrice(context: RequestContext, id: string): Promise<ModelPrice | null> {
  requireRole(context.actor, PRICE_BOOK_READERS);
  return context.em.findOne(ModelPrice, { id });
}
