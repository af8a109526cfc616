import type { RequestContext } from '../../context.js';
import { requireRole } from '../../platform/auth/actor.js';
import { USAGE_RECORDERS } from '../../platform/auth/roles.js';
import { INSTANT_RANGE_MESSAGE, instantInRange, textProblem } from '../../platform/validation.js';
import { RecordRejected } from './usage.errors.js';
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
const FUTURE_TOLERANCE_MS = 5 * 60 * 1000;
const QUANTITY_FIELDS = ['inputTokens', 'outputTokens', 'cachedInputTokens', 'imageCount', 'videoSeconds'] as const;
// Printable text: no control characters.
const CONTROL_CHARACTERS = /\p{Cc}/u;

/** Checks a record needs no database for, the boundary's input rule among them (CHECKED_PER_ITEM); throws RecordRejected. */
function checkShape(record: UsageRecordItemInput, now: Date): void {
  const { requestId } = record;
  if (requestId.trim() === '' || requestId.length > MAX_TEXT || CONTROL_CHARACTERS.test(requestId) || textProblem(requestId, { required: true })) {
    throw new RecordRejected(UsageRejectionCode.INVALID_REQUEST_ID, 'requestId', `requestId must be 1 to ${MAX_TEXT} printable characters`);
  }
  for (const field of ['apiKeyId', 'model', 'endUserTag', 'taskId'] as const) {
    const problem = textProblem(record[field] ?? '', { required: field === 'apiKeyId' || field === 'model' });
    if (problem) throw new RecordRejected(UsageRejectionCode.INVALID_TEXT, field, `${field} ${problem.message}`);
  }
  for (const field of QUANTITY_FIELDS) {
    const value = record[field];
    if (!Number.isInteger(value) || value < 0 || value > MAX_QUANTITY) {
      throw new RecordRejected(UsageRejectionCode.INVALID_QUANTITY, field, `${field} must be a whole number from 0 to 10^12, got ${value}`);
    }
  }
  for (const field of ['endUserTag', 'taskId'] as const) {
    if ((record[field]?.length ?? 0) > MAX_TEXT) {
      throw new RecordRejected(UsageRejectionCode.INVALID_TEXT, field, `${field} must be at most ${MAX_TEXT} characters`);
    }
  }
  if (!instantInRange(record.occurredAt)) {
    throw new RecordRejected(UsageRejectionCode.OCCURRED_OUT_OF_RANGE, 'occurredAt', `occurredAt ${INSTANT_RANGE_MESSAGE}`);
  }
  if (record.occurredAt.getTime() > now.getTime() + FUTURE_TOLERANCE_MS) {
    throw new RecordRejected(UsageRejectionCode.OCCURRED_IN_FUTURE, 'occurredAt', 'occurredAt must not be more than 5 minutes ahead of the server clock');
  }
}

/**
 * Records a gateway batch: checks each record, then runs the ingestion steps (usage-ingestion.ts)
 * in one transaction, with other small calls' records (usage-batches.ts). A bad record is rejected by index and never sinks the others; a replayed
 * record is reported as a duplicate and changes nothing.
 */
export async function recordUsage(context: RequestContext, input: UsageRecordInput): Promise<UsageRecordPayload> {
  requireRole(context.actor, USAGE_RECORDERS);
  const now = context.clock.now();
  const rejections: UsageRejection[] = [];
  const duplicates: UsageDuplicate[] = [];
  const reject = (index: number, record: UsageRecordItemInput, error: RecordRejected) =>
    rejections.push({ index, requestId: record.requestId, code: error.code, field: ['input', 'records', String(index), error.field], message: error.message });

  const candidates: { index: number; record: UsageRecordItemInput }[] = [];
  input.records.forEach((record, index) => {
    if (index >= MAX_USAGE_BATCH) {
      reject(
        index,
        record,
        new RecordRejected(
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
      if (!(error instanceof RecordRejected)) throw error;
      reject(index, record, error);
    }
  });

  let acceptedCount = 0;
  if (candidates.length > 0) {
    const stored = await context.usageBatches.store(candidates);
    for (const { index, record, error } of stored.rejections) reject(index, record, error);
    duplicates.push(...stored.duplicates);
    acceptedCount = stored.insertedCount;
  }

  rejections.sort((left, right) => left.index - right.index);
  duplicates.sort((left, right) => left.index - right.index);
  const { usageRecords } = context.metrics;
  usageRecords.inc({ outcome: 'accepted', code: '' }, acceptedCount);
  usageRecords.inc({ outcome: 'duplicate', code: '' }, duplicates.length);
  for (const rejection of rejections) usageRecords.inc({ outcome: 'rejected', code: rejection.code });
  return {
    acceptedCount,
    duplicateCount: duplicates.length,
    rejectedCount: rejections.length,
    rejections,
    duplicates,
    userErrors: [],
  };
}
