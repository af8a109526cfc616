import { Entity, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Timestamped } from '../../platform/database/timestamps.js';
import { newId } from '../../platform/ids.js';
import { Tenant } from '../tenant/tenant.entity.js';

@Entity({ tableName: 'department' })
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
