import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
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

export interface GatewayFigures {
  ceiling: LoadFigures;
  authorize: LoadFigures;
  /** Reserve-then-record cycles: `rate` counts cycles (two requests each). */
  cycle: LoadFigures;
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

/**
 * The gateway path next to its ceiling, with light load generators (the bench's own fetch loop
 * competes with the server for the cores): autocannon, closed loop with `connections` at once, for
 * a plain Apollo Server hello world, `usageAuthorize` and reserve-then-record cycles; then, open
 * loop at a fixed rate (bench/open-loop.ts: autocannon's `overallRate` sends in bursts),
 * `usageAuthorize` at half the ceiling's rate and cycles at half of it or of their own rate.
 */
export async function gatewayBench(serverUrl: string, world: BenchWorld, settings: { seconds: number; connections: number }): Promise<GatewayFigures> {
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
  const authorize = figures(await load({ url: serverUrl, headers, connections, duration, requests: [authorizeRequest] }));

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
  const cycle = figures(await load({ url: serverUrl, headers, connections, duration, requests: cycleRequests }), 2);

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
