import { Entity, Enum, Index, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { TenantOwned } from '../../platform/database/tenant-scope.js';

/** A calendar period in the tenant's time zone. */
export enum SpendPeriod {
  DAILY = 'DAILY',
  MONTHLY = 'MONTHLY',
}

/**
 * A stage of image and video generation (usageTaskSubmit): drafts, iterated on cheaply, and final
 * output. Budgets can limit each stage's spend apart (stage_spend_counter measures it).
 */
export enum TaskStage {
  DRAFT = 'DRAFT',
  FINAL = 'FINAL',
}

export enum SpendScopeType {
  TENANT = 'TENANT',
  DEPARTMENT = 'DEPARTMENT',
  API_KEY = 'API_KEY',
}

/**
 * Running spend of one scope in one period: always the sum of the scope's charged usage records
 * in that period (a department's includes every department below it). Written only by the spend
 * step of usage ingestion (spend.repository.ts), one aggregated upsert per scope and period per batch.
 */
@Entity({ tableName: 'spend_counter' })
@Index({ properties: ['tenantId', 'period', 'periodStart'] })
@TenantOwned('tenantId')
export class SpendCounter {
  /** The tenant, department or API key id: ids are type-prefixed, so unique across scope types. */
  @PrimaryKey({ type: 'text' })
  scopeId!: string;

  @Enum({ items: () => SpendPeriod, nativeEnumName: 'spend_period', primary: true })
  period!: SpendPeriod;

  /** The first local day of the period in the tenant's time zone. */
  @PrimaryKey({ type: 'date' })
  periodStart!: string;

  @Enum({ items: () => SpendScopeType, nativeEnumName: 'spend_scope_type' })
  scopeType!: SpendScopeType;

  @PrimaryKey({ type: 'text' })
  tenantId!: string;

  /** Exact charged amount in the tenant's billing currency. */
  @Property({ type: 'decimal', precision: 30, scale: 16 })
  spent!: string;

  @Property({ type: 'bigint' })
  requestCount!: string;

  @Property({ type: 'timestamptz' })
  updatedAt!: Date;
}

/**
 * Running spend of the tasks of one stage, in one scope and period: the sum of the charged usage of
 * the scope's completed tasks of that stage. What a stage budget is measured against. Written only
 * by `addStageSpend` (spend.repository.ts), when a task completes.
 */
@Entity({ tableName: 'stage_spend_counter' })
@TenantOwned('tenantId')
export class StageSpendCounter {
  @PrimaryKey({ type: 'text' })
  scopeId!: string;

  @Enum({ items: () => TaskStage, nativeEnumName: 'task_stage', primary: true })
  stage!: TaskStage;

  @Enum({ items: () => SpendPeriod, nativeEnumName: 'spend_period', primary: true })
  period!: SpendPeriod;

  @PrimaryKey({ type: 'date' })
  periodStart!: string;

  @PrimaryKey({ type: 'text' })
  tenantId!: string;

  @Enum({ items: () => SpendScopeType, nativeEnumName: 'spend_scope_type' })
  scopeType!: SpendScopeType;

  @Property({ type: 'decimal', precision: 30, scale: 16 })
  spent!: string;

  @Property({ type: 'bigint' })
  requestCount!: string;

  @Property({ type: 'timestamptz' })
  updatedAt!: Date;
}
