import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Money } from '../../platform/graphql/money.types.js';
import { payloadType } from '../../platform/graphql/payload.js';
import { connectionType, Node } from '../../platform/graphql/relay.js';
import { LocalDateScalar } from '../../platform/graphql/scalars.js';
import { scopeNode } from '../spend/spend.service.js';
import { SpendPeriod, SpendScopeInput, SpendScopeNode } from '../spend/spend.types.js';
import { AlertType, type Alert } from './alert.entity.js';

registerEnumType(AlertType, {
  name: 'AlertType',
  description: 'What an alert is about.',
  valuesConfig: {
    BUDGET_THRESHOLD: { description: "Spend reached one of a budget's thresholds." },
    BUDGET_EXHAUSTED: { description: 'Spend reached 100 % of a budget.' },
    BALANCE_LOW: { description: "The prepaid balance fell below the tenant's level." },
    SPEND_SPIKE: { description: "The last hour's spend is far above the scope's usual hourly spend." },
    FORECAST_OVER_BUDGET: { description: "This month's spend, projected to the month's end, passes a monthly budget." },
    WEBHOOK_ENDPOINT_DISABLED: {
      description:
        "One of the tenant's webhook endpoints was disabled after failing for days (the message names it; amount is 0). Enable it again once it answers.",
    },
  },
});

@ObjectType('Alert', { implements: Node, description: 'Something to know about spend, raised once per occasion.' })
export class AlertNode extends Node {
  budgetId!: string | null;

  @Field(() => AlertType, { description: 'What the alert is about.' })
  type!: AlertType;

  @Field(() => SpendScopeNode, { description: 'The scope concerned.' })
  scope!: SpendScopeNode;

  @Field(() => Int, { nullable: true, description: 'The threshold reached, in percent, for budget alerts.' })
  threshold!: number | null;

  @Field(() => SpendPeriod, { nullable: true, description: 'The budget period concerned.' })
  period!: SpendPeriod | null;

  @Field(() => LocalDateScalar, { nullable: true, description: 'First local day of that period.' })
  periodStart!: string | null;

  @Field(() => Money, { description: 'The spend (projected spend for a forecast, balance for BALANCE_LOW) when raised.' })
  amount!: Money;

  @Field(() => Money, { nullable: true, description: 'The limit or level it was measured against.' })
  limit!: Money | null;

  @Field({ description: 'Human-readable summary.' })
  message!: string;

  @Field(() => Date, { description: 'When it was raised.' })
  raisedAt!: Date;

  @Field(() => Date, { nullable: true, description: 'When it was acknowledged; null while open.' })
  acknowledgedAt!: Date | null;

  @Field({ description: 'Whether someone acknowledged it.' })
  isAcknowledged!: boolean;
}

export function toAlertNode(alert: Alert): AlertNode {
  return Object.assign(new AlertNode(), {
    id: alert.id,
    budgetId: alert.budgetId ?? null,
    type: alert.type,
    scope: scopeNode(alert.scopeType, alert.scopeId, alert.tenantId),
    threshold: alert.threshold ?? null,
    period: alert.period ?? null,
    periodStart: alert.periodStart ?? null,
    amount: Money.of(alert.amount, alert.currency),
    limit: alert.limitAmount ? Money.of(alert.limitAmount, alert.currency) : null,
    message: alert.message,
    raisedAt: alert.raisedAt,
    acknowledgedAt: alert.acknowledgedAt ?? null,
    isAcknowledged: Boolean(alert.acknowledgedAt),
  });
}

export const AlertConnection = connectionType(AlertNode, 'Alert');

@InputType('AlertFilter', { description: 'Narrows `alerts`. All given conditions must hold.' })
export class AlertFilterInput {
  @Field(() => ID, { nullable: true, description: 'Only this tenant (operator only; tenant users always see their own).' })
  tenantId?: string | null;

  @Field(() => [AlertType], { nullable: true, description: 'Only these types.' })
  types?: AlertType[] | null;

  @Field(() => SpendScopeInput, { nullable: true, description: 'Only alerts about exactly this scope.' })
  scope?: SpendScopeInput | null;

  @Field(() => Boolean, { nullable: true, description: 'Only acknowledged (true) or open (false) alerts.' })
  isAcknowledged?: boolean | null;

  @Field(() => Date, { nullable: true, description: 'Raised at or after this instant.' })
  from?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Raised before this instant.' })
  to?: Date | null;
}

@InputType('AlertAcknowledgeInput', { description: 'Mark an alert as seen.' })
export class AlertAcknowledgeInput {
  @Field(() => ID, { description: 'The alert.' })
  alertId!: string;
}

export const AlertPayload = payloadType('AlertPayload', 'alert', AlertNode, 'Result of alertAcknowledge.');
