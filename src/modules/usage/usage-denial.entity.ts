import { Entity, Enum, Index, PrimaryKey, Property, Unique } from '@mikro-orm/decorators/legacy';
import { countColumn } from '../../platform/database/columns.js';
import { TenantOwned } from '../../platform/database/tenant-scope.js';
import { newId } from '../../platform/ids.js';
import { SpendScopeType } from '../spend/spend-counter.entity.js';

/** The gateway check that refused. */
export enum GatewayCheck {
  AUTHORIZE = 'AUTHORIZE',
  RESERVE = 'RESERVE',
  /** usageTaskSubmit, which reserves for a task. */
  TASK_SUBMIT = 'TASK_SUBMIT',
}

/**
 * The refusals of one API key by `usageAuthorize`, `usageReserve` or `usageTaskSubmit`, for one
 * code and model, in one UTC minute: a flood of them is one row, its count rising (usage-denials.ts
 * writes it). Refusals of a secret no key has are not kept: they belong to no tenant, and the
 * secret is never stored.
 */
@Entity({ tableName: 'usage_denial' })
@Unique({ name: 'usage_denial_minute_unique', properties: ['tenantId', 'apiKeyId', 'minute', 'check', 'code', 'model'] })
@Index({ name: 'usage_denial_tenant_minute_index', properties: ['tenantId', 'minute', 'id'] })
@Index({ name: 'usage_denial_minute_index', properties: ['minute'] })
@TenantOwned('tenantId')
export class UsageDenialEntry {
  @PrimaryKey({ type: 'text' })
  id: string = newId('UsageDenial');

  @PrimaryKey({ type: 'text' })
  tenantId!: string;

  @Property({ type: 'text' })
  apiKeyId!: string;

  /** The start of the UTC minute the refusals fell in. */
  @Property({ type: 'timestamptz' })
  minute!: Date;

  @Enum({ items: () => GatewayCheck, nativeEnumName: 'gateway_check' })
  check!: GatewayCheck;

  /** A UsageDenialCode. */
  @Property({ type: 'text' })
  code!: string;

  @Property({ type: 'text' })
  model!: string;

  @Property({ type: 'smallint' })
  httpStatus!: number;

  /** The scope whose limit refused (spend and rate denials), as the last refusal of the minute named it. */
  @Enum({ items: () => SpendScopeType, nativeEnumName: 'spend_scope_type', nullable: true })
  scopeType?: SpendScopeType | null;

  @Property({ type: 'text', nullable: true })
  scopeId?: string | null;

  /** The last refusal's message: it names the limit, its figures and the estimate. */
  @Property({ type: 'text' })
  message!: string;

  @Property(countColumn())
  count!: number;

  @Property({ type: 'timestamptz' })
  firstAt!: Date;

  @Property({ type: 'timestamptz' })
  lastAt!: Date;
}
