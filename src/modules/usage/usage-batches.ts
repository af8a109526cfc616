import type pg from 'pg';
import { Coalescer } from '../../platform/coalescing.js';
import { sqlTransaction } from '../../platform/database/sql.js';
import type { Clock } from '../../platform/clock.js';
import type { SpendSpikeRule } from '../alert/spend-spike.js';
import type { SpendUpdatedEvent } from '../spend/spend-events.js';
import { ingest, newIngestion } from './usage-ingestion.js';
import type { RecordRejected } from './usage.errors.js';
import type { UsageRecordItemInput } from './usage.types.js';
import type { Candidates, RecordedUsage, RecordInTransaction, StoredPart, UsageStore } from './usage-store.js';

/**
 * usageRecord calls of a few records each (a gateway reporting call by call) are stored together
 * (platform/coalescing.ts): one transaction, one commit and one SPEND_UPDATED for all of them.
 * Every commit that announces an event takes PostgreSQL's NOTIFY lock until its WAL is flushed,
 * so call-by-call batches would otherwise commit one at a time. Each call's answer is what it
 * would be alone (a requestId an earlier call in the batch recorded is its duplicate). Larger
 * calls, already batched by their client, are stored on their own.
 */
export class UsageBatches implements UsageStore {
  /** Calls of at most this many records are stored together. */
  static readonly SMALL_CALL = 100;
  /** Calls are added to a batch while it holds fewer records than this. */
  private static readonly MAX_RECORDS = 1_000;
  private readonly smallCalls = new Coalescer<Candidates, StoredPart>((calls) => this.storeTogether(calls), {
    maxWeight: UsageBatches.MAX_RECORDS,
    weight: (candidates) => candidates.length,
  });

  constructor(
    private readonly pool: pg.Pool,
    private readonly clock: Clock,
    private readonly spikeRule: SpendSpikeRule,
    /** Called with a batch's spend once it has committed. */
    private readonly committed: (event: SpendUpdatedEvent) => void,
  ) {}

  /** Stores a call's records, with others' when it is small. */
  async store(candidates: Candidates): Promise<StoredPart> {
    if (candidates.length > UsageBatches.SMALL_CALL) return (await this.storeTogether([candidates]))[0];
    return this.smallCalls.submit(candidates);
  }

  async withRecording<T>(work: (client: pg.ClientBase, record: RecordInTransaction) => Promise<T>): Promise<T> {
    const moved: SpendUpdatedEvent[] = [];
    const result = await sqlTransaction(this.pool, (client) =>
      work(client, async (record: UsageRecordItemInput): Promise<RecordedUsage> => {
        let rejection: RecordRejected | null = null;
        const ingestion = newIngestion({
          client,
          now: this.clock.now(),
          spikeRule: this.spikeRule,
          candidates: [{ index: 0, record }],
          reject: (_index, _record, error) => (rejection = error),
          duplicates: [],
        });
        await ingest(ingestion);
        if (ingestion.spendUpdated) moved.push(ingestion.spendUpdated);
        return ingestion.inserted.length === 1 ? { row: ingestion.rows[0], rejection: null } : { row: null, rejection };
      }),
    );
    for (const event of moved) this.committed(event);
    return result;
  }

  /** Runs the ingestion steps over the calls' records in one transaction; what each call's records came to. */
  private async storeTogether(calls: Candidates[]): Promise<StoredPart[]> {
    // One ingestion over every call's records; a record's place in it leads back to its call and index.
    const owners = calls.flatMap((candidates, call) => candidates.map(({ index }) => ({ call, index })));
    const parts: StoredPart[] = calls.map(() => ({ insertedCount: 0, rejections: [], duplicates: [] }));
    const ingestion = await sqlTransaction(this.pool, async (client) => {
      const batch = newIngestion({
        client,
        now: this.clock.now(),
        spikeRule: this.spikeRule,
        candidates: calls.flat().map(({ record }, position) => ({ index: position, record })),
        reject: (position, record, error) => parts[owners[position].call].rejections.push({ index: owners[position].index, record, error }),
        duplicates: [],
      });
      await ingest(batch);
      return batch;
    });
    for (const { index: position, requestId } of ingestion.duplicates)
      parts[owners[position].call].duplicates.push({ index: owners[position].index, requestId });
    parts.forEach((part, call) => (part.insertedCount = calls[call].length - part.rejections.length - part.duplicates.length));
    if (ingestion.spendUpdated) this.committed(ingestion.spendUpdated);
    return parts;
  }
}
