import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Timestamped } from '../../platform/database/timestamps.js';
import { newId } from '../../platform/ids.js';
import { Role } from '../../platform/auth/roles.js';
import { Tenant } from '../tenant/tenant.entity.js';
import { TenantOwned } from '../../platform/database/tenant-scope.js';

/** A credential for this API. Tenant roles carry their tenant; platform roles carry none. */
@Entity({ tableName: 'access_token' })
@TenantOwned('tenant')
export class AccessToken extends Timestamped {
  @PrimaryKey({ type: 'text' })
  id: string = newId('AccessToken');

  @Property({ type: 'text' })
  name!: string;

  @Enum({ items: () => Role, nativeEnumName: 'role' })
  role!: Role;

  @ManyToOne(() => Tenant, { nullable: true, deleteRule: 'restrict' })
  @Index()
  tenant?: Tenant | null;

  @Property({ type: 'text', unique: true })
  secretHash!: string;

  @Property({ type: 'text' })
  secretPrefix!: string;

  @Property({ type: 'timestamptz', nullable: true })
  expiresAt?: Date | null;

  @Property({ type: 'timestamptz', nullable: true })
  revokedAt?: Date | null;

  /** The token that created this one; null for seeded and bootstrap tokens. */
  @Property({ type: 'text', nullable: true })
  createdByTokenId?: string | null;
}
