import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** What the receiver does with one request. */
export type Behaviour = 'ACCEPT' | 'FAIL' | 'HANG' | 'RESET';

export interface ReceivedMessage {
  path: string;
  id: string;
  timestamp: string;
  signature: string;
  body: string;
  /** What the receiver answered: only ACCEPTed messages count as delivered. */
  behaviour: Behaviour;
  receivedAt: number;
}

/**
 * A webhook receiver on a real port, as an ERP runs one: it records every request and answers as
 * `behave` decides, 2xx, 500, no answer at all, or a reset connection. It can go down and come
 * back on the same port. Verification is the receiver's job, with the standardwebhooks library.
 */
export class WebhookReceiver {
  readonly received: ReceivedMessage[] = [];
  private server: http.Server | undefined;
  private readonly sockets = new Set<Socket>();
  private port = 0;
  behave: (path: string, count: number) => Behaviour = () => 'ACCEPT';

  async start(): Promise<void> {
    const server = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const path = request.url ?? '/';
        const behaviour = this.behave(path, this.received.length);
        this.received.push({
          path,
          id: String(request.headers['webhook-id']),
          timestamp: String(request.headers['webhook-timestamp']),
          signature: String(request.headers['webhook-signature']),
          body: Buffer.concat(chunks).toString('utf8'),
          behaviour,
          receivedAt: Date.now(),
        });
        if (behaviour === 'ACCEPT') response.writeHead(204).end();
        else if (behaviour === 'FAIL') response.writeHead(500, { 'content-type': 'text/plain' }).end('receiver is down for maintenance');
        else if (behaviour === 'RESET') request.socket.destroy();
        // HANG: never answers; the sender's timeout ends it.
      });
    });
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** Goes down, dropping open connections, and comes back on the same port after `downMs`. */
  async restart(downMs: number): Promise<void> {
    await this.stop();
    await new Promise((resolve) => setTimeout(resolve, downMs));
    await this.start();
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  }

  /** Messages that were answered 2xx on this path, first receipt of each id, in the order they arrived. */
  accepted(path: string): ReceivedMessage[] {
    const seen = new Set<string>();
    return this.received.filter((message) => {
      if (message.path !== path || message.behaviour !== 'ACCEPT' || seen.has(message.id)) return false;
      seen.add(message.id);
      return true;
    });
  }
}

/** A seeded, repeatable sequence of misbehaviour: each request fails, hangs or is reset with the given shares, else is accepted. */
export function seededMisbehaviour(seed: number, shares: { fail: number; hang: number; reset: number }): () => Behaviour {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    const draw = state / 2 ** 31;
    if (draw < shares.fail) return 'FAIL';
    if (draw < shares.fail + shares.hang) return 'HANG';
    return draw < shares.fail + shares.hang + shares.reset ? 'RESET' : 'ACCEPT';
  };
}

/** A message as the outbox stored it for one endpoint. */
export interface StoredMessage {
  id: string;
  payload: string;
  orderKey: string;
}

/**
 * What at-least-once, in order per object means at the receiver: every stored message was accepted,
 * byte for byte as stored, verifies with the secret, and each object's messages were first
 * accepted in the outbox's order (`stored` is in that order).
 */
export function expectDeliveredInOrder(accepted: ReceivedMessage[], stored: StoredMessage[], secret: string): void {
  expect(accepted.map((message) => message.id).sort()).toEqual(stored.map((message) => message.id).sort());
  const storedById = new Map(stored.map((message) => [message.id, message]));
  for (const message of accepted) {
    expect(message.body).toBe(storedById.get(message.id)!.payload);
    expect(verifies(message, secret)).toBe(true);
  }
  for (const orderKey of new Set(stored.map((message) => message.orderKey))) {
    expect(accepted.filter((message) => storedById.get(message.id)!.orderKey === orderKey).map((message) => message.id)).toEqual(
      stored.filter((message) => message.orderKey === orderKey).map((message) => message.id),
    );
  }
}

/** Whether a message verifies with a secret, as a receiver checks it (throws WebhookVerificationError otherwise). */
export function verifies(message: ReceivedMessage, secret: string): boolean {
  try {
    new Webhook(secret).verify(message.body, { 'webhook-id': message.id, 'webhook-timestamp': message.timestamp, 'webhook-signature': message.signature });
    return true;
  } catch {
    return false;
  }
}
