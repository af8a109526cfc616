import type { FilterQuery } from '@mikro-orm/postgresql';
import type pg from 'pg';
import { inTransaction, type RequestContext } from '../../context.js';
import { requireRole, tenantScope } from '../../platform/auth/actor.js';
import { SPEND_CONTROLLERS, SPEND_READERS } from '../../platform/auth/roles.js';
import { publishOnCommit } from '../../platform/events/pubsub.js';
import { WebhookEventType } from '../../platform/events/webhook-event-types.js';
import { recordWebhookEvents, type WebhookEventDraft } from '../../platform/events/webhook-outbox.js';
import { OrderDirection, paginate, type PageArgs } from '../../platform/graphql/relay.js';
import { newId } from '../../platform/ids.js';
import { decimal, formatAmount, type CurrencyCode } from '../../platform/money.js';
import { UserErrorCode, UserInputErrors } from '../../platform/user-errors.js';
import { inputId } from '../../platform/validation.js';
import { resolveSpendScope } from '../spend/spend.service.js';
import type { BudgetForecast, ThresholdCrossing } from '../budget/budget-evaluation.js';
import { balanceLowAlertKey, forecastAlertKey, spikeAlertKey, thresholdAlertKey, webhookDisabledAlertKey } from './alert-keys.js';
import type { BalanceLow } from './balance-low.js';
import type { SpendSpike, SpendSpikeRule } from './spend-spike.js';
import { Alert, AlertType } from './alert.entity.js';
import { alertedKeys, insertAlerts, scopeNames, type AlertRow, type RaisedAlert } from './alert.repository.js';
import type { AlertAcknowledgeInput, AlertFilterInput } from './alert.types.js';

export const ALERT_RAISED = 'ALERT_RAISED';

/** One notification per transaction that raised alerts. */
export interface AlertRaisedEvent {
  alerts: RaisedAlert[];
}

const SCOPE_KINDS = { TENANT: 'the tenant', DEPARTMENT: 'department', API_KEY: 'key' } as const;

/** How a message names its scope: "the tenant", or the department's or key's name as it was when the alert was raised. */
type ScopeNamer = (scopeType: keyof typeof SCOPE_KINDS, scopeId: string) => string;

function scopeNamer(names: Map<string, string>): ScopeNamer {
  return (scopeType, scopeId) => (scopeType === 'TENANT' ? SCOPE_KINDS.TENANT : `${SCOPE_KINDS[scopeType]} "${names.get(scopeId) ?? scopeId}"`);
}

/** An amount as a message shows it, to the fen (the alert's fields keep it exact). */
function moneyText(amount: string, currency: CurrencyCode): string {
  return `${formatAmount(decimal(amount).toDecimalPlaces(2), currency)} ${currency}`;
}

/** An alert as its occasion describes it; its id and dedupe key are given where it is raised. */
type AlertFields = Omit<AlertRow, 'id' | 'dedupe_key'>;

/** Whose spend a budget alert is about: the scope's, or its tasks' of one stage ("department "Design" on DRAFT tasks"). */
function spendOf(occasion: ThresholdCrossing | BudgetForecast, scopeName: ScopeNamer): string {
  const scope = scopeName(occasion.scopeType, occasion.scopeId);
  return occasion.stage ? `${scope} on ${occasion.stage} tasks` : scope;
}

function crossingAlert(crossing: ThresholdCrossing, currency: CurrencyCode, scopeName: ScopeNamer): AlertFields {
  const exhausted = crossing.threshold >= 100;
  const money = (amount: string) => moneyText(amount, currency);
  return {
    tenant_id: crossing.tenantId,
    type: exhausted ? AlertType.BUDGET_EXHAUSTED : AlertType.BUDGET_THRESHOLD,
    scope_type: crossing.scopeType,
    scope_id: crossing.scopeId,
    budget_id: crossing.budgetId,
    threshold: crossing.threshold,
    period: crossing.period,
    period_start: crossing.periodStart,
    amount: crossing.spent,
    limit_amount: crossing.limitAmount,
    currency,
    message: exhausted
      ? `Spend of ${spendOf(crossing, scopeName)} reached its ${crossing.period.toLowerCase()} budget of ${money(crossing.limitAmount)} (spent ${money(crossing.spent)}).`
      : `Spend of ${spendOf(crossing, scopeName)} reached ${crossing.threshold}% of its ${crossing.period.toLowerCase()} budget of ${money(crossing.limitAmount)} (spent ${money(crossing.spent)}).`,
  };
}

function forecastAlert(forecast: BudgetForecast, currency: CurrencyCode, scopeName: ScopeNamer): AlertFields {
  const money = (amount: string) => moneyText(amount, currency);
  return {
    tenant_id: forecast.tenantId,
    type: AlertType.FORECAST_OVER_BUDGET,
    scope_type: forecast.scopeType,
    scope_id: forecast.scopeId,
    budget_id: forecast.budgetId,
    threshold: null,
    period: forecast.period,
    period_start: forecast.periodStart,
    amount: forecast.projected,
    limit_amount: forecast.limitAmount,
    currency,
    message: `At this pace ${spendOf(forecast, scopeName)} will spend about ${money(forecast.projected)} this month, past its budget of ${money(forecast.limitAmount)}.`,
  };
}

function balanceLowAlert(low: BalanceLow, currency: CurrencyCode): AlertFields {
  const money = (amount: string) => moneyText(amount, currency);
  return {
    tenant_id: low.tenantId,
    type: AlertType.BALANCE_LOW,
    scope_type: 'TENANT',
    scope_id: low.tenantId,
    budget_id: null,
    threshold: null,
    period: null,
    period_start: null,
    amount: low.balance,
    limit_amount: low.level,
    currency,
    message: `The prepaid balance is ${money(low.balance)}, below the alert level of ${money(low.level)}.`,
  };
}

function spikeAlert(spike: SpendSpike, currency: CurrencyCode, rule: SpendSpikeRule, scopeName: ScopeNamer): AlertFields {
  const money = (amount: string) => moneyText(amount, currency);
  return {
    tenant_id: spike.tenantId,
    type: AlertType.SPEND_SPIKE,
    scope_type: spike.scopeType,
    scope_id: spike.scopeId,
    budget_id: null,
    threshold: null,
    period: null,
    period_start: null,
    amount: spike.spent,
    limit_amount: decimal(spike.hourlyAverage).times(rule.multiple).toDecimalPlaces(10).toFixed(),
    currency,
    message: `Spend of ${scopeName(spike.scopeType, spike.scopeId)} in the hour from ${spike.hourStart} is ${money(spike.spent)}, more than ${rule.multiple} times its hourly average of the last 7 days (${money(spike.hourlyAverage)}).`,
  };
}

/** The occasions for alerts that a usage batch brought about; some may have been alerted before. */
export interface UsageAlertOccasions {
  crossings: ThresholdCrossing[];
  forecasts: BudgetForecast[];
  balanceLows: BalanceLow[];
  spikes: SpendSpike[];
}

/** An occasion for an alert: its dedupe key, its scope, and the alert it raises when the key has none yet. */
interface AlertCandidate {
  dedupeKey: string;
  scopeId: string;
  describe: (scopeName: ScopeNamer) => AlertFields;
}

/** Occasions for budget alerts: thresholds reached, months forecast past their limit. */
export type BudgetAlertOccasions = Pick<UsageAlertOccasions, 'crossings' | 'forecasts'>;

function budgetAlertCandidates(occasions: BudgetAlertOccasions, currencies: Record<string, CurrencyCode>): AlertCandidate[] {
  return [
    ...occasions.crossings.map((crossing) => ({
      dedupeKey: thresholdAlertKey(crossing),
      scopeId: crossing.scopeId,
      describe: (scopeName: ScopeNamer) => crossingAlert(crossing, currencies[crossing.tenantId], scopeName),
    })),
    ...occasions.forecasts.map((forecast) => ({
      dedupeKey: forecastAlertKey(forecast),
      scopeId: forecast.scopeId,
      describe: (scopeName: ScopeNamer) => forecastAlert(forecast, currencies[forecast.tenantId], scopeName),
    })),
  ];
}

function usageAlertCandidates(occasions: UsageAlertOccasions, currencies: Record<string, CurrencyCode>, spikeRule: SpendSpikeRule): AlertCandidate[] {
  return [
    ...budgetAlertCandidates(occasions, currencies),
    ...occasions.balanceLows.map((low) => ({
      dedupeKey: balanceLowAlertKey(low),
      scopeId: low.tenantId,
      describe: () => balanceLowAlert(low, currencies[low.tenantId]),
    })),
    ...occasions.spikes.map((spike) => ({
      dedupeKey: spikeAlertKey(spike),
      scopeId: spike.scopeId,
      describe: (scopeName: ScopeNamer) => spikeAlert(spike, currencies[spike.tenantId], spikeRule, scopeName),
    })),
  ];
}

/**
 * Raises the alerts of these occasions in the caller's transaction, and announces them on commit.
 * Each occasion is raised once: its dedupe key (alert-keys.ts) is looked up first, so an occasion
 * alerted before (a threshold stays reached for the rest of its period) costs no insert, and the
 * key's unique index settles a concurrent transaction raising the same occasion.
 */
async function raiseOccasions(client: pg.ClientBase, candidates: AlertCandidate[], now: Date): Promise<void> {
  if (candidates.length === 0) return;
  const dedupeKeys = candidates.map((candidate) => candidate.dedupeKey);
  const alerted = new Set(await alertedKeys(client, dedupeKeys));
  const fresh = candidates.filter((candidate) => !alerted.has(candidate.dedupeKey));
  if (fresh.length === 0) return;
  const scopeName = scopeNamer(await scopeNames(client, [...new Set(fresh.map((candidate) => candidate.scopeId))]));
  const rows = fresh.map((candidate) => ({ id: newId('Alert'), dedupe_key: candidate.dedupeKey, ...candidate.describe(scopeName) }));
  await raiseAlerts(client, rows, now);
}

/** Raises the alerts a usage batch brought about, in the batch's transaction. */
export async function raiseUsageAlerts(
  client: pg.ClientBase,
  occasions: UsageAlertOccasions,
  currencies: Record<string, CurrencyCode>,
  spikeRule: SpendSpikeRule,
  now: Date,
): Promise<void> {
  await raiseOccasions(client, usageAlertCandidates(occasions, currencies, spikeRule), now);
}

/** Raises the alerts of stage budgets a completed task brought about, in its transaction. */
export async function raiseBudgetAlerts(
  client: pg.ClientBase,
  occasions: BudgetAlertOccasions,
  currencies: Record<string, CurrencyCode>,
  now: Date,
): Promise<void> {
  await raiseOccasions(client, budgetAlertCandidates(occasions, currencies), now);
}

/** The webhook an alert sends: `balance.low` for a low balance, `alert.raised` for the rest; one scope's alerts in order. */
function alertWebhookEvent(row: AlertRow, raisedAt: Date): WebhookEventDraft {
  const money = (amount: string) => ({ amount: formatAmount(decimal(amount), row.currency as CurrencyCode), currency: row.currency });
  return {
    type: row.type === AlertType.BALANCE_LOW ? WebhookEventType.BALANCE_LOW : WebhookEventType.ALERT_RAISED,
    tenantId: row.tenant_id,
    orderKey: row.scope_id,
    data: {
      alert: {
        id: row.id,
        type: row.type,
        scope: { type: row.scope_type, id: row.scope_id },
        budget: row.budget_id ? { id: row.budget_id } : null,
        threshold: row.threshold,
        period: row.period,
        periodStart: row.period_start,
        amount: money(row.amount),
        limit: row.limit_amount === null ? null : money(row.limit_amount),
        message: row.message,
        raisedAt: raisedAt.toISOString(),
      },
    },
  };
}

/** Inserts alerts whose occasion has none yet and announces those, to subscriptions and webhooks, on commit. */
async function raiseAlerts(client: pg.ClientBase, rows: AlertRow[], now: Date): Promise<void> {
  const raised = await insertAlerts(client, rows, now);
  if (raised.length === 0) return;
  await publishOnCommit(client, ALERT_RAISED, { alerts: raised } satisfies AlertRaisedEvent);
  const raisedIds = new Set(raised.map((alert) => alert.id));
  await recordWebhookEvents(
    client,
    rows.filter((row) => raisedIds.has(row.id)).map((row) => alertWebhookEvent(row, now)),
    now,
  );
}

/** Tells a tenant, in the dispatcher's transaction, that one of its webhook endpoints was disabled after failing for days. */
export async function raiseWebhookEndpointDisabledAlert(
  client: pg.ClientBase,
  endpoint: { id: string; tenantId: string; url: string; failingSince: Date },
  now: Date,
): Promise<void> {
  const { rows } = await client.query<{ currency: CurrencyCode }>('select billing_currency as currency from tenant where id = $1', [endpoint.tenantId]);
  await raiseAlerts(
    client,
    [
      {
        id: newId('Alert'),
        dedupe_key: webhookDisabledAlertKey(endpoint.id, endpoint.failingSince),
        tenant_id: endpoint.tenantId,
        type: AlertType.WEBHOOK_ENDPOINT_DISABLED,
        scope_type: 'TENANT',
        scope_id: endpoint.tenantId,
        budget_id: null,
        threshold: null,
        period: null,
        period_start: null,
        amount: '0',
        limit_amount: null,
        currency: rows[0].currency,
        message: `Webhook endpoint ${endpoint.url} (${endpoint.id}) was disabled: every delivery since ${endpoint.failingSince.toISOString()} failed. Once it answers, enable it again (webhookEndpointUpdate); the messages that waited go then.`,
      },
    ],
    now,
  );
}

export async function listAlerts(context: RequestContext, filter: AlertFilterInput | null, page: PageArgs) {
  requireRole(context.actor, SPEND_READERS);
  const where: FilterQuery<Alert>[] = [];
  const tenantId = tenantScope(context.actor, filter?.tenantId);
  if (tenantId) where.push({ tenantId });
  if (filter?.scope) where.push({ scopeId: (await resolveSpendScope(context, filter.scope, 'filter.scope')).id });
  if (filter?.types?.length) where.push({ type: { $in: filter.types } });
  if (filter?.isAcknowledged != null) where.push({ acknowledgedAt: filter.isAcknowledged ? { $ne: null } : null });
  if (filter?.from) where.push({ raisedAt: { $gte: filter.from } });
  if (filter?.to) where.push({ raisedAt: { $lt: filter.to } });
  return paginate({ em: context.em, entity: Alert, where: { $and: where }, sortField: 'raisedAt', direction: OrderDirection.DESC, page });
}

export async function findAlert(context: RequestContext, id: string): Promise<Alert | null> {
  requireRole(context.actor, SPEND_READERS);
  return context.em.findOne(Alert, { id });
}

/** Marks an alert as seen; acknowledging twice keeps the first acknowledgement. */
export async function acknowledgeAlert(context: RequestContext, input: AlertAcknowledgeInput): Promise<Alert> {
  requireRole(context.actor, SPEND_CONTROLLERS);
  return inTransaction(context, async (transaction) => {
    const field = ['input', 'alertId'];
    const alert = await transaction.em.findOne(Alert, { id: inputId('Alert', input.alertId, field) });
    if (!alert) throw UserInputErrors.single(UserErrorCode.NOT_FOUND, field, 'alertId names no alert you can see');
    if (!alert.acknowledgedAt) {
      alert.acknowledgedAt = transaction.clock.now();
      alert.acknowledgedByTokenId = transaction.actor.tokenId;
    }
    return alert;
  });
}
