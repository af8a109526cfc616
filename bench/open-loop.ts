import net from 'node:net';

export interface OpenLoopFigures {
  /** Units of work due in the run. */
  offered: number;
  /** Units a second whose every request was answered with HTTP 200. */
  rate: number;
  p50: number;
  p99: number;
  /** Answers other than HTTP 200, connection errors and requests unanswered at the end. */
  failures: number;
}

interface Connection {
  socket: net.Socket;
  /** When the work in flight was due (ms, performance.now()); null when idle. */
  due: number | null;
  /** Its requests not sent yet: each goes when the one before it is answered. */
  rest: Buffer[];
  received: Buffer;
}

const HEADER_END = Buffer.from('\r\n\r\n');
/** How often the generator looks at the clock: work due in between goes out together, up to this late. */
const TICK_MS = 1;

/**
 * An open-loop load generator: `rate` units of work a second, each due at a fixed time (evenly
 * spaced) and sent whatever the server is doing on an idle keep-alive connection (another is
 * opened, up to `maxConnections`, when none is idle). A unit is one request or a few sent one
 * after another (a reserve, then the record of the same call), timed from when it was due to its
 * last answer. A stalled server therefore shows in the latencies instead of slowing the load (no
 * coordinated omission).
 * autocannon's `overallRate` is not this: each connection sends its quota for the second as fast
 * as it can and then waits for the next second, which is bursts at full speed.
 * Raw sockets keep the client's own cost to a few microseconds a request.
 */
export async function openLoop(options: {
  url: string;
  headers: Record<string, string>;
  /** The bodies of the requests of the unit of work due `index`-th, sent one after another. */
  work: (index: number) => string[];
  rate: number;
  seconds: number;
  maxConnections?: number;
}): Promise<OpenLoopFigures> {
  const { rate, seconds, maxConnections = 256 } = options;
  const url = new URL(options.url);
  const head = Object.entries({ host: url.host, 'content-type': 'application/json', ...options.headers })
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  const request = (body: string) => Buffer.from(`POST ${url.pathname} HTTP/1.1\r\n${head}content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  const total = Math.round(rate * seconds);
  const latencies = new Float64Array(total);
  let answered = 0;
  let failures = 0;
  let sent = 0;
  const idle: Connection[] = [];
  const connections = new Set<Connection>();
  /** Due times of work waiting for a connection. */
  const waiting: number[] = [];
  let settleAll: () => void = () => undefined;
  const allSettled = new Promise<void>((resolve) => (settleAll = resolve));
  const settled = () => answered + failures === total && sent === total;

  const send = (connection: Connection, due: number) => {
    const [first, ...rest] = options.work(sent++).map(request);
    connection.due = due;
    connection.rest = rest;
    connection.socket.write(first);
  };
  const free = (connection: Connection) => {
    connection.due = null;
    const due = waiting.shift();
    if (due === undefined) idle.push(connection);
    else send(connection, due);
  };
  const open = (due: number) => {
    const connection: Connection = { socket: net.connect(Number(url.port), url.hostname), due: null, rest: [], received: Buffer.alloc(0) };
    connections.add(connection);
    connection.socket.setNoDelay(true);
    connection.socket.once('connect', () => send(connection, due));
    connection.socket.on('data', (chunk: Buffer) => {
      connection.received = connection.received.length ? Buffer.concat([connection.received, chunk]) : chunk;
      const end = connection.received.indexOf(HEADER_END);
      if (end < 0) return;
      const header = connection.received.subarray(0, end).toString('latin1');
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(header)?.[1] ?? 0);
      if (connection.received.length < end + HEADER_END.length + length) return;
      connection.received = Buffer.alloc(0);
      const isOk = header.startsWith('HTTP/1.1 200');
      if (isOk && connection.rest.length) {
        connection.socket.write(connection.rest.shift()!);
        return;
      }
      if (isOk) latencies[answered++] = performance.now() - connection.due!;
      else failures += 1;
      free(connection);
      if (settled()) settleAll();
    });
    connection.socket.on('error', () => undefined);
    connection.socket.on('close', () => {
      connections.delete(connection);
      if (idle.includes(connection)) idle.splice(idle.indexOf(connection), 1);
      if (connection.due !== null) {
        failures += 1;
        if (settled()) settleAll();
      }
    });
  };
  const dispatch = (due: number) => {
    const connection = idle.pop();
    if (connection) send(connection, due);
    else if (connections.size < maxConnections) open(due);
    else waiting.push(due);
  };

  const start = performance.now();
  const interval = 1000 / rate;
  let next = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      for (; next < total && start + next * interval <= now; next++) dispatch(start + next * interval);
      if (next < total) setTimeout(tick, TICK_MS);
      else resolve();
    };
    tick();
  });
  await Promise.race([allSettled, new Promise((resolve) => setTimeout(resolve, 5_000))]);
  for (const connection of connections) connection.socket.destroy();
  const sorted = latencies.subarray(0, answered).sort();
  const percentile = (share: number) => (answered ? Math.round(sorted[Math.min(answered - 1, Math.floor(share * answered))] * 10) / 10 : NaN);
  return { offered: total, rate: answered / seconds, p50: percentile(0.5), p99: percentile(0.99), failures: total - answered };
}
