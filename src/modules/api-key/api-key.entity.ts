import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Timestamped } from '../../platform/database/timestamps.js';
import { newId } from '../../platform/ids.js';
import { Department } from '../department/department.entity.js';
import { SpendPeriod } from '../spend/spend-counter.entity.js';
import { Tenant } from '../tenant/tenant.entity.js';
import { TenantOwned } from '../../platform/database/tenant-scope.js';

export enum ApiKeyEnvironment {
  TEST = 'TEST',
  PRODUCTION = 'PRODUCTION',
}

/** Stored status; EXPIRED is derived from expiresAt at read time. */
export enum StoredApiKeyStatus {
  ACTIVE = 'ACTIVE',
  REVOKED = 'REVOKED',
}

@Entity({ tableName: 'api_key' })
@Index({
  name: 'api_key_tenant_id_created_at_index',
  expression: 'create index "api_key_tenant_id_created_at_index" on "api_key" ("tenant_id", "created_at" desc, "id" desc)',
})
@TenantOwned('tenant')
export class ApiKey extends Timestamped<'status' | 'allowedModels'> {
  @PrimaryKey({ type: 'text' })
  id: string = newId('ApiKey');

  @ManyToOne(() => Tenant, { deleteRule: 'restrict' })
  @Index()
  tenant!: Tenant;

  @ManyToOne(() => Department, { deleteRule: 'restrict' })
  @Index()
  department!: Department;

  @Property({ type: 'text' })
  name!: string;

  @Enum({ items: () => ApiKeyEnvironment, nativeEnumName: 'api_key_environment' })
  environment!: ApiKeyEnvironment;

  @Enum({ items: () => StoredApiKeyStatus, nativeEnumName: 'api_key_status' })
  status: StoredApiKeyStatus = StoredApiKeyStatus.ACTIVE;

  /** SHA-256 of the secret; the secret itself is never stored. */
  @Property({ type: 'text', unique: true })
  secretHash!: string;

  @Property({ type: 'text' })
  secretPrefix!: string;

  @Property({ type: 'timestamptz', nullable: true })
  expiresAt?: Date | null;

  /** Empty means every model is allowed. */
  @Property({ type: 'text[]', defaultRaw: "'{}'" })
  allowedModels: string[] = [];

  @Property({ type: 'decimal', precision: 24, scale: 10, nullable: true })
  spendLimitAmount?: string | null;

  @Enum({ items: () => SpendPeriod, nativeEnumName: 'spend_period', nullable: true })
  spendLimitPeriod?: SpendPeriod | null;

  @Property({ type: 'timestamptz', nullable: true })
  revokedAt?: Date | null;

  @Property({ type: 'timestamptz', nullable: true })
  rotatedAt?: Date | null;
}
