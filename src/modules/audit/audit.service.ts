import type { FilterQuery } from '@mikro-orm/postgresql';
import type { RequestContext } from '../../context.js';
import { requireRole, tenantScope } from '../../platform/auth/actor.js';
import { AUDIT_READERS } from '../../platform/auth/roles.js';
import { publishOnCommit } from '../../platform/events/pubsub.js';
import { OrderDirection, paginate, type PageArgs } from '../../platform/graphql/relay.js';
import { AuditEntry } from './audit-entry.entity.js';
import { AUDIT_ENTRY_RECORDED, type AuditEvent } from './audit-events.js';

export interface AuditChange {
  tenantId: string | null;
  action: string;
  targetId: string;
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
}

/** Writes an audit entry in the caller's transaction and announces it on commit: the signal that what the tenant's gateway checks read may have changed. */
export async function recordAudit(transaction: RequestContext, change: AuditChange): Promise<void> {
  const { actor } = transaction;
  const entry = transaction.em.create(AuditEntry, {
    ...change,
    actorTokenId: actor.tokenId,
    actorRole: actor.role,
    requestId: transaction.requestId,
    createdAt: transaction.clock.now(),
  });
  transaction.em.persist(entry);
  const event: AuditEvent = { id: entry.id, tenantId: change.tenantId };
  await publishOnCommit(transaction.em, AUDIT_ENTRY_RECORDED, event);
  // Every process drops what usageAuthorize kept of the tenant when the event arrives; this one at once.
  transaction.authorizationFacts.changingHere(change.tenantId);
}

export interface AuditEntryFilter {
  tenantId?: string | null;
  targetId?: string | null;
  action?: string | null;
  from?: Date | null;
  to?: Date | null;
}

export function listAuditEntries(context: RequestContext, filter: AuditEntryFilter, page: PageArgs) {
  requireRole(context.actor, AUDIT_READERS);
  const tenantId = tenantScope(context.actor, filter.tenantId);
  const where: FilterQuery<AuditEntry> = {};
  if (tenantId) where.tenantId = tenantId;
  if (filter.targetId) where.targetId = filter.targetId;
  if (filter.action) where.action = filter.action;
  if (filter.from || filter.to) {
    where.createdAt = { ...(filter.from ? { $gte: filter.from } : {}), ...(filter.to ? { $lt: filter.to } : {}) };
  }
  return paginate({ em: context.em, entity: AuditEntry, where, sortField: 'createdAt', direction: OrderDirection.DESC, page });
}

/** An audit entry the actor may see, or null. */
export async function findAuditEntry(context: RequestContext, id: string): Promise<AuditEntry | null> {
  requireRole(context.actor, AUDIT_READERS);
  return context.em.findOne(AuditEntry, { id });
}
