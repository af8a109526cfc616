import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { Money } from '../../platform/graphql/money.types.js';
import { payloadType } from '../../platform/graphql/payload.js';
import { connectionType, Node } from '../../platform/graphql/relay.js';
import { DecimalScalar } from '../../platform/graphql/scalars.js';
import type { CurrencyCode } from '../../platform/money.js';
import { scopeNode } from '../spend/spend.service.js';
import { SpendPeriod, SpendScopeInput, SpendScopeNode, TaskStage } from '../spend/spend.types.js';
import { DEFAULT_THRESHOLDS, type Budget } from './budget.entity.js';

@ObjectType('Budget', {
  implements: Node,
  description: "A spend limit on a scope per period in the tenant's time zone, with alert thresholds; hard budgets also stop spending.",
})
export class BudgetNode extends Node {
  @Field(() => SpendScopeNode, { description: 'The tenant, department (with everything below it) or key the budget limits.' })
  scope!: SpendScopeNode;

  @Field(() => SpendPeriod, { description: 'DAILY or MONTHLY.' })
  period!: SpendPeriod;

  @Field(() => TaskStage, { nullable: true, description: "Only the spend of the scope's tasks of this stage (usageTaskSubmit); null: all spend." })
  stage!: TaskStage | null;

  @Field(() => Money, { description: 'The limit per period.' })
  limit!: Money;

  @Field(() => [Int], { description: 'Percentages of the limit that raise an alert when spend reaches them, ascending.' })
  thresholds!: number[];

  @Field({ description: 'Hard: usageAuthorize denies (BUDGET_EXCEEDED, 402) once spend reaches the limit. Otherwise alerts only.' })
  isHard!: boolean;

  @Field(() => Date, { description: 'When the budget was created.' })
  createdAt!: Date;

  @Field(() => Date, { description: 'When it last changed.' })
  updatedAt!: Date;
}

export function toBudgetNode(budget: Budget, currency: CurrencyCode): BudgetNode {
  return Object.assign(new BudgetNode(), {
    id: budget.id,
    scope: scopeNode(budget.scopeType, budget.scopeId, budget.tenantId),
    period: budget.period,
    stage: budget.stage ?? null,
    limit: Money.of(budget.limitAmount, currency),
    thresholds: budget.thresholds,
    isHard: budget.isHard,
    createdAt: budget.createdAt,
    updatedAt: budget.updatedAt,
  });
}

export const BudgetConnection = connectionType(BudgetNode, 'Budget');

@InputType('BudgetSetInput', { description: 'Create the budget of a scope, period and stage, or replace its terms.' })
export class BudgetSetInput {
  @Field(() => SpendScopeInput, { description: 'The scope: a tenant, a department (covering everything below it) or a key.' })
  scope!: SpendScopeInput;

  @Field(() => SpendPeriod, { description: "DAILY or MONTHLY, in the tenant's time zone." })
  period!: SpendPeriod;

  @Field(() => DecimalScalar, { description: "The limit per period, in the tenant's billing currency; greater than 0, at most 10 decimal places." })
  limit!: string;

  @Field(() => [Int], {
    defaultValue: DEFAULT_THRESHOLDS,
    description: 'Whole percentages of the limit that raise an alert, strictly ascending, 1 to 10 of them, each 1 to 100. Default [50, 80, 100].',
  })
  thresholds!: number[];

  @Field({ description: 'Deny spending once the limit is reached (true), or only alert (false).' })
  isHard!: boolean;

  @Field(() => TaskStage, {
    nullable: true,
    description:
      "Limit only the spend of the scope's image and video tasks of this stage (usageTaskSubmit refuses a task of the stage past a hard one); a scope has a budget of all spend and one per stage, per period. None: all spend.",
  })
  stage?: TaskStage | null;
}

@InputType('BudgetDeleteInput', { description: 'Remove a budget; its alerts stay.' })
export class BudgetDeleteInput {
  @Field(() => ID, { description: 'The budget.' })
  budgetId!: string;
}

@InputType('BudgetFilter', { description: 'Narrows `budgets`.' })
export class BudgetFilterInput {
  @Field(() => ID, { nullable: true, description: 'Only this tenant (operator only; tenant users always see their own).' })
  tenantId?: string | null;

  @Field(() => SpendScopeInput, { nullable: true, description: 'Only the budgets of this scope.' })
  scope?: SpendScopeInput | null;

  @Field(() => TaskStage, { nullable: true, description: 'Only the budgets of this task stage.' })
  stage?: TaskStage | null;
}

export const BudgetPayload = payloadType('BudgetPayload', 'budget', BudgetNode, 'Result of a mutation on a budget.');
