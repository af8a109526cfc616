import { filter, pipe } from '@graphql-yoga/subscription';
import { Arg, Args, Authorized, Ctx, ID, Query, Resolver, Root, Subscription } from 'type-graphql';
import { beginSubscriptionEvent, type RequestContext } from '../../context.js';
import { canSeeTenant, requireRole, tenantScope } from '../../platform/auth/actor.js';
import { AUDIT_READERS } from '../../platform/auth/roles.js';
import { PageArgs } from '../../platform/graphql/relay.js';
import { AUDIT_ENTRY_RECORDED, type AuditEvent } from './audit-events.js';
import { findAuditEntry, listAuditEntries } from './audit.service.js';
import { AuditEntryConnection, AuditEntryFilterInput, AuditEntryNode, toAuditEntryNode } from './audit.types.js';

@Resolver(() => AuditEntryNode)
export class AuditResolver {
  @Authorized(AUDIT_READERS)
  @Query(() => AuditEntryConnection, { description: "Who changed access or money, newest first. Operator and tenant admins (their tenant's) only." })
  async auditEntries(
    @Ctx() context: RequestContext,
    @Args() page: PageArgs,
    @Arg('filter', () => AuditEntryFilterInput, { nullable: true, description: 'Only entries that match every condition given.' })
    filter: AuditEntryFilterInput | null,
  ) {
    return AuditEntryConnection.from(await listAuditEntries(context, filter ?? {}, page), toAuditEntryNode);
  }

  @Subscription(() => AuditEntryNode, {
    description: "Audit entries as they are committed, on any server. Admins only; tenant admins get their tenant's.",
    subscribe: ({ context, args }) => {
      const { actor, pubSub } = context as RequestContext;
      requireRole(actor, AUDIT_READERS);
      const tenantId = tenantScope(actor, args.tenantId as string | undefined);
      return pipe(
        pubSub.subscribe(AUDIT_ENTRY_RECORDED),
        filter((event: unknown) => {
          const { tenantId: eventTenantId } = event as AuditEvent;
          if (tenantId) return eventTenantId === tenantId;
          return canSeeTenant(actor, eventTenantId);
        }),
      );
    },
  })
  async auditEntryRecorded(
    @Ctx() context: RequestContext,
    @Root() event: AuditEvent,
    @Arg('tenantId', () => ID, { nullable: true, description: 'Only this tenant (operator only).' }) _tenantId: string | null,
  ): Promise<AuditEntryNode> {
    beginSubscriptionEvent(context);
    const entry = await findAuditEntry(context, event.id);
    if (!entry) throw new Error(`audit entry ${event.id} announced but not readable`);
    return toAuditEntryNode(entry);
  }
}
