import { Arg, Args, Authorized, Ctx, FieldResolver, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { beginSubscriptionEvent, type RequestContext } from '../../context.js';
import { canSeeTenant, requireRole } from '../../platform/auth/actor.js';
import { SPEND_CONTROLLERS, SPEND_READERS } from '../../platform/auth/roles.js';
import { NotFoundError } from '../../platform/errors.js';
import { PageArgs } from '../../platform/graphql/relay.js';
import { collectUserErrors } from '../../platform/user-errors.js';
import { BudgetNode, toBudgetNode } from '../budget/budget.types.js';
import { findBudget } from '../budget/budget.service.js';
import { resolveSpendScope } from '../spend/spend.service.js';
import { SpendScopeInput } from '../spend/spend.types.js';
import { acknowledgeAlert, ALERT_RAISED, findAlert, listAlerts, type AlertRaisedEvent } from './alert.service.js';
import type { RaisedAlert } from './alert.repository.js';
import { AlertAcknowledgeInput, AlertConnection, AlertFilterInput, AlertNode, AlertPayload, toAlertNode } from './alert.types.js';
import { listenNow } from '../../platform/events/pubsub.js';

interface AlertRaisedArgs {
  scope?: SpendScopeInput | null;
}

@Resolver(() => AlertNode)
export class AlertResolver {
  @Authorized(SPEND_READERS)
  @Query(() => AlertConnection, { description: "Alerts, newest first. Operator and tenant users (their tenant's); not ERP." })
  async alerts(
    @Ctx() context: RequestContext,
    @Args() page: PageArgs,
    @Arg('filter', () => AlertFilterInput, { nullable: true, description: 'Only alerts that match every condition given.' }) filter: AlertFilterInput | null,
  ) {
    return AlertConnection.from(await listAlerts(context, filter, page), toAlertNode);
  }

  @Authorized(SPEND_CONTROLLERS)
  @Mutation(() => AlertPayload, { description: 'Acknowledge an alert (operator, tenant admins and finance).' })
  async alertAcknowledge(
    @Ctx() context: RequestContext,
    @Arg('input', () => AlertAcknowledgeInput, { description: 'The alert to acknowledge.' }) input: AlertAcknowledgeInput,
  ) {
    const { result, userErrors } = await collectUserErrors(() => acknowledgeAlert(context, input));
    return { alert: result ? toAlertNode(result) : null, userErrors };
  }

  @FieldResolver(() => BudgetNode, { nullable: true, description: 'The budget, for budget alerts.' })
  async budget(@Ctx() context: RequestContext, @Root() alert: AlertNode): Promise<BudgetNode | null> {
    if (!alert.budgetId) return null;
    const budget = await findBudget(context, alert.budgetId);
    const tenant = budget ? await context.loaders.tenantById.load(budget.tenantId) : null;
    return budget && tenant ? toBudgetNode(budget, tenant.billingCurrency) : null;
  }

  @Subscription(() => AlertNode, {
    description:
      "Alerts as they are raised, on any server. Tenant users get their tenant's; the operator every tenant's; not ERP. With `scope`, only alerts about exactly that scope.",
    // Checks run before the stream starts, so a refusal is a clean NOT_FOUND / FORBIDDEN, not an error mid-stream.
    subscribe: async ({ context, args }) => {
      const { actor, pubSub } = context as RequestContext;
      requireRole(actor, SPEND_READERS);
      const { scope } = args as AlertRaisedArgs;
      // Listening before the scope is looked up: an alert raised meanwhile is not missed.
      const events = listenNow(pubSub, ALERT_RAISED);
      const scopeId = scope
        ? (
            await resolveSpendScope(context as RequestContext, scope).catch(async (error: unknown) => {
              await events.return?.();
              throw error;
            })
          ).id
        : null;
      const visible = (alert: RaisedAlert) => canSeeTenant(actor, alert.tenantId) && (!scopeId || alert.scopeId === scopeId);
      return (async function* () {
        for await (const event of events) {
          for (const alert of (event as AlertRaisedEvent).alerts) if (visible(alert)) yield alert;
        }
      })();
    },
  })
  async alertRaised(
    @Ctx() context: RequestContext,
    @Root() raised: RaisedAlert,
    @Arg('scope', () => SpendScopeInput, { nullable: true, description: 'Only alerts about exactly this scope.' }) _scope: SpendScopeInput | null,
  ): Promise<AlertNode> {
    beginSubscriptionEvent(context);
    const alert = await findAlert(context, raised.id);
    if (!alert) throw new NotFoundError('Alert', raised.id);
    return toAlertNode(alert);
  }
}
