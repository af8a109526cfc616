import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import os from 'node:os';
import { cpuUsedBy, type CpuSeconds } from './measure.js';
import { openLoop } from './open-loop.js';
import type { BenchWorld } from './world.js';
import { usageBatch } from './usage-data.js';

/** Figures of one autocannon run: completed requests a second and latency percentiles (ms). */
export interface LoadFigures {
  rate: number;
  p50: number;
  p99: number;
  /** Answers other than HTTP 200, and connection errors: must be 0 for the figure to count. */
  failures: number;
}

/**
 * The CPU a closed-loop run used per unit of work (a request, a cycle), in ms, and the rate the
 * machine's cores would allow at that cost were the server and PostgreSQL alone on them: a bound
 * no speed-up of the path's waiting can pass.
 */
export interface CpuPerUnit extends CpuSeconds {
  boundRate: number;
}

export interface GatewayFigures {
  ceiling: LoadFigures;
  authorize: LoadFigures & { cpu: CpuPerUnit };
  /** Reserve-then-record cycles: `rate` counts cycles (two requests each). */
  cycle: LoadFigures & { cpu: CpuPerUnit };
  /** usageAuthorize offered at half the ceiling's rate, open loop (bench/open-loop.ts). */
  authorizeAtHalf: LoadFigures & { offered: number };
  /**
   * Reserve-then-record cycles offered open loop: at half the ceiling's rate, or at half the
   * cycle's own closed-loop rate while that is lower (half the ceiling would only measure a queue
   * growing without end). Latencies are per cycle, from when it was due to the record's answer.
   */
  cycleOpenLoop: LoadFigures & { offered: number; isAtHalfCeiling: boolean };
}

const AUTHORIZE_QUERY = 'query($input: UsageAuthorizeInput!) { usageAuthorize(input: $input) { isAllowed denial { code } } }';
const RESERVE_MUTATION =
  'mutation($input: UsageReserveInput!) { usageReserve(input: $input) { authorization { isAllowed denial { code } } userErrors { code } } }';
const RECORD_MUTATION = 'mutation($input: UsageRecordInput!) { usageRecord(input: $input) { acceptedCount rejectedCount } }';

/** The plain Apollo Server hello world (bench/hello-world.ts) as its own process. */
async function startHelloWorld(): Promise<{ url: string; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ['--import', '@swc-node/register/esm-register', 'bench/hello-world.ts'], {
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /ready at (http:\/\/\S+)/.exec(output);
      if (match) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`hello world exited with ${code}: ${output}`)));
  });
  return {
    url,
    async stop() {
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

function figures(result: autocannon.Result, requestsPerUnit = 1): LoadFigures {
  return {
    rate: result.requests.average / requestsPerUnit,
    p50: result.latency.p50,
    p99: result.latency.p99,
    failures: result.non2xx + result.errors + result.timeouts,
  };
}

async function load(options: autocannon.Options): Promise<autocannon.Result> {
  return autocannon({ method: 'POST', headers: { 'content-type': 'application/json' }, ...options });
}

/** A closed-loop run's figures with the CPU it used per unit (`requestsPerUnit` requests each). */
async function measuredLoad(serverPid: number, options: autocannon.Options, requestsPerUnit = 1): Promise<LoadFigures & { cpu: CpuPerUnit }> {
  const { result, cpu } = await cpuUsedBy(serverPid, () => load(options));
  const units = result.requests.total / requestsPerUnit;
  const perUnit = (seconds: number) => (seconds * 1000) / units;
  const cpuPerUnit = { server: perUnit(cpu.server), postgres: perUnit(cpu.postgres), loadGenerator: perUnit(cpu.loadGenerator) };
  return {
    ...figures(result, requestsPerUnit),
    cpu: { ...cpuPerUnit, boundRate: (os.availableParallelism() * 1000) / (cpuPerUnit.server + cpuPerUnit.postgres) },
  };
}

/**
 * The gateway path next to its ceiling, with light load generators (the bench's own fetch loop
 * competes with the server for the cores): autocannon, closed loop with `connections` at once, for
 * a plain Apollo Server hello world, `usageAuthorize` and reserve-then-record cycles; then, open
 * loop at a fixed rate (bench/open-loop.ts: autocannon's `overallRate` sends in bursts),
 * `usageAuthorize` at half the ceiling's rate and cycles at half of it or of their own rate.
 */
export async function gatewayBench(
  server: { url: string; pid: number },
  world: BenchWorld,
  settings: { seconds: number; connections: number },
): Promise<GatewayFigures> {
  const serverUrl = server.url;
  const { seconds: duration, connections } = settings;
  const helloWorld = await startHelloWorld();
  let ceiling: LoadFigures;
  try {
    const body = JSON.stringify({ query: '{ hello }' });
    await load({ url: helloWorld.url, connections, duration: 2, body }); // JIT warm-up, not counted
    ceiling = figures(await load({ url: helloWorld.url, connections, duration, body }));
  } finally {
    await helloWorld.stop();
  }

  const headers = { 'content-type': 'application/json', authorization: `Bearer ${world.gatewayToken}` };
  // Every key with every model, in turn (key by key: the same key's models far apart).
  const authorizeBodies = world.models.flatMap((model) =>
    world.keys.map((key) => JSON.stringify({ query: AUTHORIZE_QUERY, variables: { input: { apiKeySecret: key.secret, model, estimatedCost: '0.01' } } })),
  );
  let next = 0;
  const authorizeRequest = { setupRequest: (request: autocannon.Request) => ({ ...request, body: authorizeBodies[next++ % authorizeBodies.length] }) };
  // Warm-up, not counted: the JIT, and every key asked once about every model, as a running gateway's keys have been.
  await load({ url: serverUrl, headers, connections, amount: Math.max(authorizeBodies.length, 2_000), requests: [authorizeRequest] });
  const authorize = await measuredLoad(server.pid, { url: serverUrl, headers, connections, duration, requests: [authorizeRequest] });

  // A reserve, then the record of the same call (same key, model and requestId).
  const cycleBodies = () => {
    const key = world.keys[next++ % world.keys.length];
    const [record] = usageBatch({ ...world, keys: [key] }, randomUUID(), 1);
    const input = { apiKeySecret: key.secret, model: record.model, requestId: record.requestId, estimatedCost: '0.05' };
    return [
      JSON.stringify({ query: RESERVE_MUTATION, variables: { input } }),
      JSON.stringify({ query: RECORD_MUTATION, variables: { input: { records: [record] } } }),
    ];
  };
  // One connection's cycle with autocannon: the record goes after the reserve's answer.
  const cycleRequests: autocannon.Request[] = [
    {
      setupRequest: (request: autocannon.Request, context: object) => {
        const [reserve, record] = cycleBodies();
        Object.assign(context, { record });
        return { ...request, body: reserve };
      },
    },
    { setupRequest: (request: autocannon.Request, context: object) => ({ ...request, body: (context as { record: string }).record }) },
  ];
  const cycle = await measuredLoad(server.pid, { url: serverUrl, headers, connections, duration, requests: cycleRequests }, 2);

  const halfCeiling = Math.max(1, Math.round(ceiling.rate / 2));
  const authorizeAtHalf = await openLoop({
    url: serverUrl,
    headers: { authorization: headers.authorization },
    work: (index) => [authorizeBodies[index % authorizeBodies.length]],
    rate: halfCeiling,
    seconds: duration,
  });
  const cycleOffered = Math.max(1, Math.min(halfCeiling, Math.round(cycle.rate / 2)));
  const cycleOpenLoop = await openLoop({
    url: serverUrl,
    headers: { authorization: headers.authorization },
    work: cycleBodies,
    rate: cycleOffered,
    seconds: duration,
  });
  return {
    ceiling,
    authorize,
    cycle,
    authorizeAtHalf: { ...authorizeAtHalf, offered: halfCeiling },
    cycleOpenLoop: { ...cycleOpenLoop, offered: cycleOffered, isAtHalfCeiling: cycleOffered === halfCeiling },
  };
}
