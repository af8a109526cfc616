import { Arg, Args, Authorized, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../context.js';
import { SPEND_CONTROLLERS, SPEND_READERS } from '../../platform/auth/roles.js';
import { PageArgs } from '../../platform/graphql/relay.js';
import { collectUserErrors } from '../../platform/user-errors.js';
import { readSpend } from '../spend/spend.service.js';
import { SpendNode } from '../spend/spend.types.js';
import type { Budget } from './budget.entity.js';
import { deleteBudget, listBudgets, setBudget } from './budget.service.js';
import { BudgetConnection, BudgetDeleteInput, BudgetFilterInput, BudgetNode, BudgetPayload, BudgetSetInput, toBudgetNode } from './budget.types.js';

@Resolver(() => BudgetNode)
export class BudgetResolver {
  private async node(context: RequestContext, budget: Budget): Promise<BudgetNode> {
    const tenant = (await context.loaders.tenantById.load(budget.tenantId))!;
    return toBudgetNode(budget, tenant.billingCurrency);
  }

  private async payload(context: RequestContext, work: () => Promise<Budget>) {
    const { result, userErrors } = await collectUserErrors(work);
    return { budget: result ? await this.node(context, result) : null, userErrors };
  }

  @Authorized(SPEND_READERS)
  @Query(() => BudgetConnection, { description: "Live budgets, oldest first. Operator and tenant users (their tenant's); not ERP." })
  async budgets(
    @Ctx() context: RequestContext,
    @Args() page: PageArgs,
    @Arg('filter', () => BudgetFilterInput, { nullable: true, description: 'Only budgets that match every condition given.' }) filter: BudgetFilterInput | null,
  ) {
    const data = await listBudgets(context, filter, page);
    const tenants = await context.loaders.tenantById.loadMany([...new Set(data.edges.map((edge) => edge.node.tenantId))]);
    const currencies = new Map(tenants.flatMap((tenant) => (tenant && !(tenant instanceof Error) ? [[tenant.id, tenant.billingCurrency]] : [])));
    return BudgetConnection.from(data, (budget) => toBudgetNode(budget, currencies.get(budget.tenantId)!));
  }

  @Authorized(SPEND_CONTROLLERS)
  @Mutation(() => BudgetPayload, {
    description:
      'Set the budget of a scope and period: creates it, or replaces the limit, thresholds and hardness of the live one. Operator, tenant admins and finance.',
  })
  budgetSet(
    @Ctx() context: RequestContext,
    @Arg('input', () => BudgetSetInput, {
      description: "The scope, period, limit, hardness and alert thresholds; it replaces the scope's budget for that period.",
    })
    input: BudgetSetInput,
  ) {
    return this.payload(context, () => setBudget(context, input));
  }

  @Authorized(SPEND_CONTROLLERS)
  @Mutation(() => BudgetPayload, { description: 'Delete a budget. Its alerts stay; spend is no longer limited by it.' })
  budgetDelete(@Ctx() context: RequestContext, @Arg('input', () => BudgetDeleteInput, { description: 'The budget to delete.' }) input: BudgetDeleteInput) {
    return this.payload(context, () => deleteBudget(context, input));
  }

  @FieldResolver(() => SpendNode, {
    description: "Spend of the scope in the current period (of its tasks of the budget's stage, for a stage budget), measured against this budget.",
  })
  async spend(@Ctx() context: RequestContext, @Root() budget: BudgetNode): Promise<SpendNode> {
    const tenant = (await context.loaders.tenantById.load(budget.scope.tenantId))!;
    const scope = { type: budget.scope.type, id: budget.scope.id, tenant };
    return readSpend(context, scope, budget.period, context.clock.now(), budget.limit.amount, budget.stage);
  }
}
