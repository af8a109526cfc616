type Outcome<Result> = { result: Result } | { error: unknown };

interface Waiting<Call, Result> {
  call: Call;
  settle: (outcome: Outcome<Result>) => void;
}

/**
 * Runs small calls together: calls that arrive while a batch runs wait and go into the next one,
 * so a stream of them costs one transaction and one commit per batch, not per call. A lone call
 * goes at once: nothing waits for company. Should a shared batch fail, its calls run again one by
 * one, so one call's failure is its own.
 */
export class Coalescer<Call, Result> {
  private waiting: Waiting<Call, Result>[] = [];
  private running = false;

  constructor(
    /** Runs a batch, answering each call's result in the calls' order. */
    private readonly run: (calls: Call[]) => Promise<Result[]>,
    private readonly limits: {
      /** Calls join a batch while their weights add up to less than this. */
      maxWeight: number;
      /** A call's weight (1 by default). */
      weight?: (call: Call) => number;
      /** Calls of the same key never share a batch: a later one waits for the next, in its turn. */
      key?: (call: Call) => string;
    },
  ) {}

  /** The call's result, run with others that wait with it. */
  async submit(call: Call): Promise<Result> {
    const outcome = await new Promise<Outcome<Result>>((settle) => {
      this.waiting.push({ call, settle });
      void this.drain();
    });
    if ('error' in outcome) throw outcome.error;
    return outcome.result;
  }

  /** Runs waiting calls, a batch at a time, until none waits. */
  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (this.waiting.length > 0) {
        const batch = this.takeBatch();
        try {
          const results = await this.run(batch.map((waiting) => waiting.call));
          batch.forEach((waiting, position) => waiting.settle({ result: results[position] }));
        } catch (error) {
          if (batch.length === 1) batch[0].settle({ error });
          else await this.runOneByOne(batch);
        }
      }
    } finally {
      this.running = false;
    }
  }

  private takeBatch(): Waiting<Call, Result>[] {
    const { maxWeight, weight = () => 1, key } = this.limits;
    const batch: Waiting<Call, Result>[] = [];
    const later: Waiting<Call, Result>[] = [];
    const keys = new Set<string>();
    let taken = 0;
    for (const waiting of this.waiting) {
      const callKey = key?.(waiting.call);
      if (taken >= maxWeight || (callKey !== undefined && keys.has(callKey))) {
        later.push(waiting);
        continue;
      }
      batch.push(waiting);
      taken += weight(waiting.call);
      if (callKey !== undefined) keys.add(callKey);
    }
    this.waiting = later;
    return batch;
  }

  private async runOneByOne(batch: Waiting<Call, Result>[]): Promise<void> {
    for (const waiting of batch) {
      try {
        waiting.settle({ result: (await this.run([waiting.call]))[0] });
      } catch (error) {
        waiting.settle({ error });
      }
    }
  }
}
