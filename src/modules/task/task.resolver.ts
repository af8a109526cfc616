import { Arg, Args, Authorized, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../context.js';
import { SPEND_READERS, USAGE_AUTHORIZERS } from '../../platform/auth/roles.js';
import { PageArgs } from '../../platform/graphql/relay.js';
import { collectUserErrors } from '../../platform/user-errors.js';
import { ApiKeyNode, toApiKeyNode } from '../api-key/api-key.types.js';
import { DepartmentNode, toDepartmentNode } from '../department/department.types.js';
import { TenantNode, toTenantNode } from '../tenant/tenant.types.js';
import { toUsageRecordNode, UsageRecordNode } from '../usage/usage.types.js';
import { completeTask, listTasks, submitTask } from './task.service.js';
import {
  toUsageTaskEventNode,
  toUsageTaskNode,
  UsageTaskCompleteInput,
  UsageTaskConnection,
  UsageTaskEventNode,
  UsageTaskFilterInput,
  UsageTaskNode,
  UsageTaskPayload,
  UsageTaskSubmitInput,
  UsageTaskSubmitPayload,
} from './task.types.js';

@Resolver(() => UsageTaskNode)
export class UsageTaskResolver {
  @Authorized(USAGE_AUTHORIZERS)
  @Mutation(() => UsageTaskSubmitPayload, {
    description:
      "The gateway's submission of an image or video task (GATEWAY only): usageReserve's checks, and, when allowed, the task's estimate (the images or video seconds asked for, at the price in force) held against every limit of the key and every hard budget of the task's stage (DRAFT or FINAL) up its tree, until usageTaskComplete records it or an hour passes. Submitting a requestId again answers its task.",
  })
  async usageTaskSubmit(
    @Ctx() context: RequestContext,
    @Arg('input', () => UsageTaskSubmitInput, { description: 'The key (its secret), the requestId, the model, the kind, the stage and what is asked for.' })
    input: UsageTaskSubmitInput,
  ): Promise<UsageTaskSubmitPayload> {
    const { result, userErrors } = await collectUserErrors(() => submitTask(context, input));
    return { authorization: result?.authorization ?? null, task: result?.task ? toUsageTaskNode(result.task) : null, userErrors };
  }

  @Authorized(USAGE_AUTHORIZERS)
  @Mutation(() => UsageTaskPayload, {
    description:
      "How a running task ended (GATEWAY only): SUCCEEDED with what it made, or FAILED with the reason. Its usage is recorded (requestId and taskId on the record, priced at submission), charged or not by the tenant's failed-request policy, and its hold ends.",
  })
  async usageTaskComplete(
    @Ctx() context: RequestContext,
    @Arg('input', () => UsageTaskCompleteInput, { description: 'The task, its outcome, what it made, and why it failed.' }) input: UsageTaskCompleteInput,
  ): Promise<UsageTaskPayload> {
    const { result, userErrors } = await collectUserErrors(() => completeTask(context, input));
    return { task: result ? toUsageTaskNode(result) : null, userErrors };
  }

  @Authorized(SPEND_READERS)
  @Query(() => UsageTaskConnection, {
    description: "Image and video tasks, newest submission first, with their state and history. Operator and tenant users (their tenant's only); not ERP.",
  })
  async usageTasks(
    @Ctx() context: RequestContext,
    @Args() page: PageArgs,
    @Arg('filter', () => UsageTaskFilterInput, { nullable: true, description: 'Only tasks that match every condition given.' })
    filter: UsageTaskFilterInput | null,
  ) {
    return UsageTaskConnection.from(await listTasks(context, filter, page), toUsageTaskNode);
  }

  @FieldResolver(() => [UsageTaskEventNode], { description: 'What happened to the task, oldest first: submission, repeats, completion.' })
  async history(@Ctx() context: RequestContext, @Root() task: UsageTaskNode): Promise<UsageTaskEventNode[]> {
    return (await context.loaders.taskEvents.load(task.id)).map(toUsageTaskEventNode);
  }

  @FieldResolver(() => UsageRecordNode, {
    nullable: true,
    description: 'The usage it recorded, once completed: its price version, charge reason, bill line and invoice lines are there.',
  })
  async usageRecord(@Ctx() context: RequestContext, @Root() task: UsageTaskNode): Promise<UsageRecordNode | null> {
    if (!task.completedAt) return null;
    const record = await context.loaders.taskUsageRecords.load(task);
    return record ? toUsageRecordNode(record) : null;
  }

  @FieldResolver(() => TenantNode, { description: 'The tenant whose key submitted it.' })
  async tenant(@Ctx() context: RequestContext, @Root() task: UsageTaskNode): Promise<TenantNode> {
    return toTenantNode((await context.loaders.tenantById.load(task.tenantId))!);
  }

  @FieldResolver(() => DepartmentNode, { description: "The key's department when the task was submitted." })
  async department(@Ctx() context: RequestContext, @Root() task: UsageTaskNode): Promise<DepartmentNode> {
    return toDepartmentNode((await context.loaders.departmentById.load(task.departmentId))!);
  }

  @FieldResolver(() => ApiKeyNode, { description: 'The key (its prefix, never its secret).' })
  async apiKey(@Ctx() context: RequestContext, @Root() task: UsageTaskNode): Promise<ApiKeyNode> {
    return toApiKeyNode((await context.loaders.apiKeyById.load(task.apiKeyId))!, context.clock.now());
  }
}
