import { Entity, Enum, Index, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { newId } from '../../platform/ids.js';
import { Role } from '../../platform/auth/roles.js';
import { TenantOwned } from '../../platform/database/tenant-scope.js';

/** Append-only record of who changed access or money. Plain ids, no foreign keys: it outlives what it names. */
@Entity({ tableName: 'audit_entry' })
@Index({ properties: ['tenantId', 'createdAt'] })
@TenantOwned('tenantId')
export class AuditEntry {
  @PrimaryKey({ type: 'text' })
  id: string = newId('AuditEntry');

  @Property({ type: 'text', nullable: true })
  tenantId?: string | null;

  @Property({ type: 'text', nullable: true })
  actorTokenId?: string | null;

  @Enum({ items: () => Role, nativeEnumName: 'role', nullable: true })
  actorRole?: Role | null;

  @Property({ type: 'text' })
  action!: string;

  @Property({ type: 'text' })
  targetId!: string;

  @Property({ type: 'jsonb', nullable: true })
  before?: Record<string, unknown> | null;

  @Property({ type: 'jsonb', nullable: true })
  after?: Record<string, unknown> | null;

  @Property({ type: 'text', nullable: true })
  requestId?: string | null;

  @Property({ type: 'timestamptz' })
  createdAt!: Date;
}
