import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { BenchWorld } from './world.js';

const SUBSCRIPTION = 'subscription($scope: SpendScopeInput!) { spendUpdated(scope: $scope) { scope { id } spends { period requestCount } } }';

/**
 * Subscribers spread evenly over the tenants' scopes. Every bench batch moves every tenant, so each
 * subscriber gets one message per batch, in commit order: message k answers batch k.
 */
export class LiveSpendProbe {
  private constructor(
    private readonly clients: Client[],
    private readonly arrivals: number[][],
  ) {}

  static async open(wsUrl: string, world: BenchWorld, count: number): Promise<LiveSpendProbe> {
    const clients: Client[] = [];
    const arrivals: number[][] = [];
    for (let index = 0; index < count; index++) {
      const client = createClient({
        url: wsUrl,
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${world.adminToken}` },
        lazy: false,
        retryAttempts: 0,
      });
      const received: number[] = [];
      await new Promise<void>((resolve) => client.on('connected', () => resolve()));
      client.subscribe(
        { query: SUBSCRIPTION, variables: { scope: { tenantId: world.tenantIds[index % world.tenantIds.length] } } },
        { next: () => received.push(performance.now()), error: (error) => console.error('subscriber error', error), complete: () => undefined },
      );
      // A query answered on the same socket means the subscription ahead of it is in place.
      await new Promise<void>((resolve, reject) =>
        client.subscribe({ query: '{ viewer { role } }' }, { next: () => undefined, error: reject, complete: resolve }),
      );
      clients.push(client);
      arrivals.push(received);
    }
    return new LiveSpendProbe(clients, arrivals);
  }

  /** Latency of every (subscriber, batch) pair once all messages are in; 0 when the message beat the response. */
  async latencies(responses: number[]): Promise<number[]> {
    const deadline = performance.now() + 10_000;
    while (this.arrivals.some((received) => received.length < responses.length) && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const missing = this.arrivals.reduce((sum, received) => sum + Math.max(0, responses.length - received.length), 0);
    if (missing > 0) throw new Error(`${missing} live-spend messages never arrived`);
    return this.arrivals.flatMap((received) => responses.map((responded, batch) => Math.max(0, received[batch] - responded)));
  }

  async close(): Promise<void> {
    await Promise.all(this.clients.map((client) => client.dispose()));
  }
}
