import { readdir, readFile } from 'node:fs/promises';
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

/** A process's peak resident set size so far (VmHWM), in MiB. */
export async function peakRssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(/VmHWM:\s+(\d+) kB/.exec(status)![1]) / 1024);
}

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

/** CPU seconds (user and system) a measurement used: in the server process, in PostgreSQL's processes on this machine, and in this one (the load generator). */
export interface CpuSeconds {
  server: number;
  postgres: number;
  loadGenerator: number;
}

/** Linux's clock ticks a second in /proc (USER_HZ: 100 on every architecture Node runs on). */
const TICKS_PER_SECOND = 100;

/** Each process's name and CPU seconds so far, from /proc/<pid>/stat (utime and stime: the 12th and 13th fields after its name, which may hold spaces). */
async function processesCpu(): Promise<Map<string, { name: string; seconds: number }>> {
  const pids = (await readdir('/proc')).filter((entry) => /^\d+$/.test(entry));
  const processes = new Map<string, { name: string; seconds: number }>();
  for (const pid of pids) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null); // gone meanwhile
    if (!stat) continue;
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    processes.set(pid, {
      name: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
      seconds: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND,
    });
  }
  return processes;
}

/** Runs `work` and divides the CPU it took among the server, PostgreSQL (its processes that lived to the end) and the load generator. */
export async function cpuUsedBy<Result>(serverPid: number, work: () => Promise<Result>): Promise<{ result: Result; cpu: CpuSeconds }> {
  const [before, ownBefore] = [await processesCpu(), process.cpuUsage()];
  const result = await work();
  const [after, own] = [await processesCpu(), process.cpuUsage(ownBefore)];
  const used = (pid: string) => after.get(pid)!.seconds - (before.get(pid)?.seconds ?? 0);
  return {
    result,
    cpu: {
      server: used(String(serverPid)),
      postgres: [...after].filter(([, each]) => each.name === 'postgres').reduce((sum, [pid]) => sum + used(pid), 0),
      loadGenerator: (own.user + own.system) / 1e6,
    },
  };
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
