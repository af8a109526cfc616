import http from 'node:http';
import { DEFAULT_RATE_LIMITS, type BucketLimit, type RateLimitConfig } from '../src/platform/rate-limits.js';

const UNLIMITED: BucketLimit = { maximum: 1_000_000_000, restorePerSecond: 1_000_000_000 };

/** Rate limits no measurement of speed reaches; (h) measures the limits themselves, on a server of its own. */
export const UNLIMITED_RATE_LIMITS: RateLimitConfig = {
  ...DEFAULT_RATE_LIMITS,
  standard: UNLIMITED,
  operator: UNLIMITED,
  gateway: UNLIMITED,
  renders: { perToken: 1000, perProcess: 1000 },
};

/** The same limits as a server process reads them from its environment. */
export const UNLIMITED_RATE_LIMIT_ENVIRONMENT = {
  RATE_LIMIT_STANDARD: `${UNLIMITED.maximum}/${UNLIMITED.restorePerSecond}`,
  RATE_LIMIT_OPERATOR: `${UNLIMITED.maximum}/${UNLIMITED.restorePerSecond}`,
  RATE_LIMIT_GATEWAY: `${UNLIMITED.maximum}/${UNLIMITED.restorePerSecond}`,
  RATE_LIMIT_RENDERS_PER_TOKEN: String(UNLIMITED_RATE_LIMITS.renders.perToken),
  RATE_LIMIT_RENDERS_PER_PROCESS: String(UNLIMITED_RATE_LIMITS.renders.perProcess),
};

export const median = (values: number[]) => [...values].sort((left, right) => left - right)[Math.floor(values.length / 2)];
export const percentile = (sorted: number[], fraction: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))];
export const round = (value: number, digits = 0) => Number(value.toFixed(digits));

export interface Latencies {
  rate: number;
  p50: number;
  p95: number;
}

/** Rate and percentiles of request times measured over `seconds`. */
export function latencies(measured: number[], seconds: number): Latencies {
  const sorted = [...measured].sort((left, right) => left - right);
  return { rate: measured.length / seconds, p50: percentile(sorted, 0.5), p95: percentile(sorted, 0.95) };
}

/** Runs `total` tasks with at most `width` in flight. */
export async function inParallel(total: number, width: number, task: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, total) }, async () => {
      while (next < total) await task(next++);
    }),
  );
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

/** A bare keep-alive request with its status, whatever it is: the load generator shares the machine, so it stays cheap. */
export function send(url: URL, token: string, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const headers: http.OutgoingHttpHeaders = { authorization: `Bearer ${token}` };
    if (body !== undefined) Object.assign(headers, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    const request = http.request(url, { method: body === undefined ? 'GET' : 'POST', agent, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
    });
    request.on('error', reject);
    request.end(body);
  });
}

/** A POST that must succeed: HTTP 200 without errors. */
export async function post(url: URL, token: string, body: string): Promise<string> {
  const { status, text } = await send(url, token, body);
  if (status !== 200 || text.includes('"errors"')) throw new Error(`HTTP ${status}: ${text.slice(0, 500)}`);
  return text;
}
