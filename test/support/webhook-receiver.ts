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

/** Whether a message verifies with a secret, as a receiver checks it (throws WebhookVerificationError otherwise). */
export function verifies(message: ReceivedMessage, secret: string): boolean {
  try {
    new Webhook(secret).verify(message.body, { 'webhook-id': message.id, 'webhook-timestamp': message.timestamp, 'webhook-signature': message.signature });
    return true;
  } catch {
    return false;
  }
}
