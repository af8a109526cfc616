import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../context.js';
import { DIRECTORY_READERS, DIRECTORY_WRITERS } from '../../platform/auth/roles.js';
import { Money } from '../../platform/graphql/money.types.js';
import { PageArgs } from '../../platform/graphql/relay.js';
import { collectUserErrors } from '../../platform/user-errors.js';
import { argumentId } from '../../platform/validation.js';
import { DepartmentNode, toDepartmentNode } from '../department/department.types.js';
import { TenantNode, toTenantNode } from '../tenant/tenant.types.js';
import type { ApiKey } from './api-key.entity.js';
import { createApiKey, findApiKey, listApiKeys, revokeApiKey, rotateApiKey, updateApiKey, type IssuedApiKey } from './api-key.service.js';
import {
  ApiKeyConnection,
  ApiKeyCreateInput,
  ApiKeyFilterInput,
  ApiKeyNode,
  ApiKeyPayload,
  ApiKeyRevokeInput,
  ApiKeyRotateInput,
  ApiKeyStatus,
  ApiKeySecretPayload,
  ApiKeyUpdateInput,
  SpendLimitNode,
  toApiKeyNode,
} from './api-key.types.js';

@Resolver(() => ApiKeyNode)
export class ApiKeyResolver {
  private async payload(context: RequestContext, work: () => Promise<ApiKey>): Promise<ApiKeyPayload> {
    const { result, userErrors } = await collectUserErrors(work);
    return { apiKey: result ? toApiKeyNode(result, context.clock.now()) : null, userErrors };
  }

  private async secretPayload(context: RequestContext, work: () => Promise<IssuedApiKey>): Promise<ApiKeySecretPayload> {
    const { result, userErrors } = await collectUserErrors(work);
    return {
      apiKey: result ? toApiKeyNode(result.apiKey, context.clock.now()) : null,
      secret: result?.secret ?? null,
      userErrors,
    };
  }

  @Authorized(DIRECTORY_READERS)
  @Query(() => ApiKeyNode, {
    nullable: true,
    description: "One API key (operator and tenant users; not ERP or the gateway); null when it does not exist or is another tenant's.",
  })
  async apiKey(@Ctx() context: RequestContext, @Arg('id', () => ID, { description: 'The key (key_...).' }) id: string): Promise<ApiKeyNode | null> {
    const key = await findApiKey(context, argumentId('ApiKey', id, 'id'));
    return key ? toApiKeyNode(key, context.clock.now()) : null;
  }

  @FieldResolver(() => DepartmentNode, { description: 'The department that owns the key.' })
  async department(@Ctx() context: RequestContext, @Root() key: ApiKeyNode): Promise<DepartmentNode> {
    return toDepartmentNode((await context.loaders.departmentById.load(key.departmentId))!);
  }

  @FieldResolver(() => TenantNode, { description: 'The tenant that owns the key.' })
  async tenant(@Ctx() context: RequestContext, @Root() key: ApiKeyNode): Promise<TenantNode> {
    return toTenantNode((await context.loaders.tenantById.load(key.tenantId))!);
  }

  @FieldResolver(() => SpendLimitNode, { nullable: true, description: "The key's own cap, in the tenant's billing currency; null for none." })
  async spendLimit(@Ctx() context: RequestContext, @Root() key: ApiKeyNode): Promise<SpendLimitNode | null> {
    if (!key.spendLimitAmount || !key.spendLimitPeriod) return null;
    const tenant = (await context.loaders.tenantById.load(key.tenantId))!;
    return Object.assign(new SpendLimitNode(), {
      amount: Money.of(key.spendLimitAmount, tenant.billingCurrency),
      period: key.spendLimitPeriod,
    });
  }

  @Authorized(DIRECTORY_WRITERS)
  @Mutation(() => ApiKeySecretPayload, { description: 'Create a gateway key. The secret is in this payload and nowhere else, ever.' })
  apiKeyCreate(
    @Ctx() context: RequestContext,
    @Arg('input', () => ApiKeyCreateInput, { description: 'The new key: its department, name, environment, allowed models, spend limit and expiry.' })
    input: ApiKeyCreateInput,
  ) {
    return this.secretPayload(context, () => createApiKey(context, input));
  }

  @Authorized(DIRECTORY_WRITERS)
  @Mutation(() => ApiKeyPayload, { description: "Change a key's name, expiry, allowed models or spend limit." })
  apiKeyUpdate(
    @Ctx() context: RequestContext,
    @Arg('input', () => ApiKeyUpdateInput, { description: 'The key and the fields to change; fields left out keep their values.' }) input: ApiKeyUpdateInput,
  ) {
    return this.payload(context, () => updateApiKey(context, input));
  }

  @Authorized(DIRECTORY_WRITERS)
  @Mutation(() => ApiKeyPayload, { description: 'Revoke a key. The gateway refuses it from the next request on.' })
  apiKeyRevoke(
    @Ctx() context: RequestContext,
    @Arg('input', () => ApiKeyRevokeInput, { description: 'The key to revoke (for good).' }) input: ApiKeyRevokeInput,
  ) {
    return this.payload(context, () => revokeApiKey(context, input));
  }

  @Authorized(DIRECTORY_WRITERS)
  @Mutation(() => ApiKeySecretPayload, { description: "Replace a key's secret. The old secret stops working at once; the new one is shown once." })
  apiKeyRotate(
    @Ctx() context: RequestContext,
    @Arg('input', () => ApiKeyRotateInput, { description: 'The key whose secret to replace, and how long the old secret keeps working.' })
    input: ApiKeyRotateInput,
  ) {
    return this.secretPayload(context, () => rotateApiKey(context, input));
  }
}

@Resolver(() => DepartmentNode)
export class DepartmentApiKeysResolver {
  // ERP reaches departments through bill lines; keys are not money documents.
  @Authorized(DIRECTORY_READERS)
  @FieldResolver(() => [ApiKeyNode], { description: "The department's own keys (not those of its children), newest first. Not for ERP." })
  async apiKeys(
    @Ctx() context: RequestContext,
    @Root() department: DepartmentNode,
    @Arg('includeRevoked', { defaultValue: false, description: 'Include revoked keys.' }) includeRevoked: boolean,
  ): Promise<ApiKeyNode[]> {
    const now = context.clock.now();
    const keys = await context.loaders.apiKeysByDepartment.load(department.id);
    return keys.map((key) => toApiKeyNode(key, now)).filter((key) => includeRevoked || key.status !== ApiKeyStatus.REVOKED);
  }
}

@Resolver(() => TenantNode)
export class TenantApiKeysResolver {
  @Authorized(DIRECTORY_READERS)
  @FieldResolver(() => ApiKeyConnection, { description: "All of the tenant's keys, newest first. Not for ERP." })
  async apiKeys(
    @Ctx() context: RequestContext,
    @Root() tenant: TenantNode,
    @Args() page: PageArgs,
    @Arg('filter', () => ApiKeyFilterInput, { nullable: true, description: 'Only keys that match every condition given.' }) filter: ApiKeyFilterInput | null,
  ) {
    const now = context.clock.now();
    return ApiKeyConnection.from(await listApiKeys(context, tenant.id, filter, page), (key) => toApiKeyNode(key, now));
  }
}
