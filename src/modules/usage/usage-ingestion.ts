import type pg from 'pg';
import { publishOnCommit } from '../../platform/events/pubsub.js';
import { newId } from '../../platform/ids.js';
import { Decimal, type CurrencyCode } from '../../platform/money.js';
import { raiseUsageAlerts } from '../alert/alert.service.js';
import { isBalanceLow, type BalanceLow } from '../alert/balance-low.js';
import { spendSpikes, type SpendSpike, type SpendSpikeRule } from '../alert/spend-spike.js';
import { StoredApiKeyStatus } from '../api-key/api-key.entity.js';
import { latestCredits, postPrepaidUsageDebits, type PrepaidDebit, type UsageCharge } from '../balance/balance-ledger.js';
import { budgetLookup, budgetOccasions, type BudgetForecast, type ThresholdCrossing } from '../budget/budget-evaluation.js';
import { liveBudgetsOf, type LiveBudget } from '../budget/budget.repository.js';
import { PRICE_BOOK_LOCK } from '../price/price.service.js';
import { countRecordedUsage } from '../rate-limit/rate-limit.repository.js';
import { keyMinuteUsage } from '../rate-limit/rate-window.js';
import { usageCost } from '../price/rating.js';
import { SpendScopeType } from '../spend/spend-counter.entity.js';
import { SPEND_UPDATED, type RateWindowMove, type SpendUpdatedEvent } from '../spend/spend-events.js';
import { endHolds, type EndedHold } from '../spend/spend-hold.repository.js';
import { addKeySpend, type CounterMove, type HourSpend, type KeySpend } from '../spend/spend.repository.js';
import { keyLimitFor, tightestLimit } from '../spend/spend.service.js';
import { FailedRequestPolicy } from '../tenant/tenant.entity.js';
import { ChargeReason, UsageStatus } from './usage-record.entity.js';
import { RecordRejected } from './usage.errors.js';
import {
  addUsageRollups,
  countRepeatedRequests,
  holdTenantsAgainstSettlement,
  insertUsageRecords,
  keysForUsage,
  priceVersionsForUsage,
  type DailyCharge,
  type KeyForUsage,
  type InsertedRecord,
  type PriceVersion,
  type PricedUsageRow,
  type RepeatedRequest,
} from './usage.repository.js';
import { UsageRejectionCode, type UsageDuplicate, type UsageRecordItemInput } from './usage.types.js';

/** No single request costs this much; it also keeps every amount inside numeric(30,16). */
const MAX_RECORD_COST = new Decimal('1e12');

/** Usage is unique per tenant and requestId. */
const identityOf = (tenantId: string, requestId: string) => `${tenantId}\u0000${requestId}`;

/** A batch on its way through the steps, in one transaction: each step reads what earlier ones left and adds its own. */
export interface Ingestion {
  readonly client: pg.ClientBase;
  readonly now: Date;
  readonly spikeRule: SpendSpikeRule;
  /** Records that passed the checks needing no database, with their index in the batch. */
  readonly candidates: { index: number; record: UsageRecordItemInput }[];
  readonly reject: (index: number, record: UsageRecordItemInput, error: RecordRejected) => void;
  readonly duplicates: UsageDuplicate[];
  keys: KeyForUsage[];
  rows: PricedUsageRow[];
  /** The batch index of each priced row. */
  rowIndexes: number[];
  /** Records of a known key refused as duplicates, in this batch or of an earlier one: what `usage_request` counts. */
  repeats: RepeatedRequest[];
  inserted: InsertedRecord[];
  keySpend: KeySpend[];
  dailyCharges: DailyCharge[];
  /** The holds of the inserted records' reservations, ended. */
  endedHolds: EndedHold[];
  counters: CounterMove[];
  rateWindows: RateWindowMove[];
  currentHours: HourSpend[];
  debits: PrepaidDebit[];
  budgets: LiveBudget[];
  crossings: ThresholdCrossing[];
  forecasts: BudgetForecast[];
  spikes: SpendSpike[];
  balanceLows: BalanceLow[];
  /** What `publish` announced, for this process to apply once the batch commits; null when no spend moved. */
  spendUpdated: SpendUpdatedEvent | null;
}

export function newIngestion(fields: Pick<Ingestion, 'client' | 'now' | 'spikeRule' | 'candidates' | 'reject' | 'duplicates'>): Ingestion {
  return {
    ...fields,
    keys: [],
    rows: [],
    rowIndexes: [],
    repeats: [],
    inserted: [],
    keySpend: [],
    dailyCharges: [],
    endedHolds: [],
    counters: [],
    rateWindows: [],
    currentHours: [],
    debits: [],
    budgets: [],
    crossings: [],
    forecasts: [],
    spikes: [],
    balanceLows: [],
    spendUpdated: null,
  };
}

/** Whether the key could be used when the usage occurred. Revocation and expiry do not void earlier usage. */
function checkKey(record: UsageRecordItemInput, key: KeyForUsage | undefined): KeyForUsage {
  if (!key) throw new RecordRejected(UsageRejectionCode.UNKNOWN_API_KEY, 'apiKeyId', `apiKeyId names no API key: ${record.apiKeyId}`);
  const at = record.occurredAt.getTime();
  if (at < key.createdAt.getTime()) {
    throw new RecordRejected(
      UsageRejectionCode.OCCURRED_BEFORE_KEY_CREATED,
      'occurredAt',
      `occurredAt is before the key was created (${key.createdAt.toISOString()})`,
    );
  }
  if (key.status === StoredApiKeyStatus.REVOKED && (!key.revokedAt || at >= key.revokedAt.getTime())) {
    throw new RecordRejected(UsageRejectionCode.KEY_REVOKED, 'apiKeyId', 'the key was revoked before occurredAt');
  }
  if (key.expiresAt && at >= key.expiresAt.getTime()) {
    throw new RecordRejected(UsageRejectionCode.KEY_EXPIRED, 'apiKeyId', `the key expired at ${key.expiresAt.toISOString()}, before occurredAt`);
  }
  return key;
}

/** The version in force at the record's occurredAt, in the tenant's billing currency. */
function priceInForce(record: UsageRecordItemInput, key: KeyForUsage, versionsByModel: Map<string, PriceVersion[]>): PriceVersion {
  const versions = versionsByModel.get(record.model);
  if (!versions) throw new RecordRejected(UsageRejectionCode.UNKNOWN_MODEL, 'model', `model "${record.model}" is not in the price book`);
  const at = record.occurredAt.getTime();
  const price = versions.find(
    (version) =>
      version.currency === key.billingCurrency && version.effectiveFrom.getTime() <= at && (!version.effectiveTo || version.effectiveTo.getTime() > at),
  );
  if (!price) {
    throw new RecordRejected(
      UsageRejectionCode.NO_PRICE_IN_FORCE,
      'model',
      `model "${record.model}" has no ${key.billingCurrency} price in force at ${record.occurredAt.toISOString()}`,
    );
  }
  return price;
}

function pricedRow(record: UsageRecordItemInput, key: KeyForUsage, price: PriceVersion): PricedUsageRow {
  const exactCost = usageCost(price, record);
  if (exactCost.gte(MAX_RECORD_COST)) {
    throw new RecordRejected(
      UsageRejectionCode.COST_OUT_OF_RANGE,
      'model',
      `the record would cost ${exactCost.toFixed()} ${key.billingCurrency}; no single request costs 10^12 or more`,
    );
  }
  const cost = exactCost.toFixed();
  const failed = record.status === UsageStatus.FAILED;
  const isCharged = !failed || key.failedRequestPolicy === FailedRequestPolicy.CHARGED;
  return {
    id: newId('UsageRecord'),
    tenant_id: key.tenantId,
    department_id: key.departmentId,
    api_key_id: key.id,
    request_id: record.requestId,
    model: record.model,
    price_id: price.id,
    kind: record.kind,
    status: record.status,
    input_tokens: record.inputTokens,
    output_tokens: record.outputTokens,
    cached_input_tokens: record.cachedInputTokens,
    image_count: record.imageCount,
    video_seconds: record.videoSeconds,
    cost,
    charged_amount: isCharged ? cost : '0',
    is_charged: isCharged,
    charge_reason: !failed ? ChargeReason.SUCCEEDED : isCharged ? ChargeReason.FAILED_CHARGED_BY_POLICY : ChargeReason.FAILED_NOT_CHARGED_BY_POLICY,
    currency: key.billingCurrency,
    end_user_tag: record.endUserTag ?? null,
    task_id: record.taskId ?? null,
    occurred_at: record.occurredAt.toISOString(),
  };
}

/** Usage: derives each record's key, department and tenant, and prices it with the version in force at its occurredAt. */
async function price(ingestion: Ingestion): Promise<void> {
  const { client, candidates } = ingestion;
  ingestion.keys = await keysForUsage(client, [...new Set(candidates.map(({ record }) => record.apiKeyId))]);
  const keyById = new Map(ingestion.keys.map((key) => [key.id, key]));
  const versions = await priceVersionsForUsage(client, [...new Set(candidates.map(({ record }) => record.model))], PRICE_BOOK_LOCK);
  const versionsByModel = Map.groupBy(versions, (version) => version.model);
  const seen = new Set<string>();
  for (const { index, record } of candidates) {
    try {
      const key = checkKey(record, keyById.get(record.apiKeyId));
      const version = priceInForce(record, key, versionsByModel);
      const identity = identityOf(key.tenantId, record.requestId);
      if (seen.has(identity)) {
        ingestion.duplicates.push({ index, requestId: record.requestId });
        ingestion.repeats.push({ tenantId: key.tenantId, requestId: record.requestId });
        continue;
      }
      ingestion.rows.push(pricedRow(record, key, version));
      seen.add(identity);
      ingestion.rowIndexes.push(index);
    } catch (error) {
      if (!(error instanceof RecordRejected)) throw error;
      ingestion.reject(index, record, error);
    }
  }
}

/**
 * Usage: behind the settlement barrier (before the rows get their sequence numbers), inserts the
 * records the tenants do not have yet; the others are duplicates.
 */
async function insertRecords(ingestion: Ingestion): Promise<void> {
  const { client, rows } = ingestion;
  if (rows.length === 0) return;
  await holdTenantsAgainstSettlement(client, [...new Set(rows.map((row) => row.tenant_id))]);
  const { inserted, keySpend, dailyCharges } = await insertUsageRecords(client, rows, ingestion.now);
  const insertedIdentities = new Set(inserted.map(({ tenantId, requestId }) => identityOf(tenantId, requestId)));
  rows.forEach((row, position) => {
    if (!insertedIdentities.has(identityOf(row.tenant_id, row.request_id))) {
      ingestion.duplicates.push({ index: ingestion.rowIndexes[position], requestId: row.request_id });
      ingestion.repeats.push({ tenantId: row.tenant_id, requestId: row.request_id });
    }
  });
  ingestion.inserted = inserted;
  ingestion.keySpend = keySpend;
  ingestion.dailyCharges = dailyCharges;
}

/** Usage: each requestId that arrived again is counted on it, with when it last did (support reads them with the record). */
async function countDuplicates(ingestion: Ingestion): Promise<void> {
  if (ingestion.repeats.length === 0) return;
  await countRepeatedRequests(ingestion.client, ingestion.repeats, ingestion.now);
}

/** Usage: the new records' charges go into the tenants' daily rollups, which settlement bills from. */
async function rollUp(ingestion: Ingestion): Promise<void> {
  if (ingestion.dailyCharges.length === 0) return;
  await addUsageRollups(ingestion.client, ingestion.dailyCharges);
}

/** Spend: the holds the recorded calls' reservations placed end, now that their cost is in spend. */
async function endRecordedHolds(ingestion: Ingestion): Promise<void> {
  if (ingestion.inserted.length === 0) return;
  ingestion.endedHolds = await endHolds(ingestion.client, ingestion.inserted);
}

/** Spend: the counters and hours of every scope the new records count in. */
async function moveSpend(ingestion: Ingestion): Promise<void> {
  if (ingestion.keySpend.length === 0) return;
  ({ counters: ingestion.counters, currentHours: ingestion.currentHours } = await addKeySpend(ingestion.client, ingestion.keySpend, ingestion.now));
}

/**
 * Rate limit: the windows of every limited scope the new records count in (a record reserved
 * before was counted then, and is trued up to its actual tokens here).
 */
async function countRateWindows(ingestion: Ingestion): Promise<void> {
  const usage = keyMinuteUsage(ingestion.inserted, ingestion.endedHolds, ingestion.now);
  if (usage.length === 0) return;
  ingestion.rateWindows = await countRecordedUsage(ingestion.client, usage, ingestion.now);
}

function chargesByTenant(keySpend: KeySpend[]): UsageCharge[] {
  const totals = new Map<string, Decimal>();
  for (const { tenantId, spent } of keySpend) totals.set(tenantId, (totals.get(tenantId) ?? new Decimal(0)).plus(spent));
  return [...totals].map(([tenantId, amount]) => ({ tenantId, amount: amount.toFixed() }));
}

/** Balance: prepaid tenants pay the batch from their balance. */
async function postPrepaidDebits(ingestion: Ingestion): Promise<void> {
  if (ingestion.keySpend.length === 0) return;
  ingestion.debits = await postPrepaidUsageDebits(ingestion.client, chargesByTenant(ingestion.keySpend), ingestion.now);
}

/** Budget: the thresholds the moved counters reached and the months forecast past their limit. */
async function evaluateBudgets(ingestion: Ingestion): Promise<void> {
  if (ingestion.counters.length === 0) return;
  ingestion.budgets = await liveBudgetsOf(ingestion.client, [...new Set(ingestion.counters.map((counter) => counter.scopeId))], ingestion.now);
  ({ crossings: ingestion.crossings, forecasts: ingestion.forecasts } = budgetOccasions(ingestion.counters, ingestion.budgets));
}

/** Alert rules: this hour's spikes, and the balances the debits took below their level (with the stretch each is in). */
async function detectSpikesAndLowBalances(ingestion: Ingestion): Promise<void> {
  ingestion.spikes = spendSpikes(ingestion.currentHours, ingestion.spikeRule);
  const lows = ingestion.debits.filter(isBalanceLow);
  if (lows.length === 0) return;
  const lowTenantIds = lows.map((low) => low.tenantId);
  const credits = await latestCredits(ingestion.client, lowTenantIds);
  const sinceByTenant = new Map(credits.map((credit) => [credit.tenantId, credit.entryId]));
  ingestion.balanceLows = lows.map((low) => ({
    tenantId: low.tenantId,
    balance: low.balanceAfter,
    level: low.balanceLowLevel,
    sinceEntryId: sinceByTenant.get(low.tenantId) ?? null,
  }));
}

function currenciesOf(keys: KeyForUsage[]): Record<string, CurrencyCode> {
  return Object.fromEntries(keys.map((key) => [key.tenantId, key.billingCurrency]));
}

/** Alert: raises the occasions not alerted yet, announced on commit. */
async function raiseAlerts(ingestion: Ingestion): Promise<void> {
  await raiseUsageAlerts(ingestion.client, ingestion, currenciesOf(ingestion.keys), ingestion.spikeRule, ingestion.now);
}

function spendUpdatedEvent(ingestion: Ingestion): SpendUpdatedEvent {
  const keyById = new Map(ingestion.keys.map((key) => [key.id, key]));
  const budgetOf = budgetLookup(ingestion.budgets);
  return {
    recordedAt: ingestion.now.toISOString(),
    currencies: currenciesOf(ingestion.keys),
    moves: ingestion.counters.map((move) => {
      const key = move.scopeType === SpendScopeType.API_KEY ? keyById.get(move.scopeId) : undefined;
      return { ...move, limit: tightestLimit([keyLimitFor(key ?? null, move.period), budgetOf(move.scopeId, move.period)?.limitAmount]) };
    }),
    rateWindows: ingestion.rateWindows,
  };
}

/** Announces the new spend and rate windows on commit: one notification per batch. */
async function publish(ingestion: Ingestion): Promise<void> {
  if (ingestion.counters.length === 0 && ingestion.rateWindows.length === 0) return;
  ingestion.spendUpdated = spendUpdatedEvent(ingestion);
  await publishOnCommit(ingestion.client, SPEND_UPDATED, ingestion.spendUpdated);
}

/**
 * The steps a usage batch is recorded in, in order, in one transaction. Each step's SQL lives in the
 * repository of the module whose tables it writes, a few set-based statements per batch, never one
 * per row; each decision (threshold, forecast, spike, low balance) is a pure rule of its module. The
 * write order (records by tenant and requestId, rollups by tenant and day, the records' holds, then counters by key, rate windows
 * by scope and minute, balances by tenant, alerts by dedupe key) is the same for every batch, and
 * reservations take holds before windows, so concurrent writers queue instead of deadlocking.
 */
export const INGESTION_STEPS: readonly { name: string; run: (ingestion: Ingestion) => Promise<void> }[] = [
  { name: 'price', run: price },
  { name: 'insertRecords', run: insertRecords },
  { name: 'countDuplicates', run: countDuplicates },
  { name: 'rollUp', run: rollUp },
  { name: 'endRecordedHolds', run: endRecordedHolds },
  { name: 'moveSpend', run: moveSpend },
  { name: 'countRateWindows', run: countRateWindows },
  { name: 'postPrepaidDebits', run: postPrepaidDebits },
  { name: 'evaluateBudgets', run: evaluateBudgets },
  { name: 'detectSpikesAndLowBalances', run: detectSpikesAndLowBalances },
  { name: 'raiseAlerts', run: raiseAlerts },
  { name: 'publish', run: publish },
];

export async function ingest(ingestion: Ingestion): Promise<void> {
  for (const step of INGESTION_STEPS) await step.run(ingestion);
}
