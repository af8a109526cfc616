import { randomBytes } from 'node:crypto';
import { LockMode, type FilterQuery } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { inTransaction, type RequestContext } from '../../context.js';
import { requireRole, tenantScope } from '../../platform/auth/actor.js';
import { Role, WEBHOOK_MANAGERS, WEBHOOK_READERS } from '../../platform/auth/roles.js';
import { OPERATOR_ONLY_EVENT_TYPES, WebhookEventType } from '../../platform/events/webhook-event-types.js';
import { dropEndpointDeliveries, redeliver } from '../../platform/events/webhook-outbox.js';
import { WebhookDelivery, WebhookDeliveryState, WebhookEvent } from '../../platform/events/webhook.entity.js';
import { OrderDirection, paginate, type PageArgs } from '../../platform/graphql/relay.js';
import { newId } from '../../platform/ids.js';
import { UserErrorCode, UserInputErrors } from '../../platform/user-errors.js';
import { inputId, optionalText, validateInput } from '../../platform/validation.js';
import { recordAudit } from '../audit/audit.service.js';
import { lockTenantForChange } from '../tenant/tenant.service.js';
import { WebhookEndpoint, WebhookEndpointSecret, WebhookEndpointStatus } from './webhook-endpoint.entity.js';
import { webhookUrlProblem } from './webhook-url.js';
import type {
  WebhookDeliveryFilterInput,
  WebhookEndpointCreateInput,
  WebhookEndpointFilterInput,
  WebhookEndpointRotateSecretInput,
  WebhookEndpointUpdateInput,
} from './webhook.types.js';

/** Endpoints one tenant (or the operator) may have. */
export const MAX_ENDPOINTS_PER_OWNER = 20;

/** A Standard Webhooks secret: `whsec_` and 32 random bytes in base64. */
function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

function eventTypesSchema(isOperatorEndpoint: boolean) {
  return z
    .array(z.enum(WebhookEventType))
    .min(1, 'must list at least 1 event type')
    .refine((types) => new Set(types).size === types.length, 'must list each event type once')
    .refine(
      (types) => isOperatorEndpoint || !types.some((type) => OPERATOR_ONLY_EVENT_TYPES.includes(type)),
      'SETTLEMENT_COMPLETED is for operator endpoints (no tenant) only',
    );
}

function urlSchema(allowPrivateNetworks: boolean) {
  return z.string().superRefine((url, refinement) => {
    const problem = webhookUrlProblem(url, allowPrivateNetworks);
    if (problem) refinement.addIssue({ code: 'custom', message: problem });
  });
}

function auditView(endpoint: WebhookEndpoint): Record<string, unknown> {
  return { url: endpoint.url, description: endpoint.description ?? null, eventTypes: endpoint.eventTypes, status: endpoint.status };
}

/** The endpoint a mutation changes, locked until commit; NOT_FOUND when the caller cannot see it. */
async function lockEndpoint(transaction: RequestContext, endpointId: string): Promise<WebhookEndpoint> {
  const field = ['input', 'endpointId'];
  const endpoint = await transaction.em.findOne(
    WebhookEndpoint,
    { id: inputId('WebhookEndpoint', endpointId, field) },
    { lockMode: LockMode.PESSIMISTIC_WRITE },
  );
  if (!endpoint) throw UserInputErrors.single(UserErrorCode.NOT_FOUND, field, 'endpointId names no webhook endpoint you can see');
  return endpoint;
}

/** Adds an endpoint with its first signing secret, which the answer shows once. */
export async function createWebhookEndpoint(
  context: RequestContext,
  input: WebhookEndpointCreateInput,
): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
  requireRole(context.actor, WEBHOOK_MANAGERS);
  const tenantId = context.actor.tenantId ?? (input.tenantId ? inputId('Tenant', input.tenantId, ['input', 'tenantId']) : null);
  if (context.actor.tenantId && input.tenantId && input.tenantId !== context.actor.tenantId)
    throw UserInputErrors.single(UserErrorCode.NOT_FOUND, ['input', 'tenantId'], 'tenantId names no tenant you can see');
  const values = validateInput(
    z.object({
      url: urlSchema(context.webhooks.allowPrivateNetworks),
      description: optionalText(200),
      eventTypes: eventTypesSchema(tenantId === null),
    }),
    input,
  );
  return inTransaction(context, async (transaction) => {
    const { em } = transaction;
    if (tenantId) await lockTenantForChange(transaction, tenantId, ['input', 'tenantId']);
    if ((await em.count(WebhookEndpoint, { tenantId })) >= MAX_ENDPOINTS_PER_OWNER)
      throw UserInputErrors.single(
        UserErrorCode.TOO_LARGE,
        ['input', 'tenantId'],
        `has ${MAX_ENDPOINTS_PER_OWNER} webhook endpoints already, the most allowed`,
      );
    const now = transaction.clock.now();
    const endpoint = em.create(WebhookEndpoint, {
      id: newId('WebhookEndpoint'),
      tenantId,
      url: values.url,
      description: values.description ?? null,
      eventTypes: values.eventTypes,
      status: WebhookEndpointStatus.ENABLED,
      createdAt: now,
      updatedAt: now,
    });
    const secret = newSigningSecret();
    em.create(WebhookEndpointSecret, { endpointId: endpoint.id, secret, createdAt: now });
    await recordAudit(transaction, { tenantId, action: 'webhook_endpoint.create', targetId: endpoint.id, before: null, after: auditView(endpoint) });
    return { endpoint, secret };
  });
}

/** Changes an endpoint's URL, description, events or status. Enabling it clears its failure record. */
export async function updateWebhookEndpoint(context: RequestContext, input: WebhookEndpointUpdateInput): Promise<WebhookEndpoint> {
  requireRole(context.actor, WEBHOOK_MANAGERS);
  return inTransaction(context, async (transaction) => {
    const endpoint = await lockEndpoint(transaction, input.endpointId);
    const values = validateInput(
      z.object({
        url: urlSchema(context.webhooks.allowPrivateNetworks).nullish(),
        description: optionalText(200),
        eventTypes: eventTypesSchema(endpoint.tenantId == null).nullish(),
        status: z.enum(WebhookEndpointStatus).nullish(),
      }),
      input,
    );
    const before = auditView(endpoint);
    if (values.url) endpoint.url = values.url;
    if (values.description !== undefined) endpoint.description = values.description;
    if (values.eventTypes) endpoint.eventTypes = values.eventTypes;
    if (values.status && values.status !== endpoint.status) {
      endpoint.status = values.status;
      endpoint.disabledReason = values.status === WebhookEndpointStatus.DISABLED ? 'Disabled by its owner.' : null;
      endpoint.failingSince = null;
    }
    endpoint.updatedAt = transaction.clock.now();
    await recordAudit(transaction, {
      tenantId: endpoint.tenantId ?? null,
      action: 'webhook_endpoint.update',
      targetId: endpoint.id,
      before,
      after: auditView(endpoint),
    });
    return endpoint;
  });
}

/** Removes an endpoint, its secrets and its delivery log; messages still pending for it are dropped. */
export async function deleteWebhookEndpoint(context: RequestContext, input: { endpointId: string }): Promise<WebhookEndpoint> {
  requireRole(context.actor, WEBHOOK_MANAGERS);
  return inTransaction(context, async (transaction) => {
    const { em } = transaction;
    const endpoint = await lockEndpoint(transaction, input.endpointId);
    await dropEndpointDeliveries(em, endpoint.id);
    await em.nativeDelete(WebhookEndpointSecret, { endpointId: endpoint.id });
    await recordAudit(transaction, {
      tenantId: endpoint.tenantId ?? null,
      action: 'webhook_endpoint.delete',
      targetId: endpoint.id,
      before: auditView(endpoint),
      after: null,
    });
    em.remove(endpoint);
    return endpoint;
  });
}

/**
 * A new signing secret. The secrets in use keep signing beside it for the overlap, so the receiver
 * can switch whenever it likes within it; with no overlap they stop at once.
 */
export async function rotateWebhookSecret(
  context: RequestContext,
  input: WebhookEndpointRotateSecretInput,
): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
  requireRole(context.actor, WEBHOOK_MANAGERS);
  const { overlapHours } = validateInput(
    z.object({ overlapHours: z.number().int('must be whole hours').min(0, 'must be at least 0').max(168, 'must be at most 168 (7 days)') }),
    input,
  );
  return inTransaction(context, async (transaction) => {
    const { em } = transaction;
    const endpoint = await lockEndpoint(transaction, input.endpointId);
    const now = transaction.clock.now();
    const overlapEnd = new Date(now.getTime() + overlapHours * 3_600_000);
    await em.nativeDelete(WebhookEndpointSecret, { endpointId: endpoint.id, expiresAt: { $lte: now } });
    await em.nativeUpdate(
      WebhookEndpointSecret,
      { endpointId: endpoint.id, $or: [{ expiresAt: null }, { expiresAt: { $gt: overlapEnd } }] },
      { expiresAt: overlapEnd },
    );
    const secret = newSigningSecret();
    em.create(WebhookEndpointSecret, { endpointId: endpoint.id, secret, createdAt: now });
    endpoint.updatedAt = now;
    await recordAudit(transaction, {
      tenantId: endpoint.tenantId ?? null,
      action: 'webhook_endpoint.rotate_secret',
      targetId: endpoint.id,
      before: null,
      after: { overlapHours },
    });
    return { endpoint, secret };
  });
}

/** Queues a FAILED or DELIVERED message to its endpoint again, now. */
export async function retryWebhookDelivery(context: RequestContext, input: { deliveryId: string }): Promise<WebhookDelivery> {
  requireRole(context.actor, WEBHOOK_MANAGERS);
  const field = ['input', 'deliveryId'];
  return inTransaction(context, async (transaction) => {
    const { em } = transaction;
    const delivery = await em.findOne(WebhookDelivery, { id: inputId('WebhookDelivery', input.deliveryId, field) });
    if (!delivery) throw UserInputErrors.single(UserErrorCode.NOT_FOUND, field, 'deliveryId names no webhook delivery you can see');
    if (delivery.state === WebhookDeliveryState.PENDING)
      throw UserInputErrors.single(UserErrorCode.INVALID_STATE, field, 'the delivery is PENDING already: it goes at its next attempt');
    const now = transaction.clock.now();
    await redeliver(em, delivery.id, now);
    await recordAudit(transaction, {
      tenantId: delivery.tenantId ?? null,
      action: 'webhook_delivery.retry',
      targetId: delivery.id,
      before: { state: delivery.state },
      after: null,
    });
    return Object.assign(delivery, { state: WebhookDeliveryState.PENDING, nextAttemptAt: now });
  });
}

export async function listWebhookEndpoints(context: RequestContext, filter: WebhookEndpointFilterInput | null, page: PageArgs) {
  requireRole(context.actor, WEBHOOK_READERS);
  const where: FilterQuery<WebhookEndpoint>[] = [];
  const tenantId = tenantScope(context.actor, filter?.tenantId);
  if (tenantId) where.push({ tenantId });
  if (filter?.isOperatorEndpoint != null && context.actor.role === Role.PLATFORM_ADMIN)
    where.push({ tenantId: filter.isOperatorEndpoint ? null : { $ne: null } });
  if (filter?.status) where.push({ status: filter.status });
  return paginate({ em: context.em, entity: WebhookEndpoint, where: { $and: where }, sortField: 'createdAt', direction: OrderDirection.ASC, page });
}

export async function findWebhookEndpoint(context: RequestContext, id: string): Promise<WebhookEndpoint | null> {
  requireRole(context.actor, WEBHOOK_READERS);
  return context.em.findOne(WebhookEndpoint, { id });
}

/** The delivery log, newest first. */
export async function listWebhookDeliveries(context: RequestContext, filter: WebhookDeliveryFilterInput | null, page: PageArgs) {
  requireRole(context.actor, WEBHOOK_READERS);
  const where: FilterQuery<WebhookDelivery>[] = [];
  if (filter?.endpointId) where.push({ endpointId: inputId('WebhookEndpoint', filter.endpointId, ['filter', 'endpointId']) });
  if (filter?.state) where.push({ state: filter.state });
  if (filter?.messageId) {
    const event = await context.em.findOne(WebhookEvent, { id: filter.messageId });
    where.push({ eventSeq: event?.seq ?? '0' });
  }
  return paginate({ em: context.em, entity: WebhookDelivery, where: { $and: where }, sortField: 'createdAt', direction: OrderDirection.DESC, page });
}

export async function findWebhookDelivery(context: RequestContext, id: string): Promise<WebhookDelivery | null> {
  requireRole(context.actor, WEBHOOK_READERS);
  return context.em.findOne(WebhookDelivery, { id });
}
