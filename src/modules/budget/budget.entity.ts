import { ArrayType, OptionalProps } from '@mikro-orm/core';
import { Entity, Enum, Index, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { newId } from '../../platform/ids.js';
import { SpendPeriod, SpendScopeType, TaskStage } from '../spend/spend-counter.entity.js';
import { TenantOwned } from '../../platform/database/tenant-scope.js';

export const DEFAULT_THRESHOLDS = [50, 80, 100];

/**
 * A spend limit on one scope (tenant, department with its subtree, or key) per period in the
 * tenant's time zone. At most one live budget per scope, period and stage; deleted budgets are kept for
 * the alerts that name them. A stage budget limits only the spend of that stage's tasks
 * (usageTaskSubmit), and lives beside the scope's budget of all spend.
 */
@Entity({ tableName: 'budget' })
@Index({
  name: 'budget_scope_period_live_unique',
  expression:
    'create unique index "budget_scope_period_live_unique" on "budget" ("tenant_id", "scope_id", "period", "stage") nulls not distinct where "deleted_at" is null',
})
@Index({ properties: ['tenantId', 'createdAt'] })
@TenantOwned('tenantId')
export class Budget {
  [OptionalProps]?: 'createdAt' | 'updatedAt' | 'thresholds';

  @PrimaryKey({ type: 'text' })
  id: string = newId('Budget');

  @PrimaryKey({ type: 'text' })
  tenantId!: string;

  @Enum({ items: () => SpendScopeType, nativeEnumName: 'spend_scope_type' })
  scopeType!: SpendScopeType;

  @Property({ type: 'text' })
  scopeId!: string;

  @Enum({ items: () => SpendPeriod, nativeEnumName: 'spend_period' })
  period!: SpendPeriod;

  /** Only the spend of tasks of this stage; null for all spend. */
  @Enum({ items: () => TaskStage, nativeEnumName: 'task_stage', nullable: true })
  stage?: TaskStage | null;

  /** In the tenant's billing currency. */
  @Property({ type: 'decimal', precision: 24, scale: 10 })
  limitAmount!: string;

  /** Ascending whole percentages; reaching each raises one alert per period. */
  @Property({ type: new ArrayType((item) => Number(item)), columnType: 'int[]', defaultRaw: "'{50,80,100}'" })
  thresholds: number[] = [...DEFAULT_THRESHOLDS];

  /** Hard: usageAuthorize denies once spend reaches the limit. Otherwise alerts only. */
  @Property({ type: 'boolean' })
  isHard!: boolean;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', defaultRaw: 'now()', onUpdate: () => new Date() })
  updatedAt: Date = new Date();

  @Property({ type: 'timestamptz', nullable: true })
  deletedAt?: Date | null;
}
