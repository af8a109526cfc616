import { Arg, Args, Authorized, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../context.js';
import { RATE_LIMIT_CEILING_WRITERS, RATE_LIMIT_READERS, RATE_LIMIT_WRITERS } from '../../platform/auth/roles.js';
import { PageArgs } from '../../platform/graphql/relay.js';
import { collectUserErrors } from '../../platform/user-errors.js';
import { TenantNode } from '../tenant/tenant.types.js';
import type { RateLimit } from './rate-limit.entity.js';
import { deleteRateLimit, listRateLimits, rateLimitCeiling, setRateLimit, setRateLimitCeiling, type Ceiling } from './rate-limit.service.js';
import {
  RateLimitCeilingNode,
  RateLimitCeilingPayload,
  RateLimitConnection,
  RateLimitDeleteInput,
  RateLimitFilterInput,
  RateLimitNode,
  RateLimitPayload,
  RateLimitSetInput,
  TenantRateLimitCeilingSetInput,
  toRateLimitNode,
} from './rate-limit.types.js';

const toCeilingNode = (ceiling: Ceiling) => Object.assign(new RateLimitCeilingNode(), ceiling);

@Resolver(() => RateLimitNode)
export class RateLimitResolver {
  private async payload(work: () => Promise<RateLimit>) {
    const { result, userErrors } = await collectUserErrors(work);
    return { rateLimit: result ? toRateLimitNode(result) : null, userErrors };
  }

  @Authorized(RATE_LIMIT_READERS)
  @Query(() => RateLimitConnection, { description: "Rate limits, oldest first. Operator and tenant users (their tenant's)." })
  async rateLimits(
    @Ctx() context: RequestContext,
    @Args() page: PageArgs,
    @Arg('filter', () => RateLimitFilterInput, { nullable: true, description: 'Only limits that match every condition given.' })
    filter: RateLimitFilterInput | null,
  ) {
    return RateLimitConnection.from(await listRateLimits(context, filter, page), toRateLimitNode);
  }

  @Authorized(RATE_LIMIT_WRITERS)
  @Mutation(() => RateLimitPayload, {
    description:
      "Set the rate limit of a scope (requests and/or tokens per minute), replacing the one it has; at most the tenant's ceiling. Operator and tenant admins.",
  })
  rateLimitSet(
    @Ctx() context: RequestContext,
    @Arg('input', () => RateLimitSetInput, { description: 'The scope and its requests and tokens per minute.' }) input: RateLimitSetInput,
  ) {
    return this.payload(() => setRateLimit(context, input));
  }

  @Authorized(RATE_LIMIT_WRITERS)
  @Mutation(() => RateLimitPayload, { description: 'Remove the rate limit of a scope; the payload has the limit removed. Operator and tenant admins.' })
  rateLimitDelete(
    @Ctx() context: RequestContext,
    @Arg('input', () => RateLimitDeleteInput, { description: 'The scope whose rate limit to remove.' }) input: RateLimitDeleteInput,
  ) {
    return this.payload(() => deleteRateLimit(context, input));
  }

  @Authorized(RATE_LIMIT_CEILING_WRITERS)
  @Mutation(() => RateLimitCeilingPayload, {
    description: "Set the most a tenant's rate limits may allow: what it bought. Operator only.",
  })
  async tenantRateLimitCeilingSet(
    @Ctx() context: RequestContext,
    @Arg('input', () => TenantRateLimitCeilingSetInput, { description: 'The tenant and the highest requests and tokens per minute its admins may set.' })
    input: TenantRateLimitCeilingSetInput,
  ) {
    const { result, userErrors } = await collectUserErrors(() => setRateLimitCeiling(context, input));
    return { rateLimitCeiling: result ? toCeilingNode(result) : null, userErrors };
  }
}

@Resolver(() => TenantNode)
export class TenantRateLimitCeilingResolver {
  @Authorized(RATE_LIMIT_READERS)
  @FieldResolver(() => RateLimitCeilingNode, { description: "The most the tenant's rate limits may allow, set by the operator." })
  async rateLimitCeiling(@Ctx() context: RequestContext, @Root() tenant: TenantNode): Promise<RateLimitCeilingNode> {
    return toCeilingNode(await rateLimitCeiling(context, tenant.id));
  }
}
