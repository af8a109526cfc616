import type { FilterQuery } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { inTransaction, type RequestContext } from '../../context.js';
import { requireRole, tenantScope } from '../../platform/auth/actor.js';
import { SPEND_CONTROLLERS, SPEND_READERS } from '../../platform/auth/roles.js';
import { OrderDirection, paginate, type PageArgs } from '../../platform/graphql/relay.js';
import { UserErrorCode, UserInputErrors } from '../../platform/user-errors.js';
import { amount, inputId, validateInput } from '../../platform/validation.js';
import { recordAudit } from '../audit/audit.service.js';
import { SpendPeriod, TaskStage } from '../spend/spend-counter.entity.js';
import { resolveInputScope, resolveSpendScope } from '../spend/spend.service.js';
import { lockTenantForChange } from '../tenant/tenant.service.js';
import { Budget } from './budget.entity.js';
import type { BudgetDeleteInput, BudgetFilterInput, BudgetSetInput } from './budget.types.js';

const budgetSchema = z.object({
  period: z.enum(SpendPeriod),
  limit: amount({ allowZero: false }),
  thresholds: z
    .array(z.number().int('must be whole percentages').min(1, 'must be at least 1').max(100, 'must be at most 100'))
    .min(1, 'must list at least 1 threshold')
    .max(10, 'must list at most 10 thresholds')
    .refine((values) => values.every((value, index) => index === 0 || value > values[index - 1]), 'must be strictly ascending'),
  isHard: z.boolean(),
  stage: z.enum(TaskStage).nullish(),
});

function auditView(budget: Budget): Record<string, unknown> {
  return {
    scopeType: budget.scopeType,
    scopeId: budget.scopeId,
    period: budget.period,
    limit: budget.limitAmount,
    thresholds: budget.thresholds,
    isHard: budget.isHard,
    stage: budget.stage ?? null,
    deletedAt: budget.deletedAt?.toISOString() ?? null,
  };
}

/** Creates the live budget of a scope, period and stage, or replaces its terms. Budget changes of a tenant are serialised on its row. */
export async function setBudget(context: RequestContext, input: BudgetSetInput): Promise<Budget> {
  requireRole(context.actor, SPEND_CONTROLLERS);
  const values = validateInput(budgetSchema, input);
  const scope = await resolveInputScope(context, input.scope);
  return inTransaction(context, async (transaction) => {
    await lockTenantForChange(transaction, scope.tenant.id, ['input', 'scope']);
    const stage = values.stage ?? null;
    const existing = await transaction.em.findOne(Budget, { scopeId: scope.id, period: values.period, stage, deletedAt: null });
    const budget =
      existing ??
      transaction.em.create(Budget, {
        tenantId: scope.tenant.id,
        scopeType: scope.type,
        scopeId: scope.id,
        period: values.period,
        stage,
        limitAmount: values.limit,
        isHard: values.isHard,
      });
    const before = existing ? auditView(existing) : null;
    budget.limitAmount = values.limit;
    budget.thresholds = values.thresholds;
    budget.isHard = values.isHard;
    await recordAudit(transaction, { tenantId: scope.tenant.id, action: 'budget.set', targetId: budget.id, before, after: auditView(budget) });
    return budget;
  });
}

export async function deleteBudget(context: RequestContext, input: BudgetDeleteInput): Promise<Budget> {
  requireRole(context.actor, SPEND_CONTROLLERS);
  return inTransaction(context, async (transaction) => {
    const field = ['input', 'budgetId'];
    const budget = await transaction.em.findOne(Budget, { id: inputId('Budget', input.budgetId, field), deletedAt: null });
    if (!budget) {
      throw UserInputErrors.single(UserErrorCode.NOT_FOUND, field, 'budgetId names no budget you can see');
    }
    const before = auditView(budget);
    budget.deletedAt = transaction.clock.now();
    await recordAudit(transaction, { tenantId: budget.tenantId, action: 'budget.delete', targetId: budget.id, before, after: auditView(budget) });
    return budget;
  });
}

export async function listBudgets(context: RequestContext, filter: BudgetFilterInput | null, page: PageArgs) {
  requireRole(context.actor, SPEND_READERS);
  const where: FilterQuery<Budget> = { deletedAt: null };
  const tenantId = tenantScope(context.actor, filter?.tenantId);
  if (tenantId) where.tenantId = tenantId;
  if (filter?.scope) where.scopeId = (await resolveSpendScope(context, filter.scope, 'filter.scope')).id;
  if (filter?.stage !== undefined) where.stage = filter.stage;
  return paginate({ em: context.em, entity: Budget, where, sortField: 'createdAt', direction: OrderDirection.ASC, page });
}

/** A live or deleted budget the actor may see, or null. */
export async function findBudget(context: RequestContext, id: string): Promise<Budget | null> {
  requireRole(context.actor, SPEND_READERS);
  return context.em.findOne(Budget, { id });
}

/** The live budget of all spend of a scope and period, if any. */
export function liveBudget(context: RequestContext, scopeId: string, period: SpendPeriod): Promise<Budget | null> {
  return context.em.findOne(Budget, { scopeId, period, stage: null, deletedAt: null });
}
