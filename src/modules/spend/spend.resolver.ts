import { filter, pipe } from '@graphql-yoga/subscription';
import type DataLoader from 'dataloader';
import { Arg, Authorized, Ctx, FieldResolver, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { RequestContext } from '../../context.js';
import { requireRole } from '../../platform/auth/actor.js';
import { SPEND_READERS } from '../../platform/auth/roles.js';
import { SPEND_UPDATED, type SpendUpdatedEvent } from './spend-events.js';
import { listenNow } from '../../platform/events/pubsub.js';
import { SpendPeriod } from './spend-counter.entity.js';
import { getSpend, resolveSpendScope, scopeNode, toSpendNode } from './spend.service.js';
import { SpendNode, SpendScopeInput, SpendScopeNode, SpendSnapshotNode } from './spend.types.js';

/** Subscription arguments as type-graphql hands them to `subscribe`. */
interface SpendUpdatedArgs {
  scope: SpendScopeInput;
}

@Resolver()
export class SpendResolver {
  @Authorized(SPEND_READERS)
  @Query(() => SpendNode, {
    description:
      "A scope's charged spend in the period containing `at` (default now), in the tenant's time zone, with its limit if one applies. Operator and tenant users; not ERP.",
  })
  spend(
    @Ctx() context: RequestContext,
    @Arg('scope', () => SpendScopeInput, { description: 'The tenant, department (with its subtree) or key.' }) scope: SpendScopeInput,
    @Arg('period', () => SpendPeriod, { defaultValue: SpendPeriod.MONTHLY, description: 'DAILY or MONTHLY; default MONTHLY.' }) period: SpendPeriod,
    @Arg('at', () => Date, { nullable: true, description: 'An instant inside the period; default now.' }) at: Date | null,
  ): Promise<SpendNode> {
    return getSpend(context, scope, period, at);
  }

  @Subscription(() => SpendSnapshotNode, {
    description:
      "The scope's spend after each recorded usage batch that moves it, from any server. Operator and tenant users; tenant users may watch only their tenant's scopes.",
    subscribe: async ({ context, args }) => {
      requireRole((context as RequestContext).actor, SPEND_READERS);
      // Listening before the scope is looked up: a batch recorded meanwhile is not missed.
      const events = listenNow((context as RequestContext).pubSub, SPEND_UPDATED);
      const scope = await resolveSpendScope(context as RequestContext, (args as SpendUpdatedArgs).scope).catch(async (error: unknown) => {
        await events.return?.();
        throw error;
      });
      return pipe(
        events,
        filter((event: unknown) => (event as SpendUpdatedEvent).moves.some((move) => move.scopeId === scope.id)),
      );
    },
  })
  spendUpdated(
    @Root() event: SpendUpdatedEvent,
    @Arg('scope', () => SpendScopeInput, { description: 'The tenant, department (with its subtree) or key.' }) scope: SpendScopeInput,
  ): SpendSnapshotNode {
    const scopeId = scope.tenantId ?? scope.departmentId ?? scope.apiKeyId;
    const moves = event.moves.filter((move) => move.scopeId === scopeId);
    const [first] = moves;
    return Object.assign(new SpendSnapshotNode(), {
      scope: scopeNode(first.scopeType, first.scopeId, first.tenantId),
      recordedAt: new Date(event.recordedAt),
      spends: moves.map((move) =>
        toSpendNode({
          scope: scopeNode(move.scopeType, move.scopeId, move.tenantId),
          period: move.period,
          periodStart: move.periodStart,
          spent: move.spent,
          requestCount: Number(move.requestCount),
          limit: move.limit,
          currency: event.currencies[move.tenantId],
        }),
      ),
    });
  }
}

@Resolver(() => SpendScopeNode)
export class SpendScopeResolver {
  @FieldResolver(() => String, { description: 'The name of the tenant, department or API key, as it is now.' })
  async name(@Root() scope: SpendScopeNode, @Ctx() context: RequestContext): Promise<string> {
    const { tenantById, departmentById, apiKeyById } = context.loaders;
    const loader: DataLoader<string, { name: string } | null> = { TENANT: tenantById, DEPARTMENT: departmentById, API_KEY: apiKeyById }[scope.type];
    return (await loader.load(scope.id))?.name ?? scope.id;
  }
}
