import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { AuditEntryNode } from '../audit/audit.types.js';
import type { RequestContext } from '../../context.js';
import { Role, TENANT_PROFILE_WRITERS, TENANT_READERS } from '../../platform/auth/roles.js';
import { PageArgs } from '../../platform/graphql/relay.js';
import { collectUserErrors } from '../../platform/user-errors.js';
import { argumentId } from '../../platform/validation.js';
import { createTenant, findTenant, listTenants, reactivateTenant, suspendTenant, updateTenant } from './tenant.service.js';
import {
  TenantConnection,
  TenantCreateInput,
  TenantFilterInput,
  TenantNode,
  TenantOrderInput,
  TenantPayload,
  TenantReactivateInput,
  TenantSuspendInput,
  TenantUpdateInput,
  toTenantNode,
} from './tenant.types.js';
import type { Tenant } from './tenant.entity.js';

async function tenantPayload(work: () => Promise<Tenant>) {
  const { result, userErrors } = await collectUserErrors(work);
  return { tenant: result ? toTenantNode(result) : null, userErrors };
}

@Resolver(() => TenantNode)
export class TenantResolver {
  @Authorized(TENANT_READERS)
  @Query(() => TenantNode, {
    nullable: true,
    description:
      "One tenant (operator, tenant users and ERP); null when it does not exist or is another tenant's: tenant users and a tenant's ERP read only their own. ERP reads its billing identity only.",
  })
  async tenant(@Ctx() context: RequestContext, @Arg('id', () => ID, { description: 'The tenant (ten_...).' }) id: string): Promise<TenantNode | null> {
    const tenant = await findTenant(context, argumentId('Tenant', id, 'id'));
    return tenant ? toTenantNode(tenant) : null;
  }

  @Authorized(TENANT_READERS)
  @Query(() => TenantConnection, {
    description: "Tenants the caller can see: all for the operator and an operator ERP, its own for a tenant user or a tenant's ERP. Not the gateway.",
  })
  async tenants(
    @Ctx() context: RequestContext,
    @Args() page: PageArgs,
    @Arg('filter', () => TenantFilterInput, { nullable: true, description: 'Only tenants that match every condition given.' }) filter: TenantFilterInput | null,
    @Arg('orderBy', () => TenantOrderInput, { nullable: true, description: 'Sort order; default oldest first (CREATED_AT ascending).' })
    orderBy: TenantOrderInput | null,
  ) {
    return TenantConnection.from(await listTenants(context, filter, orderBy, page), toTenantNode);
  }

  @Authorized([Role.PLATFORM_ADMIN])
  @Mutation(() => TenantPayload, { description: 'Create a tenant (operator only).' })
  tenantCreate(
    @Ctx() context: RequestContext,
    @Arg('input', () => TenantCreateInput, { description: 'The new tenant: name, time zone, billing currency, buyer tax profile and failed-request policy.' })
    input: TenantCreateInput,
  ) {
    return tenantPayload(() => createTenant(context, input));
  }

  @Authorized(TENANT_PROFILE_WRITERS)
  @Mutation(() => TenantPayload, {
    description:
      'Change a tenant. Tenant admins may change name and buyer tax profile of their own tenant; any other field is refused (NOT_PERMITTED) and nothing is written.',
  })
  tenantUpdate(
    @Ctx() context: RequestContext,
    @Arg('input', () => TenantUpdateInput, { description: 'The tenant and the fields to change; fields left out keep their values.' }) input: TenantUpdateInput,
  ) {
    return tenantPayload(() => updateTenant(context, input));
  }

  @Authorized([Role.PLATFORM_ADMIN])
  @Mutation(() => TenantPayload, {
    description:
      'Suspend an ACTIVE tenant (operator only). Until it is reactivated, every key of it is refused and its access tokens hold no WebSocket connection: open ones close with 4403 "Tenant suspended" within a second, new ones are refused alike. Its tokens keep working over HTTP: its people must still read its bills, invoices and balance.',
  })
  tenantSuspend(
    @Ctx() context: RequestContext,
    @Arg('input', () => TenantSuspendInput, { description: 'The tenant to suspend and why.' }) input: TenantSuspendInput,
  ) {
    return tenantPayload(() => suspendTenant(context, input));
  }

  @Authorized([Role.PLATFORM_ADMIN])
  @Mutation(() => TenantPayload, { description: 'Reactivate a SUSPENDED tenant (operator only).' })
  tenantReactivate(
    @Ctx() context: RequestContext,
    @Arg('input', () => TenantReactivateInput, { description: 'The suspended tenant to reactivate.' }) input: TenantReactivateInput,
  ) {
    return tenantPayload(() => reactivateTenant(context, input));
  }
}

/** AuditEntry.tenant: here, since tenants are audited (tenant depends on audit, not the reverse). */
@Resolver(() => AuditEntryNode)
export class AuditEntryTenantResolver {
  @FieldResolver(() => TenantNode, { nullable: true, description: 'The tenant the change concerns; null for platform-wide changes.' })
  async tenant(@Ctx() context: RequestContext, @Root() entry: AuditEntryNode): Promise<TenantNode | null> {
    if (!entry.tenantId) return null;
    const tenant = await context.loaders.tenantById.load(entry.tenantId);
    return tenant ? toTenantNode(tenant) : null;
  }
}
