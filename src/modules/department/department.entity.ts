import { Entity, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Timestamped } from '../../platform/database/timestamps.js';
import { newId } from '../../platform/ids.js';
import { Tenant } from '../tenant/tenant.entity.js';
import { TenantOwned } from '../../platform/database/tenant-scope.js';

@Entity({ tableName: 'department' })
/** Active sibling names are unique, case-insensitively; NULLS NOT DISTINCT covers root departments. */
@Index({
  name: 'department_sibling_name_unique',
  expression:
    'create unique index "department_sibling_name_unique" on "department" ("tenant_id", "parent_id", lower("name")) nulls not distinct where "archived_at" is null',
})
@TenantOwned('tenant')
export class Department extends Timestamped {
  @PrimaryKey({ type: 'text' })
  id: string = newId('Department');

  @ManyToOne(() => Tenant, { deleteRule: 'restrict' })
  @Index()
  tenant!: Tenant;

  @ManyToOne(() => Department, { nullable: true, deleteRule: 'restrict' })
  @Index()
  parent?: Department | null;

  @Property({ type: 'text' })
  name!: string;

  @Property({ type: 'timestamptz', nullable: true })
  archivedAt?: Date | null;
}
