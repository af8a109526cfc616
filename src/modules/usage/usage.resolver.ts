import { Arg, Args, Authorized, Ctx, FieldResolver, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../context.js';
import { collectUserErrors } from '../../platform/user-errors.js';
import { SPEND_READERS, USAGE_AUTHORIZERS, USAGE_RECORD_READERS, USAGE_RECORDERS } from '../../platform/auth/roles.js';
import { PageArgs } from '../../platform/graphql/relay.js';
import { ApiKeyNode, toApiKeyNode } from '../api-key/api-key.types.js';
import { DepartmentNode, toDepartmentNode } from '../department/department.types.js';
import { ModelPriceNode, toModelPriceNode } from '../price/price.types.js';
import { SpendScopeInput, SpendScopeNode } from '../spend/spend.types.js';
import { TenantNode, toTenantNode } from '../tenant/tenant.types.js';
import { authorizeUsage, releaseUsage, reserveUsage } from './usage-authorization.service.js';
import { listUsageDenials, listUsageRecords, summarizeUsage } from './usage-report.service.js';
import { recordUsage } from './usage.service.js';
import {
  MAX_USAGE_BATCH,
  UsageAuthorization,
  UsageAuthorizeInput,
  UsageDenialEntryConnection,
  UsageDenialEntryNode,
  UsageDenialFilterInput,
  UsageGroupBy,
  UsageRecordInput,
  UsageRecordConnection,
  UsageRecordFilterInput,
  UsageRecordNode,
  UsageRecordPayload,
  UsageReleaseInput,
  UsageReleasePayload,
  UsageReserveInput,
  UsageReservePayload,
  UsageSummaryGroup,
  toUsageDenialEntryNode,
  toUsageRecordNode,
} from './usage.types.js';

@Resolver(() => UsageRecordNode)
export class UsageResolver {
  @Authorized(USAGE_RECORDERS)
  @Mutation(() => UsageRecordPayload, {
    description: `Record a batch of gateway requests (GATEWAY, or the operator), at most ${MAX_USAGE_BATCH} per call, in one transaction. Each record is accepted, a duplicate of a requestId the tenant already has (nothing changes), or rejected by index with a code; a bad record never sinks the others.`,
  })
  usageRecord(
    @Ctx() context: RequestContext,
    @Arg('input', () => UsageRecordInput, { description: 'The calls made: one record each, at most 1,000 a batch.' }) input: UsageRecordInput,
  ): Promise<UsageRecordPayload> {
    return recordUsage(context, input);
  }

  @Authorized(USAGE_AUTHORIZERS)
  @Mutation(() => UsageReservePayload, {
    description:
      "The gateway's pre-call check that reserves: usageAuthorize's answer and, when allowed, the estimate (estimatedCost, or estimatedUsage priced by the book) held against every limit (key limit, hard budgets up the tree, prepaid balance, credit limit) until usage with this requestId is recorded (trued up to the real cost), usageRelease frees it, or 10 minutes pass. With estimates at least the real cost no limit is ever passed, under any concurrency, on any number of instances; otherwise by at most the sum of (real - estimate) over the calls in flight.",
  })
  async usageReserve(
    @Ctx() context: RequestContext,
    @Arg('input', () => UsageReserveInput, { description: 'The key (its secret), the model, the requestId and the estimate to hold.' })
    input: UsageReserveInput,
  ): Promise<UsageReservePayload> {
    const { result, userErrors } = await collectUserErrors(() => reserveUsage(context, input));
    return { authorization: result?.authorization ?? null, reservation: result?.reservation ?? null, userErrors };
  }

  @Authorized(USAGE_AUTHORIZERS)
  @Mutation(() => UsageReleasePayload, { description: 'Frees a reservation whose call was not made, so its estimate counts against no limit any more.' })
  usageRelease(
    @Ctx() context: RequestContext,
    @Arg('input', () => UsageReleaseInput, { description: 'The key (its secret) and the requestId whose hold to free.' }) input: UsageReleaseInput,
  ): Promise<UsageReleasePayload> {
    return releaseUsage(context, input);
  }

  @Authorized(USAGE_AUTHORIZERS)
  @Query(() => UsageAuthorization, {
    description:
      "The gateway's pre-call check (GATEWAY only): may this key call this model now? Read-only. Unknown, revoked or expired keys are denied with 401, policy with 403, money with 402.",
  })
  usageAuthorize(
    @Ctx() context: RequestContext,
    @Arg('input', () => UsageAuthorizeInput, { description: 'The key (its secret), the model, and the estimated cost or usage of the call about to be made.' })
    input: UsageAuthorizeInput,
  ): Promise<UsageAuthorization> {
    return authorizeUsage(context, input);
  }

  @Authorized(USAGE_RECORD_READERS)
  @Query(() => UsageRecordConnection, {
    description:
      "Usage records, one per gateway request, newest first: operator, tenant admins and finance (their tenant's only). Not viewers or ERP: records carry end-user tags; viewers read usageSummary.",
  })
  async usageRecords(
    @Ctx() context: RequestContext,
    @Args() page: PageArgs,
    @Arg('filter', () => UsageRecordFilterInput, { nullable: true, description: 'Only records that match every condition given.' })
    filter: UsageRecordFilterInput | null,
  ) {
    return UsageRecordConnection.from(await listUsageRecords(context, filter, page), toUsageRecordNode);
  }

  @Authorized(SPEND_READERS)
  @Query(() => [UsageSummaryGroup], {
    description:
      'Requests, tokens and charged cost of a scope in [from, to), grouped by the dimensions asked for (none: one total). At most 366 days and 10,000 groups. Operator and tenant users; not ERP.',
  })
  usageSummary(
    @Ctx() context: RequestContext,
    @Arg('scope', () => SpendScopeInput, { description: 'The tenant, department (with its subtree) or key whose usage to summarise.' }) scope: SpendScopeInput,
    @Arg('from', () => Date, { description: 'Start of the range, inclusive.' }) from: Date,
    @Arg('to', () => Date, { description: 'End of the range, exclusive.' }) to: Date,
    @Arg('groupBy', () => [UsageGroupBy], { defaultValue: [], description: 'Dimensions to group by.' }) groupBy: UsageGroupBy[],
    @Arg('rollUpDepartments', () => Boolean, {
      defaultValue: false,
      description: 'With DEPARTMENT in groupBy: each department counts everything below it too (cost allocation by subtree); otherwise only its own keys.',
    })
    rollUpDepartments: boolean,
  ): Promise<UsageSummaryGroup[]> {
    return summarizeUsage(context, scope, from, to, groupBy, rollUpDepartments);
  }

  @FieldResolver(() => TenantNode, { description: 'The tenant charged.' })
  async tenant(@Ctx() context: RequestContext, @Root() record: UsageRecordNode): Promise<TenantNode> {
    return toTenantNode((await context.loaders.tenantById.load(record.tenantId))!);
  }

  @FieldResolver(() => DepartmentNode, { description: 'The department that owned the key when the usage was recorded.' })
  async department(@Ctx() context: RequestContext, @Root() record: UsageRecordNode): Promise<DepartmentNode> {
    return toDepartmentNode((await context.loaders.departmentById.load(record.departmentId))!);
  }

  @FieldResolver(() => ApiKeyNode, { description: 'The key used.' })
  async apiKey(@Ctx() context: RequestContext, @Root() record: UsageRecordNode): Promise<ApiKeyNode> {
    return toApiKeyNode((await context.loaders.apiKeyById.load(record.apiKeyId))!, context.clock.now());
  }

  @FieldResolver(() => Int, { description: 'Records with its requestId that arrived after it, each refused as a duplicate (replays, retries by the gateway).' })
  async duplicateCount(@Ctx() context: RequestContext, @Root() record: UsageRecordNode): Promise<number> {
    return (await context.loaders.usageRequests.load(record))?.duplicateCount ?? 0;
  }

  @FieldResolver(() => Date, { nullable: true, description: 'When the last duplicate of its requestId arrived; null when none did.' })
  async lastDuplicateAt(@Ctx() context: RequestContext, @Root() record: UsageRecordNode): Promise<Date | null> {
    return (await context.loaders.usageRequests.load(record))?.lastDuplicateAt ?? null;
  }

  @FieldResolver(() => ModelPriceNode, { description: 'The price version the record was priced with: its unit prices are its rates.' })
  async price(@Ctx() context: RequestContext, @Root() record: UsageRecordNode): Promise<ModelPriceNode> {
    return toModelPriceNode((await context.loaders.modelPriceById.load(record.priceId))!);
  }
}

@Resolver(() => UsageSummaryGroup)
export class UsageSummaryGroupResolver {
  @FieldResolver(() => DepartmentNode, { nullable: true, description: 'The department, when grouped by DEPARTMENT.' })
  async department(@Ctx() context: RequestContext, @Root() group: UsageSummaryGroup): Promise<DepartmentNode | null> {
    return group.departmentId ? toDepartmentNode((await context.loaders.departmentById.load(group.departmentId))!) : null;
  }

  @FieldResolver(() => ApiKeyNode, { nullable: true, description: 'The key, when grouped by API_KEY.' })
  async apiKey(@Ctx() context: RequestContext, @Root() group: UsageSummaryGroup): Promise<ApiKeyNode | null> {
    return group.apiKeyId ? toApiKeyNode((await context.loaders.apiKeyById.load(group.apiKeyId))!, context.clock.now()) : null;
  }
}

@Resolver(() => UsageDenialEntryNode)
export class UsageDenialEntryResolver {
  @Authorized(SPEND_READERS)
  @Query(() => UsageDenialEntryConnection, {
    description:
      "Refusals of usageAuthorize, usageReserve and usageTaskSubmit on record, newest minute first: one entry per key, check, code and model a minute, with its count and the last refusal's message (which names the limit). Operator and tenant users (their tenant's only); not ERP. Refusals of a secret no key has are not kept.",
  })
  async usageDenials(
    @Ctx() context: RequestContext,
    @Args() page: PageArgs,
    @Arg('filter', () => UsageDenialFilterInput, { nullable: true, description: 'Only entries that match every condition given.' })
    filter: UsageDenialFilterInput | null,
  ) {
    return UsageDenialEntryConnection.from(await listUsageDenials(context, filter, page), toUsageDenialEntryNode);
  }

  @FieldResolver(() => TenantNode, { description: "The key's tenant." })
  async tenant(@Ctx() context: RequestContext, @Root() entry: UsageDenialEntryNode): Promise<TenantNode> {
    return toTenantNode((await context.loaders.tenantById.load(entry.tenantId))!);
  }

  @FieldResolver(() => ApiKeyNode, { description: 'The key refused (its prefix, never its secret).' })
  async apiKey(@Ctx() context: RequestContext, @Root() entry: UsageDenialEntryNode): Promise<ApiKeyNode> {
    return toApiKeyNode((await context.loaders.apiKeyById.load(entry.apiKeyId))!, context.clock.now());
  }

  @FieldResolver(() => SpendScopeNode, { nullable: true, description: 'The scope whose limit refused, for spend and rate denials.' })
  scope(@Root() entry: UsageDenialEntryNode): SpendScopeNode | null {
    return entry.scopeType && entry.scopeId
      ? Object.assign(new SpendScopeNode(), { type: entry.scopeType, id: entry.scopeId, tenantId: entry.tenantId })
      : null;
  }
}
