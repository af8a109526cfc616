import { Entity, Enum, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { SpendScopeType } from './spend-counter.entity.js';
import { TenantOwned } from '../../platform/database/tenant-scope.js';

/** Charged spend of a scope per UTC clock hour: what SPEND_SPIKE compares with the scope's usual pace. */
@Entity({ tableName: 'spend_hourly' })
@TenantOwned('tenantId')
export class SpendHourly {
  @PrimaryKey({ type: 'text' })
  scopeId!: string;

  @PrimaryKey({ type: 'timestamptz' })
  hourStart!: Date;

  @Enum({ items: () => SpendScopeType, nativeEnumName: 'spend_scope_type' })
  scopeType!: SpendScopeType;

  @PrimaryKey({ type: 'text' })
  tenantId!: string;

  @Property({ type: 'decimal', precision: 30, scale: 16 })
  spent!: string;
}
