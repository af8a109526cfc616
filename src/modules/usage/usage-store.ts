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

/** Where a usageRecord call's records are stored: this process's UsageBatches (usage-batches.ts). */
export interface UsageStore {
  store(candidates: Candidates): Promise<StoredPart>;
}
