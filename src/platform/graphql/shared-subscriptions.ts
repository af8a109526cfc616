import { getOperationAST, subscribe, type ExecutionArgs, type ExecutionResult } from 'graphql';
import type { RequestContext } from '../../context.js';
import type { Metrics } from '../metrics.js';

type SubscribeResult = AsyncIterableIterator<ExecutionResult, unknown> | ExecutionResult;

/**
 * Subscriptions that ask the same thing share one execution per event: a thousand ops screens on
 * one tenant's spend cost one resolver run a batch, not a thousand. "The same" is the same
 * document, operation and variables from callers who see the same (one role of one tenant):
 * their answers are equal. Only root fields that are pure event streams share (`sharedFields`):
 * one that first sends the state it starts from (settlementProgress) must run per subscriber, or a
 * latecomer would miss it. The execution runs in its first subscriber's context; each subscriber
 * gets every result from when it joined, and the execution ends with its last subscriber.
 */
export function sharedSubscriptions(sharedFields: readonly string[], metrics: Metrics): (args: ExecutionArgs) => Promise<SubscribeResult> {
  // Kept from the moment the first subscriber starts: equal ones arriving meanwhile wait for it and join.
  const running = new Map<string, Promise<Fanout | ExecutionResult>>();
  return async (args) => {
    const field = sharedField(args, sharedFields);
    const key = field && shareKey(args);
    if (!field || !key) return subscribe(args);
    let started = running.get(key);
    if (!started) {
      started = (async () => {
        const source = await subscribe(args);
        if (!(Symbol.asyncIterator in source)) return source;
        const fanout: Fanout = new Fanout(source, field, metrics, () => {
          if (running.get(key) === started) running.delete(key);
        });
        return fanout;
      })();
      running.set(key, started);
      // A refusal (an error answer, not a stream) is each caller's own: the next one starts again.
      void started.then(
        (outcome) => !(outcome instanceof Fanout) && running.get(key) === started && running.delete(key),
        () => running.get(key) === started && running.delete(key),
      );
    }
    const outcome = await started;
    if (!(outcome instanceof Fanout)) return outcome;
    // Its last subscriber may have left while this one waited: then this one runs on its own.
    return outcome.join() ?? subscribe(args);
  };
}

/** The operation's one root field, if it is one that shares. */
function sharedField(args: ExecutionArgs, sharedFields: readonly string[]): string | undefined {
  const operation = getOperationAST(args.document, args.operationName);
  const [field, ...others] = operation?.selectionSet.selections ?? [];
  return others.length === 0 && field?.kind === 'Field' && sharedFields.includes(field.name.value) ? field.name.value : undefined;
}

function shareKey(args: ExecutionArgs): string | undefined {
  const text = args.document.loc?.source.body;
  if (text === undefined) return undefined;
  const { actor } = args.contextValue as RequestContext;
  return JSON.stringify([actor.role, actor.tenantId, args.operationName ?? null, text, args.variableValues ?? null]);
}

/** One subscription's results handed to every member: each has its own queue, read at its own pace. */
class Fanout {
  private readonly members = new Set<Member>();
  private closed = false;

  constructor(
    private readonly source: AsyncGenerator<ExecutionResult, void, void>,
    private readonly field: string,
    private readonly metrics: Metrics,
    private readonly ended: () => void,
  ) {
    void this.pump();
  }

  /** A new member, or undefined once the execution has ended. */
  join(): Member | undefined {
    if (this.closed) return undefined;
    const member = new Member(() => this.leave(member));
    this.members.add(member);
    return member;
  }

  private leave(member: Member): void {
    this.members.delete(member);
    if (this.members.size > 0) return;
    this.closed = true;
    this.ended();
    void this.source.return();
  }

  private async pump(): Promise<void> {
    try {
      for await (const result of this.source) {
        this.metrics.sharedSubscriptionResults.inc({ field: this.field, counted: 'executed' });
        this.metrics.sharedSubscriptionResults.inc({ field: this.field, counted: 'delivered' }, this.members.size);
        for (const member of this.members) member.push({ result });
      }
      for (const member of this.members) member.push({ done: true });
    } catch (error) {
      for (const member of this.members) member.push({ error });
    } finally {
      this.closed = true;
      this.ended();
    }
  }
}

type Delivery = { result: ExecutionResult } | { done: true } | { error: unknown };

const DONE: IteratorResult<ExecutionResult, undefined> = { value: undefined, done: true };

/**
 * A member's results as an iterator whose `return()` ends it at once (an async generator waiting
 * for its next result would only end when one came): graphql-ws calls it when the client completes.
 */
class Member implements AsyncIterableIterator<ExecutionResult, undefined> {
  private readonly queue: Delivery[] = [];
  private waiting: ((delivery: Delivery) => void) | undefined;
  private finished = false;

  constructor(private readonly leave: () => void) {}

  push(delivery: Delivery): void {
    if (this.finished) return;
    if (this.waiting) {
      const wake = this.waiting;
      this.waiting = undefined;
      wake(delivery);
    } else this.queue.push(delivery);
  }

  async next(): Promise<IteratorResult<ExecutionResult, undefined>> {
    if (this.finished) return DONE;
    const delivery = this.queue.shift() ?? (await new Promise<Delivery>((resolve) => (this.waiting = resolve)));
    if ('result' in delivery) return { value: delivery.result, done: false };
    this.finish();
    if ('error' in delivery) throw delivery.error;
    return DONE;
  }

  async return(): Promise<IteratorResult<ExecutionResult, undefined>> {
    this.finish();
    return DONE;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.queue.length = 0;
    this.waiting?.({ done: true });
    this.leave();
  }
}
