import type { ExecutionResult } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

const clients: Client[] = [];

/** Closes every connection `subscribe` opened; call it in afterAll. */
export async function disposeSubscriptions(): Promise<void> {
  for (const client of clients.splice(0)) await client.dispose();
}

export interface Subscription<Data> {
  next(): Promise<ExecutionResult<Data>>;
  /** Resolves when the server closes the connection, with its close code and reason. */
  closed: Promise<{ code: number; reason: string }>;
  /** Resolves when the server ends the subscription (the connection stays open). */
  completed: Promise<void>;
}

/** Subscribes and resolves once the server has acknowledged the subscription and is listening. */
export async function subscribe<Data>(url: string, token: string, query: string, variables: Record<string, unknown> = {}): Promise<Subscription<Data>> {
  const client = createClient({
    url,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
    lazy: false,
    onNonLazyError: () => undefined, // a close by the server is for the test to read from `closed`, not to log
  });
  clients.push(client);
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    client.on('closed', (event) => {
      const { code, reason } = event as { code: number; reason: string };
      resolve({ code, reason });
    }),
  );
  const queue: ExecutionResult<Data>[] = [];
  const waiting: ((result: ExecutionResult<Data>) => void)[] = [];
  const deliver = (result: ExecutionResult<Data>) => (waiting.length ? waiting.shift()!(result) : queue.push(result));
  let complete = () => undefined as void;
  const completed = new Promise<void>((resolve) => (complete = resolve));
  await new Promise<void>((resolve) => client.on('connected', () => resolve()));
  client.subscribe<Data>(
    { query, variables },
    {
      next: deliver,
      error: (error) => deliver({ errors: Array.isArray(error) ? error : [{ message: String(error) }] } as ExecutionResult<Data>),
      complete: () => complete(),
    },
  );
  // Round trip on the same socket after the subscribe message: by the time a query sent after it
  // has been answered (it does the same authentication and more), the subscription is listening.
  await new Promise<void>((resolve, reject) => client.subscribe({ query: '{ viewer { role } }' }, { next: () => undefined, error: reject, complete: resolve }));
  return {
    next: () => (queue.length ? Promise.resolve(queue.shift()!) : new Promise((resolve) => waiting.push(resolve))),
    closed,
    completed,
  };
}

/** Every message of a subscription until the server ends it (messages delivered before the end are queued ahead of it). */
export async function messagesUntilComplete<Data>(subscription: Subscription<Data>): Promise<ExecutionResult<Data>[]> {
  const messages: ExecutionResult<Data>[] = [];
  for (;;) {
    const next = await Promise.race([subscription.next(), subscription.completed.then(() => null)]);
    if (!next) return messages;
    messages.push(next);
  }
}
