import type { RequestContext } from '../../context.js';
import { requireRole } from '../../platform/auth/actor.js';
import { USAGE_RECORDERS } from '../../platform/auth/roles.js';
import { nativePool, sqlTransaction } from '../../platform/database/sql.js';
import { publishOnCommit } from '../../platform/events.js';
import { newId } from '../../platform/ids.js';
import { INSTANT_RANGE_MESSAGE, instantInRange, textProblem } from '../../platform/validation.js';
import { Decimal, type CurrencyCode } from '../../platform/money.js';
import { StoredApiKeyStatus } from '../api-key/api-key.entity.js';
import { PRICE_BOOK_LOCK } from '../price/price.service.js';
import { usageCost } from '../price/rating.js';
import { raiseUsageAlerts } from '../alert/alert.service.js';
import { SpendScopeType } from '../spend/spend-counter.entity.js';
import { SPEND_UPDATED, type SpendUpdatedEvent } from '../spend/spend-events.js';
import { keyLimitFor, tightestLimit } from '../spend/spend.service.js';
import { FailedRequestPolicy } from '../tenant/tenant.entity.js';
import { ChargeReason, UsageStatus } from './usage-record.entity.js';
import {
  keysForUsage,
  priceVersionsForUsage,
  storeUsageBatch,
  holdTenantsAgainstSettlement,
  type CounterMove,
  type KeyForUsage,
  type PriceVersion,
  type PricedUsageRow,
} from './usage.repository.js';
import {
  MAX_USAGE_BATCH,
  UsageRejectionCode,
  type UsageDuplicate,
  type UsageRecordInput,
  type UsageRecordItemInput,
  type UsageRecordPayload,
  type UsageRejection,
} from './usage.types.js';

const MAX_TEXT = 128;
const MAX_QUANTITY = 1e12;
/** No single request costs this much; it also keeps every amount inside numeric(30,16). */
const MAX_RECORD_COST = new Decimal('1e12');
const FUTURE_TOLERANCE_MS = 5 * 60 * 1000;
const QUANTITY_FIELDS = ['inputTokens', 'outputTokens', 'cachedInputTokens', 'imageCount', 'videoSeconds'] as const;
// Printable text: no control characters.
const CONTROL_CHARACTERS = /\p{Cc}/u;

/** Usage is unique per tenant and requestId. */
const identityOf = (tenantId: string, requestId: string) => `${tenantId}\u0000${requestId}`;

class Rejected extends Error {
  constructor(
    readonly code: UsageRejectionCode,
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** Checks a record needs no database for, the boundary's input rule among them (CHECKED_PER_ITEM); throws Rejected. */
function checkShape(record: UsageRecordItemInput, now: Date): void {
  const { requestId } = record;
  if (requestId.trim() === '' || requestId.length > MAX_TEXT || CONTROL_CHARACTERS.test(requestId) || textProblem(requestId, { required: true })) {
    throw new Rejected(UsageRejectionCode.INVALID_REQUEST_ID, 'requestId', `requestId must be 1 to ${MAX_TEXT} printable characters`);
  }
  for (const field of ['apiKeyId', 'model', 'endUserTag', 'taskId'] as const) {
    const problem = textProblem(record[field] ?? '', { required: field === 'apiKeyId' || field === 'model' });
    if (problem) throw new Rejected(UsageRejectionCode.INVALID_TEXT, field, `${field} ${problem.message}`);
  }
  for (const field of QUANTITY_FIELDS) {
    const value = record[field];
    if (!Number.isInteger(value) || value < 0 || value > MAX_QUANTITY) {
      throw new Rejected(UsageRejectionCode.INVALID_QUANTITY, field, `${field} must be a whole number from 0 to 10^12, got ${value}`);
    }
  }
  for (const field of ['endUserTag', 'taskId'] as const) {
    if ((record[field]?.length ?? 0) > MAX_TEXT) {
      throw new Rejected(UsageRejectionCode.INVALID_TEXT, field, `${field} must be at most ${MAX_TEXT} characters`);
    }
  }
  if (!instantInRange(record.occurredAt)) {
    throw new Rejected(UsageRejectionCode.OCCURRED_OUT_OF_RANGE, 'occurredAt', `occurredAt ${INSTANT_RANGE_MESSAGE}`);
  }
  if (record.occurredAt.getTime() > now.getTime() + FUTURE_TOLERANCE_MS) {
    throw new Rejected(UsageRejectionCode.OCCURRED_IN_FUTURE, 'occurredAt', 'occurredAt must not be more than 5 minutes ahead of the server clock');
  }
}

/** Whether the key could be used when the usage occurred. Revocation and expiry do not void earlier usage. */
function checkKey(record: UsageRecordItemInput, key: KeyForUsage | undefined): KeyForUsage {
  if (!key) throw new Rejected(UsageRejectionCode.UNKNOWN_API_KEY, 'apiKeyId', `apiKeyId names no API key: ${record.apiKeyId}`);
  const at = record.occurredAt.getTime();
  if (at < key.createdAt.getTime()) {
    throw new Rejected(
      UsageRejectionCode.OCCURRED_BEFORE_KEY_CREATED,
      'occurredAt',
      `occurredAt is before the key was created (${key.createdAt.toISOString()})`,
    );
  }
  if (key.status === StoredApiKeyStatus.REVOKED && (!key.revokedAt || at >= key.revokedAt.getTime())) {
    throw new Rejected(UsageRejectionCode.KEY_REVOKED, 'apiKeyId', 'the key was revoked before occurredAt');
  }
  if (key.expiresAt && at >= key.expiresAt.getTime()) {
    throw new Rejected(UsageRejectionCode.KEY_EXPIRED, 'apiKeyId', `the key expired at ${key.expiresAt.toISOString()}, before occurredAt`);
  }
  return key;
}

/** The version in force at the record's occurredAt, in the tenant's billing currency. */
function priceInForce(record: UsageRecordItemInput, key: KeyForUsage, versionsByModel: Map<string, PriceVersion[]>): PriceVersion {
  const versions = versionsByModel.get(record.model);
  if (!versions) throw new Rejected(UsageRejectionCode.UNKNOWN_MODEL, 'model', `model "${record.model}" is not in the price book`);
  const at = record.occurredAt.getTime();
  const price = versions.find(
    (version) =>
      version.currency === key.billingCurrency && version.effectiveFrom.getTime() <= at && (!version.effectiveTo || version.effectiveTo.getTime() > at),
  );
  if (!price) {
    throw new Rejected(
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
    throw new Rejected(
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

function currenciesOf(keys: KeyForUsage[]): Record<string, CurrencyCode> {
  return Object.fromEntries(keys.map((key) => [key.tenantId, key.billingCurrency]));
}

function spendUpdatedEvent(recordedAt: Date, keys: KeyForUsage[], currencies: Record<string, CurrencyCode>, counters: CounterMove[]): SpendUpdatedEvent {
  const keyById = new Map(keys.map((key) => [key.id, key]));
  return {
    recordedAt: recordedAt.toISOString(),
    currencies,
    moves: counters.map(({ budgetLimit, ...move }) => {
      const key = move.scopeType === SpendScopeType.API_KEY ? keyById.get(move.scopeId) : undefined;
      return { ...move, limit: tightestLimit([keyLimitFor(key ?? null, move.period), budgetLimit]) };
    }),
  };
}

/**
 * Records a gateway batch in one transaction: validate, dedupe on (tenant, requestId), price with
 * the version in force at each occurredAt, insert set-based, move counters, announce the new spend.
 * A bad record is rejected by index and never sinks the others.
 */
export async function recordUsage(context: RequestContext, input: UsageRecordInput): Promise<UsageRecordPayload> {
  requireRole(context.actor, USAGE_RECORDERS);
  const now = context.clock.now();
  const rejections: UsageRejection[] = [];
  const duplicates: UsageDuplicate[] = [];
  const reject = (index: number, record: UsageRecordItemInput, error: Rejected) =>
    rejections.push({ index, requestId: record.requestId, code: error.code, field: ['input', 'records', String(index), error.field], message: error.message });

  const candidates: { index: number; record: UsageRecordItemInput }[] = [];
  input.records.forEach((record, index) => {
    if (index >= MAX_USAGE_BATCH) {
      reject(
        index,
        record,
        new Rejected(
          UsageRejectionCode.BATCH_LIMIT_EXCEEDED,
          'requestId',
          `a batch holds at most ${MAX_USAGE_BATCH} records; send this one again in another batch`,
        ),
      );
      return;
    }
    try {
      checkShape(record, now);
      candidates.push({ index, record });
    } catch (error) {
      if (!(error instanceof Rejected)) throw error;
      reject(index, record, error);
    }
  });

  let acceptedCount = 0;
  if (candidates.length > 0) {
    const pool = await nativePool(context.em);
    acceptedCount = await sqlTransaction(pool, async (client) => {
      const keys = await keysForUsage(client, [...new Set(candidates.map(({ record }) => record.apiKeyId))]);
      const keyById = new Map(keys.map((key) => [key.id, key]));
      const versions = await priceVersionsForUsage(client, [...new Set(candidates.map(({ record }) => record.model))], PRICE_BOOK_LOCK);
      const versionsByModel = Map.groupBy(versions, (version) => version.model);

      const rows: PricedUsageRow[] = [];
      const rowIndexes: number[] = [];
      const seen = new Set<string>();
      for (const { index, record } of candidates) {
        try {
          const key = checkKey(record, keyById.get(record.apiKeyId));
          const price = priceInForce(record, key, versionsByModel);
          const identity = identityOf(key.tenantId, record.requestId);
          if (seen.has(identity)) {
            duplicates.push({ index, requestId: record.requestId });
            continue;
          }
          rows.push(pricedRow(record, key, price));
          seen.add(identity);
          rowIndexes.push(index);
        } catch (error) {
          if (!(error instanceof Rejected)) throw error;
          reject(index, record, error);
        }
      }
      if (rows.length === 0) return 0;

      const tenantIds = [...new Set(rows.map((row) => row.tenant_id))];
      await holdTenantsAgainstSettlement(client, tenantIds);
      const stored = await storeUsageBatch(
        client,
        rows,
        now,
        tenantIds.map((tenantId) => ({ tenant_id: tenantId, id: newId('BalanceEntry') })),
        context.spendSpike,
      );
      const inserted = new Set(stored.inserted.map(([tenantId, requestId]) => identityOf(tenantId, requestId)));
      rows.forEach((row, position) => {
        if (!inserted.has(identityOf(row.tenant_id, row.request_id))) duplicates.push({ index: rowIndexes[position], requestId: row.request_id });
      });
      const currencies = currenciesOf(keys);
      if (stored.counters.length > 0) {
        await publishOnCommit(client, SPEND_UPDATED, spendUpdatedEvent(now, keys, currencies, stored.counters));
      }
      await raiseUsageAlerts(client, stored, currencies, context.spendSpike, now);
      return inserted.size;
    });
  }

  rejections.sort((left, right) => left.index - right.index);
  duplicates.sort((left, right) => left.index - right.index);
  return {
    acceptedCount,
    duplicateCount: duplicates.length,
    rejectedCount: rejections.length,
    rejections,
    duplicates,
    userErrors: [],
  };
}
