import { Arg, Args, Authorized, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../context.js';
import { ACCESS_TOKEN_ADMINS } from '../../platform/auth/roles.js';
import { PageArgs } from '../../platform/graphql/relay.js';
import { collectUserErrors } from '../../platform/user-errors.js';
import { TenantNode, toTenantNode } from '../tenant/tenant.types.js';
import { createAccessToken, getViewerToken, listAccessTokens, revokeAccessToken } from './access-token.service.js';
import {
  AccessTokenConnection,
  AccessTokenCreateInput,
  AccessTokenFilterInput,
  AccessTokenNode,
  AccessTokenPayload,
  AccessTokenRevokeInput,
  AccessTokenSecretPayload,
  ViewerNode,
  toAccessTokenNode,
} from './access-token.types.js';

async function tenantOf(context: RequestContext, tenantId: string | null): Promise<TenantNode | null> {
  if (!tenantId) return null;
  const tenant = await context.loaders.tenantById.load(tenantId);
  return tenant ? toTenantNode(tenant) : null;
}

@Resolver(() => AccessTokenNode)
export class AccessTokenResolver {
  @Query(() => ViewerNode, { description: 'The caller: its role, token and tenant. Every role.' })
  async viewer(@Ctx() context: RequestContext): Promise<ViewerNode> {
    const token = await getViewerToken(context);
    return Object.assign(new ViewerNode(), {
      role: context.actor.role,
      tenantId: context.actor.tenantId,
      accessToken: toAccessTokenNode(token),
    });
  }

  @Authorized(ACCESS_TOKEN_ADMINS)
  @Query(() => AccessTokenConnection, { description: "Access tokens: all for the operator, its tenant's for a tenant admin (no other role). Newest first." })
  async accessTokens(
    @Ctx() context: RequestContext,
    @Args() page: PageArgs,
    @Arg('filter', () => AccessTokenFilterInput, { nullable: true, description: 'Only tokens that match every condition given.' })
    filter: AccessTokenFilterInput | null,
  ) {
    return AccessTokenConnection.from(await listAccessTokens(context, filter, page), toAccessTokenNode);
  }

  @FieldResolver(() => TenantNode, { nullable: true, description: 'The tenant of the token; null for platform-wide tokens.' })
  tenant(@Ctx() context: RequestContext, @Root() token: AccessTokenNode): Promise<TenantNode | null> {
    return tenantOf(context, token.tenantId);
  }

  @Authorized(ACCESS_TOKEN_ADMINS)
  @Mutation(() => AccessTokenSecretPayload, { description: 'Create an access token. The secret is in this payload and nowhere else, ever.' })
  async accessTokenCreate(
    @Ctx() context: RequestContext,
    @Arg('input', () => AccessTokenCreateInput, { description: 'The token to issue: its name, role, tenant (for tenant roles) and expiry.' })
    input: AccessTokenCreateInput,
  ): Promise<AccessTokenSecretPayload> {
    const { result, userErrors } = await collectUserErrors(() => createAccessToken(context, input));
    return { accessToken: result ? toAccessTokenNode(result.accessToken) : null, secret: result?.secret ?? null, userErrors };
  }

  @Authorized(ACCESS_TOKEN_ADMINS)
  @Mutation(() => AccessTokenPayload, {
    description:
      'Revoke an access token. It is refused from the next request on, on every server; its open WebSocket connections close with 4403 "Access token revoked" within a second.',
  })
  async accessTokenRevoke(
    @Ctx() context: RequestContext,
    @Arg('input', () => AccessTokenRevokeInput, { description: 'The token to revoke.' }) input: AccessTokenRevokeInput,
  ): Promise<AccessTokenPayload> {
    const { result, userErrors } = await collectUserErrors(() => revokeAccessToken(context, input));
    return { accessToken: result ? toAccessTokenNode(result) : null, userErrors };
  }
}

@Resolver(() => ViewerNode)
export class ViewerResolver {
  @FieldResolver(() => TenantNode, { nullable: true, description: "The caller's tenant; null for platform-wide callers." })
  tenant(@Ctx() context: RequestContext, @Root() viewer: ViewerNode): Promise<TenantNode | null> {
    return tenantOf(context, viewer.tenantId);
  }
}
