import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { payloadType } from '../../platform/graphql/payload.js';
import { connectionType } from '../../platform/graphql/relay.js';
import { scopeNode } from '../spend/spend.service.js';
import { SpendScopeInput, SpendScopeNode } from '../spend/spend.types.js';
import { DEFAULT_CEILING, type RateLimit } from './rate-limit.entity.js';

const PER_MINUTE_RULE = 'a whole number from 1 to 10^9, at most the tenant ceiling';

@ObjectType('RateLimit', {
  description:
    'Requests and tokens per minute allowed on a scope, counted across every server instance over a sliding 60 s. usageReserve refuses a call past it, and usageAuthorize a call it can see is past it, with RATE_LIMITED (429).',
})
export class RateLimitNode {
  @Field(() => SpendScopeNode, { description: 'The tenant, department (with everything below it) or key the limit applies to.' })
  scope!: SpendScopeNode;

  @Field(() => Int, { nullable: true, description: 'Requests allowed per minute; null when requests are not limited.' })
  requestsPerMinute!: number | null;

  @Field(() => Int, {
    nullable: true,
    description: 'Tokens (input + output + cached input) allowed per minute; null when tokens are not limited.',
  })
  tokensPerMinute!: number | null;

  @Field(() => Date, { description: 'When the limit was first set.' })
  createdAt!: Date;

  @Field(() => Date, { description: 'When it last changed.' })
  updatedAt!: Date;
}

export function toRateLimitNode(limit: RateLimit): RateLimitNode {
  return Object.assign(new RateLimitNode(), {
    scope: scopeNode(limit.scopeType, limit.scopeId, limit.tenantId),
    requestsPerMinute: limit.requestsPerMinute ?? null,
    tokensPerMinute: limit.tokensPerMinute ?? null,
    createdAt: limit.createdAt,
    updatedAt: limit.updatedAt,
  });
}

export const RateLimitConnection = connectionType(RateLimitNode, 'RateLimit');

@ObjectType('RateLimitCeiling', {
  description: `The most any rate limit of a tenant may allow, set by the operator: what the tenant bought. Default ${DEFAULT_CEILING.requestsPerMinute} requests and ${DEFAULT_CEILING.tokensPerMinute} tokens per minute.`,
})
export class RateLimitCeilingNode {
  @Field(() => ID, { description: 'The tenant.' })
  tenantId!: string;

  @Field(() => Int, { description: 'The highest requestsPerMinute a limit of the tenant may have.' })
  requestsPerMinute!: number;

  @Field(() => Int, { description: 'The highest tokensPerMinute a limit of the tenant may have.' })
  tokensPerMinute!: number;

  @Field({ description: 'False while the tenant has the default ceiling.' })
  isSet!: boolean;
}

@InputType('RateLimitSetInput', { description: 'Set the rate limit of a scope, replacing the one it has.' })
export class RateLimitSetInput {
  @Field(() => SpendScopeInput, { description: 'The scope: a tenant, a department (covering everything below it) or a key.' })
  scope!: SpendScopeInput;

  @Field(() => Int, { nullable: true, description: `Requests per minute: ${PER_MINUTE_RULE}; null for no limit on requests.` })
  requestsPerMinute?: number | null;

  @Field(() => Int, {
    nullable: true,
    description: `Tokens (input + output + cached input) per minute: ${PER_MINUTE_RULE}; null for no limit on tokens. Give at least one of the two.`,
  })
  tokensPerMinute?: number | null;
}

@InputType('RateLimitDeleteInput', { description: 'Remove the rate limit of a scope.' })
export class RateLimitDeleteInput {
  @Field(() => SpendScopeInput, { description: 'The scope whose limit goes.' })
  scope!: SpendScopeInput;
}

@InputType('RateLimitFilter', { description: 'Narrows `rateLimits`.' })
export class RateLimitFilterInput {
  @Field(() => ID, { nullable: true, description: 'Only this tenant (operator only; tenant users always see their own).' })
  tenantId?: string | null;

  @Field(() => SpendScopeInput, { nullable: true, description: 'Only the limit of this scope.' })
  scope?: SpendScopeInput | null;
}

@InputType('TenantRateLimitCeilingSetInput', { description: "Set a tenant's rate limit ceiling (operator only)." })
export class TenantRateLimitCeilingSetInput {
  @Field(() => ID, { description: 'The tenant.' })
  tenantId!: string;

  @Field(() => Int, { description: 'The highest requestsPerMinute its limits may have: a whole number from 1 to 10^9, not below a limit it has.' })
  requestsPerMinute!: number;

  @Field(() => Int, { description: 'The highest tokensPerMinute its limits may have: a whole number from 1 to 10^9, not below a limit it has.' })
  tokensPerMinute!: number;
}

export const RateLimitPayload = payloadType('RateLimitPayload', 'rateLimit', RateLimitNode, 'Result of a mutation on a rate limit.');
export const RateLimitCeilingPayload = payloadType(
  'RateLimitCeilingPayload',
  'rateLimitCeiling',
  RateLimitCeilingNode,
  "Result of setting a tenant's rate limit ceiling.",
);
