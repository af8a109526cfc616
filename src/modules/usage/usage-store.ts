import type pg from 'pg';
import type { PricedUsageRow } from './usage.repository.js';
import type { RecordRejected } from './usage.errors.js';
import type { UsageDuplicate, UsageRecordItemInput } from './usage.types.js';

/** A usageRecord call's records that passed the checks needing no database, with their index in its input. */
export type Candidates = { index: number; record: UsageRecordItemInput }[];

/** What storing a call's records came to: rejections by the database's checks, duplicates, and how many were inserted. */
export interface StoredPart {
  insertedCount: number;
  rejections: { index: number; record: UsageRecordItemInput; error: RecordRejected }[];
  duplicates: UsageDuplicate[];
}

/** What recording one request in a caller's transaction came to: the record as inserted, or why not (no rejection: a duplicate). */
export type RecordedUsage = { row: PricedUsageRow; rejection: null } | { row: null; rejection: RecordRejected | null };

/** Records one request's usage with the ingestion steps, in the caller's transaction. */
export type RecordInTransaction = (record: UsageRecordItemInput) => Promise<RecordedUsage>;

/** Where a usageRecord call's records are stored: this process's UsageBatches (usage-batches.ts). */
export interface UsageStore {
  store(candidates: Candidates): Promise<StoredPart>;
  /**
   * Runs `work` in one transaction in which it may record usage along with changes of its own (a
   * task's completion); the spend recorded is applied to this process once it commits.
   */
  withRecording<T>(work: (client: pg.ClientBase, record: RecordInTransaction) => Promise<T>): Promise<T>;
}
