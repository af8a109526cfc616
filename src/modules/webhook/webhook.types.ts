import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { WebhookEventType } from '../../platform/events/webhook-event-types.js';
import { WebhookDeliveryState, type WebhookDelivery, type WebhookAttempt } from '../../platform/events/webhook.entity.js';
import { UserError } from '../../platform/graphql/user-error.types.js';
import { connectionType, Node } from '../../platform/graphql/relay.js';
import { WebhookEndpointStatus, type WebhookEndpoint } from './webhook-endpoint.entity.js';

registerEnumType(WebhookEventType, {
  name: 'WebhookEventType',
  description: "What a webhook tells; the message body's `type` is the lower-case dotted name given with each (Standard Webhooks).",
  valuesConfig: {
    BILL_FINALIZED: { description: '`bill.finalized`: a bill was issued by settlement (a prepaid statement is also paid at once).' },
    BILL_PAID: { description: '`bill.paid`: payments now cover the bill in full.' },
    BILL_OVERDUE: { description: "`bill.overdue`: the due date passed, in the tenant's time zone, with money still due." },
    BILL_VOIDED: { description: '`bill.voided`: the operator voided the bill; its period may be settled again.' },
    PAYMENT_RECORDED: { description: '`payment.recorded`: money was booked against a bill.' },
    INVOICE_ISSUED: { description: '`invoice.issued`: a VAT invoice (fapiao) was issued for a bill.' },
    INVOICE_REVERSED: { description: '`invoice.reversed`: a VAT invoice was reversed by a red-letter invoice.' },
    ALERT_RAISED: { description: '`alert.raised`: a budget threshold, spend spike, forecast or disabled endpoint alert (not a low balance).' },
    BALANCE_LOW: { description: "`balance.low`: the prepaid balance fell below the tenant's alert level." },
    SETTLEMENT_COMPLETED: { description: '`settlement.completed`: a settlement run finished. Operator endpoints only.' },
  },
});

registerEnumType(WebhookEndpointStatus, {
  name: 'WebhookEndpointStatus',
  description: 'Whether an endpoint receives messages.',
  valuesConfig: {
    ENABLED: { description: 'Receives the events it subscribes to.' },
    DISABLED: { description: 'Receives nothing new; its pending deliveries wait. Turned off by its owner, or after failing for days.' },
  },
});

registerEnumType(WebhookDeliveryState, {
  name: 'WebhookDeliveryState',
  description: 'Where a message stands on its way to one endpoint.',
  valuesConfig: {
    PENDING: { description: "Waiting for its first attempt, its next retry, or an earlier event of the same bill (one object's events go in order)." },
    DELIVERED: { description: 'The endpoint answered 2xx.' },
    FAILED: { description: 'Every retry failed (about 4 days); redeliver it with webhookDeliveryRetry.' },
  },
});

@ObjectType('WebhookEndpoint', {
  implements: Node,
  description:
    "A URL that receives signed messages (Standard Webhooks) for the events it subscribes to: a tenant's for its own events, or the operator's (no tenant) for every tenant's.",
})
export class WebhookEndpointNode extends Node {
  tenantId!: string | null;

  @Field({ description: 'Where messages are POSTed.' })
  url!: string;

  @Field(() => String, { nullable: true, description: 'What the endpoint is for.' })
  description!: string | null;

  @Field(() => [WebhookEventType], { description: 'The events it receives.' })
  eventTypes!: WebhookEventType[];

  @Field(() => WebhookEndpointStatus, { description: 'Whether it receives messages.' })
  status!: WebhookEndpointStatus;

  @Field(() => String, { nullable: true, description: 'Why it was disabled; null while enabled.' })
  disabledReason!: string | null;

  @Field(() => Date, { nullable: true, description: 'Since when every attempt has failed; null while it answers. Disabled after 5 days of it.' })
  failingSince!: Date | null;

  @Field(() => Date, { description: 'When it was added.' })
  createdAt!: Date;

  @Field(() => Date, { description: 'When it last changed.' })
  updatedAt!: Date;
}

export function toWebhookEndpointNode(endpoint: WebhookEndpoint): WebhookEndpointNode {
  return Object.assign(new WebhookEndpointNode(), {
    id: endpoint.id,
    tenantId: endpoint.tenantId ?? null,
    url: endpoint.url,
    description: endpoint.description ?? null,
    eventTypes: endpoint.eventTypes as WebhookEventType[],
    status: endpoint.status,
    disabledReason: endpoint.disabledReason ?? null,
    failingSince: endpoint.failingSince ?? null,
    createdAt: endpoint.createdAt,
    updatedAt: endpoint.updatedAt,
  });
}

export const WebhookEndpointConnection = connectionType(WebhookEndpointNode, 'WebhookEndpoint');

@ObjectType('WebhookAttempt', { description: 'One try at delivering a message: what the endpoint answered, and how fast.' })
export class WebhookAttemptNode {
  @Field(() => Date, { description: 'When the request was sent.' })
  attemptedAt!: Date;

  @Field(() => Int, { nullable: true, description: "The endpoint's HTTP status; null when none came (refused, timed out)." })
  statusCode!: number | null;

  @Field(() => Int, { description: 'Milliseconds from sending to the answer (or the failure).' })
  durationMs!: number;

  @Field(() => String, { nullable: true, description: 'What went wrong, in words; null on a 2xx.' })
  error!: string | null;

  @Field(() => String, { nullable: true, description: "The first 1,024 characters of the endpoint's answer." })
  responseBody!: string | null;
}

export function toWebhookAttemptNode(attempt: WebhookAttempt): WebhookAttemptNode {
  return Object.assign(new WebhookAttemptNode(), {
    attemptedAt: attempt.attemptedAt,
    statusCode: attempt.statusCode ?? null,
    durationMs: attempt.durationMs,
    error: attempt.error ?? null,
    responseBody: attempt.responseBody ?? null,
  });
}

@ObjectType('WebhookDelivery', { implements: Node, description: 'One message on its way to one endpoint, with every attempt: the delivery log.' })
export class WebhookDeliveryNode extends Node {
  endpointId!: string;
  eventSeq!: string;

  @Field(() => WebhookDeliveryState, { description: 'Where it stands.' })
  state!: WebhookDeliveryState;

  @Field(() => Int, { description: 'Attempts made so far.' })
  attemptCount!: number;

  @Field(() => Date, { nullable: true, description: 'When the next attempt is due; null unless PENDING.' })
  nextAttemptAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'When the endpoint answered 2xx.' })
  deliveredAt!: Date | null;

  @Field(() => Int, { nullable: true, description: "The last attempt's HTTP status." })
  lastStatusCode!: number | null;

  @Field(() => String, { nullable: true, description: "The last attempt's error, if it failed." })
  lastError!: string | null;

  @Field(() => Date, { description: 'When the event happened (the message was queued).' })
  createdAt!: Date;
}

export function toWebhookDeliveryNode(delivery: WebhookDelivery): WebhookDeliveryNode {
  return Object.assign(new WebhookDeliveryNode(), {
    id: delivery.id,
    endpointId: delivery.endpointId,
    eventSeq: delivery.eventSeq,
    state: delivery.state,
    attemptCount: delivery.attemptCount,
    nextAttemptAt: delivery.state === WebhookDeliveryState.PENDING ? delivery.nextAttemptAt : null,
    deliveredAt: delivery.deliveredAt ?? null,
    lastStatusCode: delivery.lastStatusCode ?? null,
    lastError: delivery.lastError ?? null,
    createdAt: delivery.createdAt,
  });
}

export const WebhookDeliveryConnection = connectionType(WebhookDeliveryNode, 'WebhookDelivery');

@InputType('WebhookEndpointFilter', { description: 'Narrows `webhookEndpoints`.' })
export class WebhookEndpointFilterInput {
  @Field(() => ID, { nullable: true, description: "Only this tenant's endpoints (operator only; tenant users always see their own)." })
  tenantId?: string | null;

  @Field(() => Boolean, { nullable: true, description: "Operator only: true for the operator's own endpoints (no tenant), false for tenants'." })
  isOperatorEndpoint?: boolean | null;

  @Field(() => WebhookEndpointStatus, { nullable: true, description: 'Only endpoints in this status.' })
  status?: WebhookEndpointStatus | null;
}

@InputType('WebhookDeliveryFilter', { description: 'Narrows `webhookDeliveries`. All given conditions must hold.' })
export class WebhookDeliveryFilterInput {
  @Field(() => ID, { nullable: true, description: "Only this endpoint's deliveries." })
  endpointId?: string | null;

  @Field(() => WebhookDeliveryState, { nullable: true, description: 'Only deliveries in this state.' })
  state?: WebhookDeliveryState | null;

  @Field(() => String, { nullable: true, description: 'Only deliveries of this message (its `webhook-id` header).' })
  messageId?: string | null;
}

@InputType('WebhookEndpointCreateInput', { description: 'A new webhook endpoint.' })
export class WebhookEndpointCreateInput {
  @Field(() => ID, {
    nullable: true,
    description:
      "The tenant whose events it receives. Tenant admins leave it out (their own); the operator leaves it out for an operator endpoint, which receives every tenant's events.",
  })
  tenantId?: string | null;

  @Field({
    description:
      'Where to POST messages: an absolute http(s) URL of at most 2,000 characters, without user or password. Unless the server allows private networks (WEBHOOK_ALLOW_PRIVATE_URLS), https to a public address.',
  })
  url!: string;

  @Field(() => String, { nullable: true, description: 'What it is for, up to 200 characters.' })
  description?: string | null;

  @Field(() => [WebhookEventType], { description: 'The events it receives: 1 or more, each once. SETTLEMENT_COMPLETED is for operator endpoints only.' })
  eventTypes!: WebhookEventType[];
}

@InputType('WebhookEndpointUpdateInput', { description: 'Change an endpoint; fields left out keep their value.' })
export class WebhookEndpointUpdateInput {
  @Field(() => ID, { description: 'The endpoint.' })
  endpointId!: string;

  @Field(() => String, { nullable: true, description: 'A new URL, under the same rules as on create.' })
  url?: string | null;

  @Field(() => String, { nullable: true, description: 'A new description, up to 200 characters.' })
  description?: string | null;

  @Field(() => [WebhookEventType], { nullable: true, description: 'The events it receives from now on.' })
  eventTypes?: WebhookEventType[] | null;

  @Field(() => WebhookEndpointStatus, {
    nullable: true,
    description: 'DISABLED stops new messages; ENABLED resumes them, with the deliveries that waited, and clears the failure record.',
  })
  status?: WebhookEndpointStatus | null;
}

@InputType('WebhookEndpointDeleteInput', { description: 'Remove an endpoint with its secrets and delivery log.' })
export class WebhookEndpointDeleteInput {
  @Field(() => ID, { description: 'The endpoint.' })
  endpointId!: string;
}

@InputType('WebhookEndpointRotateSecretInput', { description: 'A new signing secret, with the old one still signing for a while.' })
export class WebhookEndpointRotateSecretInput {
  @Field(() => ID, { description: 'The endpoint.' })
  endpointId!: string;

  @Field(() => Int, {
    defaultValue: 24,
    description: 'Hours the secrets in use now keep signing beside the new one (each message then carries a signature by each), 0 to 168. Default 24.',
  })
  overlapHours!: number;
}

@InputType('WebhookDeliveryRetryInput', { description: 'Send a message again, now.' })
export class WebhookDeliveryRetryInput {
  @Field(() => ID, { description: 'The delivery: FAILED, or DELIVERED to send it once more.' })
  deliveryId!: string;
}

@ObjectType('WebhookEndpointPayload', { description: 'Result of a mutation on a webhook endpoint.' })
export class WebhookEndpointPayload {
  @Field(() => WebhookEndpointNode, { nullable: true, description: 'The endpoint; null when userErrors is not empty.' })
  webhookEndpoint!: WebhookEndpointNode | null;

  @Field(() => [UserError], { description: 'Why the input was refused; empty on success.' })
  userErrors!: UserError[];
}

@ObjectType('WebhookEndpointSecretPayload', { description: 'Result of creating an endpoint or rotating its secret: the only time the new secret is shown.' })
export class WebhookEndpointSecretPayload extends WebhookEndpointPayload {
  @Field(() => String, {
    nullable: true,
    description: 'The new signing secret (`whsec_…`), shown once: give it to the receiver to verify `webhook-signature` with a Standard Webhooks library.',
  })
  secret!: string | null;
}

@ObjectType('WebhookDeliveryPayload', { description: 'Result of redelivering a message.' })
export class WebhookDeliveryPayload {
  @Field(() => WebhookDeliveryNode, { nullable: true, description: 'The delivery, PENDING again; null when userErrors is not empty.' })
  webhookDelivery!: WebhookDeliveryNode | null;

  @Field(() => [UserError], { description: 'Why the input was refused; empty on success.' })
  userErrors!: UserError[];
}
