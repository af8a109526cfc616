import { Coalescer } from '../../src/platform/coalescing.js';

/** A coalescer over calls named by strings, recording the batches it ran; a call named "bad" fails any batch it is in. */
function recording(limits: ConstructorParameters<typeof Coalescer<string, string>>[1]) {
  const batches: string[][] = [];
  const coalescer = new Coalescer<string, string>(async (calls) => {
    batches.push(calls);
    await new Promise((resolve) => setTimeout(resolve, 5));
    if (calls.includes('bad')) throw new Error('bad call');
    return calls.map((call) => `${call} done`);
  }, limits);
  return { coalescer, batches };
}

describe('Coalescer', () => {
  it('runs a lone call at once, and the calls that arrive meanwhile together in the next batch', async () => {
    const { coalescer, batches } = recording({ maxWeight: 100 });
    const results = await Promise.all(['a', 'b', 'c', 'd'].map((call) => coalescer.submit(call)));
    expect(results).toEqual(['a done', 'b done', 'c done', 'd done']);
    expect(batches).toEqual([['a'], ['b', 'c', 'd']]);
  });

  it('closes a batch at its weight, and keeps calls of one key in separate batches, in their turn', async () => {
    const { coalescer, batches } = recording({ maxWeight: 3, key: (call) => call[0] });
    await Promise.all(['first', 'x1', 'x2', 'y1', 'z1', 'w1'].map((call) => coalescer.submit(call)));
    expect(batches).toEqual([['first'], ['x1', 'y1', 'z1'], ['x2', 'w1']]);
  });

  it('weighs calls by the weight given', async () => {
    const { coalescer, batches } = recording({ maxWeight: 4, weight: (call) => call.length });
    await Promise.all(['a', 'bbb', 'c', 'dd', 'e'].map((call) => coalescer.submit(call)));
    expect(batches).toEqual([['a'], ['bbb', 'c'], ['dd', 'e']]);
  });

  it('runs the calls of a failed batch one by one, so only the failing call fails', async () => {
    const { coalescer, batches } = recording({ maxWeight: 100 });
    const outcomes = await Promise.allSettled(['a', 'b', 'bad', 'c'].map((call) => coalescer.submit(call)));
    expect(outcomes.map((outcome) => (outcome.status === 'fulfilled' ? outcome.value : (outcome.reason as Error).message))).toEqual([
      'a done',
      'b done',
      'bad call',
      'c done',
    ]);
    expect(batches).toEqual([['a'], ['b', 'bad', 'c'], ['b'], ['bad'], ['c']]);
  });
});
