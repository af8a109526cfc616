import { Arg, Args, Authorized, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../context.js';
import { WEBHOOK_MANAGERS, WEBHOOK_READERS } from '../../platform/auth/roles.js';
import { WebhookEventType } from '../../platform/events/webhook-event-types.js';
import { PageArgs } from '../../platform/graphql/relay.js';
import { collectUserErrors } from '../../platform/user-errors.js';
import { TenantNode, toTenantNode } from '../tenant/tenant.types.js';
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  listWebhookDeliveries,
  listWebhookEndpoints,
  retryWebhookDelivery,
  rotateWebhookSecret,
  updateWebhookEndpoint,
} from './webhook.service.js';
import {
  toWebhookAttemptNode,
  toWebhookDeliveryNode,
  toWebhookEndpointNode,
  WebhookAttemptNode,
  WebhookDeliveryConnection,
  WebhookDeliveryFilterInput,
  WebhookDeliveryNode,
  WebhookDeliveryPayload,
  WebhookDeliveryRetryInput,
  WebhookEndpointConnection,
  WebhookEndpointCreateInput,
  WebhookEndpointDeleteInput,
  WebhookEndpointFilterInput,
  WebhookEndpointNode,
  WebhookEndpointPayload,
  WebhookEndpointRotateSecretInput,
  WebhookEndpointSecretPayload,
  WebhookEndpointUpdateInput,
} from './webhook.types.js';

@Resolver(() => WebhookEndpointNode)
export class WebhookEndpointResolver {
  @Authorized(WEBHOOK_READERS)
  @Query(() => WebhookEndpointConnection, {
    description: "Webhook endpoints, oldest first: the operator's and every tenant's for the operator, a tenant's own for its admins and finance.",
  })
  async webhookEndpoints(
    @Ctx() context: RequestContext,
    @Args() page: PageArgs,
    @Arg('filter', () => WebhookEndpointFilterInput, { nullable: true, description: 'Only endpoints that match every condition given.' })
    filter: WebhookEndpointFilterInput | null,
  ) {
    return WebhookEndpointConnection.from(await listWebhookEndpoints(context, filter, page), toWebhookEndpointNode);
  }

  @Authorized(WEBHOOK_MANAGERS)
  @Mutation(() => WebhookEndpointSecretPayload, {
    description: 'Add a webhook endpoint. Its signing secret is in this payload and nowhere else. Operator and tenant admins.',
  })
  async webhookEndpointCreate(
    @Ctx() context: RequestContext,
    @Arg('input', () => WebhookEndpointCreateInput, { description: 'The URL, the events and whose they are.' }) input: WebhookEndpointCreateInput,
  ) {
    const { result, userErrors } = await collectUserErrors(() => createWebhookEndpoint(context, input));
    return { webhookEndpoint: result ? toWebhookEndpointNode(result.endpoint) : null, secret: result?.secret ?? null, userErrors };
  }

  @Authorized(WEBHOOK_MANAGERS)
  @Mutation(() => WebhookEndpointPayload, { description: "Change an endpoint's URL, description, events, or status. Operator and tenant admins." })
  async webhookEndpointUpdate(
    @Ctx() context: RequestContext,
    @Arg('input', () => WebhookEndpointUpdateInput, { description: 'What to change.' }) input: WebhookEndpointUpdateInput,
  ) {
    const { result, userErrors } = await collectUserErrors(() => updateWebhookEndpoint(context, input));
    return { webhookEndpoint: result ? toWebhookEndpointNode(result) : null, userErrors };
  }

  @Authorized(WEBHOOK_MANAGERS)
  @Mutation(() => WebhookEndpointPayload, { description: 'Remove an endpoint with its secrets and delivery log. Operator and tenant admins.' })
  async webhookEndpointDelete(
    @Ctx() context: RequestContext,
    @Arg('input', () => WebhookEndpointDeleteInput, { description: 'The endpoint.' }) input: WebhookEndpointDeleteInput,
  ) {
    const { result, userErrors } = await collectUserErrors(() => deleteWebhookEndpoint(context, input));
    return { webhookEndpoint: result ? toWebhookEndpointNode(result) : null, userErrors };
  }

  @Authorized(WEBHOOK_MANAGERS)
  @Mutation(() => WebhookEndpointSecretPayload, {
    description:
      "Rotate an endpoint's signing secret: the new one is in this payload and nowhere else; the old ones keep signing beside it for the overlap. Operator and tenant admins.",
  })
  async webhookEndpointRotateSecret(
    @Ctx() context: RequestContext,
    @Arg('input', () => WebhookEndpointRotateSecretInput, { description: 'The endpoint and the overlap.' }) input: WebhookEndpointRotateSecretInput,
  ) {
    const { result, userErrors } = await collectUserErrors(() => rotateWebhookSecret(context, input));
    return { webhookEndpoint: result ? toWebhookEndpointNode(result.endpoint) : null, secret: result?.secret ?? null, userErrors };
  }

  @FieldResolver(() => TenantNode, { nullable: true, description: "The tenant whose events it receives; null for the operator's endpoint (every tenant's)." })
  async tenant(@Ctx() context: RequestContext, @Root() endpoint: WebhookEndpointNode): Promise<TenantNode | null> {
    const tenant = endpoint.tenantId ? await context.loaders.tenantById.load(endpoint.tenantId) : null;
    return tenant ? toTenantNode(tenant) : null;
  }

  @FieldResolver(() => WebhookDeliveryConnection, { description: "The endpoint's delivery log, newest first." })
  async deliveries(@Ctx() context: RequestContext, @Root() endpoint: WebhookEndpointNode, @Args() page: PageArgs) {
    return WebhookDeliveryConnection.from(await listWebhookDeliveries(context, { endpointId: endpoint.id }, page), toWebhookDeliveryNode);
  }
}

@Resolver(() => WebhookDeliveryNode)
export class WebhookDeliveryResolver {
  @Authorized(WEBHOOK_READERS)
  @Query(() => WebhookDeliveryConnection, { description: 'The webhook delivery log, newest first, for the endpoints the caller may see.' })
  async webhookDeliveries(
    @Ctx() context: RequestContext,
    @Args() page: PageArgs,
    @Arg('filter', () => WebhookDeliveryFilterInput, { nullable: true, description: 'Only deliveries that match every condition given.' })
    filter: WebhookDeliveryFilterInput | null,
  ) {
    return WebhookDeliveryConnection.from(await listWebhookDeliveries(context, filter, page), toWebhookDeliveryNode);
  }

  @Authorized(WEBHOOK_MANAGERS)
  @Mutation(() => WebhookDeliveryPayload, {
    description:
      'Send a FAILED (or DELIVERED) message to its endpoint again, now, as it was signed the first time but with a fresh timestamp. Operator and tenant admins.',
  })
  async webhookDeliveryRetry(
    @Ctx() context: RequestContext,
    @Arg('input', () => WebhookDeliveryRetryInput, { description: 'The delivery.' }) input: WebhookDeliveryRetryInput,
  ) {
    const { result, userErrors } = await collectUserErrors(() => retryWebhookDelivery(context, input));
    return { webhookDelivery: result ? toWebhookDeliveryNode(result) : null, userErrors };
  }

  @FieldResolver(() => WebhookEndpointNode, { description: 'Where the message goes.' })
  async endpoint(@Ctx() context: RequestContext, @Root() delivery: WebhookDeliveryNode): Promise<WebhookEndpointNode> {
    return toWebhookEndpointNode((await context.loaders.webhookEndpointById.load(delivery.endpointId))!);
  }

  @FieldResolver(() => String, {
    description: 'The `webhook-id` header: the same on every endpoint and every retry of the event, for receivers to drop repeats.',
  })
  async messageId(@Ctx() context: RequestContext, @Root() delivery: WebhookDeliveryNode): Promise<string> {
    return (await context.loaders.webhookEventBySeq.load(delivery.eventSeq))!.id;
  }

  @FieldResolver(() => WebhookEventType, { description: "What happened; the body's `type` is its dotted name (`bill.finalized`)." })
  async eventType(@Ctx() context: RequestContext, @Root() delivery: WebhookDeliveryNode): Promise<WebhookEventType> {
    return (await context.loaders.webhookEventBySeq.load(delivery.eventSeq))!.type as WebhookEventType;
  }

  @FieldResolver(() => String, { description: 'The body exactly as sent and signed (JSON).' })
  async payload(@Ctx() context: RequestContext, @Root() delivery: WebhookDeliveryNode): Promise<string> {
    return (await context.loaders.webhookEventBySeq.load(delivery.eventSeq))!.payload;
  }

  @FieldResolver(() => [WebhookAttemptNode], { description: 'Every attempt, oldest first: status codes, timings and errors.' })
  async attempts(@Ctx() context: RequestContext, @Root() delivery: WebhookDeliveryNode): Promise<WebhookAttemptNode[]> {
    return (await context.loaders.webhookAttempts.load(delivery.id)).map(toWebhookAttemptNode);
  }
}
