import { createLocalPubSub, listenNow } from '../../src/platform/events/pubsub.js';

describe('listenNow', () => {
  it('holds what is published before it is first read, which the pubsub iterator of its own misses', async () => {
    const pubSub = createLocalPubSub();
    const lazy = pubSub.subscribe('topic');
    const eager = listenNow(pubSub, 'topic');
    pubSub.publish('topic', 'first');
    pubSub.publish('topic', 'second');
    expect(await eager.next()).toEqual({ value: 'first', done: false });
    expect(await eager.next()).toEqual({ value: 'second', done: false });
    const missed = await Promise.race([lazy.next(), new Promise((resolve) => setTimeout(() => resolve('nothing'), 50))]);
    expect(missed).toBe('nothing');
    await Promise.all([lazy.return?.(), eager.return?.()]);
  });

  it('stops listening when returned unread', async () => {
    const eager = listenNow(createLocalPubSub(), 'topic');
    expect(await eager.return?.()).toMatchObject({ done: true });
    expect(await eager.next()).toMatchObject({ done: true });
  });
});
