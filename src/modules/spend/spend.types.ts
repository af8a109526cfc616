import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { Money } from '../../platform/graphql/money.types.js';
import { DecimalScalar, LocalDateScalar, SafeIntScalar } from '../../platform/graphql/scalars.js';
import { SpendPeriod, SpendScopeType, TaskStage } from './spend-counter.entity.js';

export { SpendPeriod, SpendScopeType, TaskStage };

registerEnumType(SpendPeriod, {
  name: 'SpendPeriod',
  description: "A calendar period in the tenant's time zone: usage at 2026-10-31T16:30Z is November in Asia/Shanghai.",
  valuesConfig: {
    DAILY: { description: "One day in the tenant's time zone, from local midnight to the next." },
    MONTHLY: { description: "One calendar month in the tenant's time zone: the same month a bill covers." },
  },
});
registerEnumType(TaskStage, {
  name: 'TaskStage',
  description: 'The stage of an image or video task (usageTaskSubmit): budgets can limit each apart, drafts on cheap limits and final output on its own.',
  valuesConfig: {
    DRAFT: { description: 'Draft work: previews and iterations.' },
    FINAL: { description: 'Final output, delivered to the customer.' },
  },
});
registerEnumType(SpendScopeType, {
  name: 'SpendScopeType',
  description: 'What a spend figure covers.',
  valuesConfig: {
    TENANT: { description: 'A whole tenant: all of its usage.' },
    DEPARTMENT: { description: 'A department and every department below it.' },
    API_KEY: { description: 'One API key.' },
  },
});

@InputType('SpendScopeInput', { description: 'Exactly one of tenantId, departmentId (that department and every one below it) or apiKeyId.' })
export class SpendScopeInput {
  @Field(() => ID, { nullable: true, description: 'A whole tenant.' })
  tenantId?: string | null;

  @Field(() => ID, { nullable: true, description: 'A department and every department below it.' })
  departmentId?: string | null;

  @Field(() => ID, { nullable: true, description: 'One API key.' })
  apiKeyId?: string | null;
}

@ObjectType('SpendScope', { description: 'The tenant, department (with its subtree) or API key a spend figure covers.' })
export class SpendScopeNode {
  @Field(() => SpendScopeType, { description: 'Kind of scope.' })
  type!: SpendScopeType;

  @Field(() => ID, { description: 'Id of the tenant, department or API key.' })
  id!: string;

  @Field(() => ID, { description: 'The tenant the scope belongs to.' })
  tenantId!: string;
}

@ObjectType('Spend', { description: "Charged spend of a scope in one period, exact, in the tenant's billing currency." })
export class SpendNode {
  @Field(() => SpendScopeNode, { description: 'What the figure covers.' })
  scope!: SpendScopeNode;

  @Field(() => SpendPeriod, { description: 'DAILY or MONTHLY.' })
  period!: SpendPeriod;

  @Field(() => LocalDateScalar, { description: "First local day of the period in the tenant's time zone." })
  periodStart!: string;

  @Field(() => Money, { description: 'Charged so far in the period: the exact sum of the usage records (not rounded).' })
  spent!: Money;

  @Field(() => SafeIntScalar, { description: 'Usage records counted in the period, charged or not.' })
  requestCount!: number;

  @Field(() => Money, { nullable: true, description: 'The limit on this scope for this period; null when none applies.' })
  limit!: Money | null;

  @Field(() => Money, { nullable: true, description: 'Limit minus spent, never below zero; null when no limit applies.' })
  remaining!: Money | null;

  @Field(() => DecimalScalar, { nullable: true, description: 'Spent as a percentage of the limit, 2 decimal places; null when no limit applies.' })
  percentUsed!: string | null;
}

@ObjectType('SpendSnapshot', { description: "A scope's spend right after a recorded usage batch moved it." })
export class SpendSnapshotNode {
  @Field(() => SpendScopeNode, { description: 'The scope that moved.' })
  scope!: SpendScopeNode;

  @Field(() => [SpendNode], { description: 'Every period of the scope the batch moved (usually today and this month), with totals after the batch.' })
  spends!: SpendNode[];

  @Field(() => Date, { description: 'When the batch was recorded.' })
  recordedAt!: Date;
}
