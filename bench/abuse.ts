import type pg from 'pg';
import { AccessTokenCreateDocument, TenantCreateDocument } from '../test/generated/graphql.js';
import { GraphQLClient } from '../test/support/harness.js';
import { startServerProcess } from '../test/support/server-process.js';
import { settledBill } from './bill-query.js';
import { peakRssMiB, percentile, send } from './measure.js';

export interface AbuseSettings {
  period: string;
  /** How long the probe runs alone, and again under abuse. */
  seconds: number;
  /** The abusing token's concurrent heavy queries and concurrent PDF downloads, each in a loop. */
  heavyQueries: number;
  downloads: number;
  /** Time between probes. */
  probeIntervalMs: number;
}

export interface ProbeFigures {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

export interface AbuseFigures {
  alone: ProbeFigures;
  underAbuse: ProbeFigures;
  /** What the abusing token got: answers by HTTP status. */
  heavy: Record<number, number>;
  pdf: Record<number, number>;
  /** The server's peak RSS over the whole section. */
  peakRssMiB: number;
  /** Requested cost of one heavy query, as the server reported it. */
  heavyCost: number;
}

/** A page of 100 usage records with what a support screen shows of each: about 2,600 points, under the 5,000 a query may cost. */
const HEAVY_QUERY = `{ usageRecords(first: 100) { totalCount nodes {
  id requestId model kind status inputTokens outputTokens cachedInputTokens imageCount videoSeconds isCharged chargeReason endUserTag taskId occurredAt recordedAt
  cost { amount currency } chargedAmount { amount currency }
  department { id name parent { id name } } apiKey { id name } price { id model } } } }`;
const PROBE_QUERY = '{ viewer { role } }';

function figures(latencies: number[]): ProbeFigures {
  const sorted = [...latencies].sort((left, right) => left - right);
  return { count: sorted.length, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), max: sorted.at(-1) ?? 0 };
}

/** Probes one at a time, every `intervalMs`, until `until`; each must answer 200. */
async function probe(url: URL, token: string, until: number, intervalMs: number): Promise<number[]> {
  const body = JSON.stringify({ query: PROBE_QUERY });
  const latencies: number[] = [];
  while (performance.now() < until) {
    const sent = performance.now();
    const { status, text } = await send(url, token, body);
    latencies.push(performance.now() - sent);
    if (status !== 200 || !text.includes('"role"')) throw new Error(`probe answered HTTP ${status}: ${text.slice(0, 300)}`);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, intervalMs - (performance.now() - sent))));
  }
  return latencies;
}

/** Requests in a loop until `until`, retrying at once whatever the answer: a hostile client ignores Retry-After. */
async function hammer(callers: number, until: number, request: () => Promise<{ status: number }>): Promise<Record<number, number>> {
  const statuses: Record<number, number> = {};
  await Promise.all(
    Array.from({ length: callers }, async () => {
      while (performance.now() < until) {
        const { status } = await request();
        statuses[status] = (statuses[status] ?? 0) + 1;
      }
    }),
  );
  return statuses;
}

/**
 * (h) Abuse: a server process with the default rate limits (the other sections raise them to
 * measure speed), one tenant's finance token running heavy in-limit queries and PDF downloads
 * of a 100-line bill, each `heavyQueries` and `downloads` at a time in a loop, and another
 * tenant's viewer probing `{ viewer { role } }`: its latency alone, then under the abuse, and
 * the server's peak RSS.
 */
export async function abuseBench(databaseUrl: string, sql: pg.Pool, adminToken: string, settings: AbuseSettings): Promise<AbuseFigures> {
  const bill = await settledBill(sql, settings.period, { records: 20_000, departmentsPerTenant: 10, models: 10, name: 'Abusing tenant' });
  const server = await startServerProcess(databaseUrl, { environment: { BOOTSTRAP_ADMIN_TOKEN: adminToken, NODE_ENV: 'production' }, compiled: true });
  try {
    const admin = new GraphQLClient(server.url, adminToken);
    const token = async (role: 'TENANT_FINANCE' | 'TENANT_VIEWER', tenantId: string) => {
      const created = (await admin.data(AccessTokenCreateDocument, { input: { name: `abuse ${role}`, role, tenantId } })).accessTokenCreate;
      if (!created.secret) throw new Error(`accessTokenCreate refused: ${JSON.stringify(created.userErrors)}`);
      return created.secret;
    };
    const probeTenant = (await admin.data(TenantCreateDocument, { input: { name: 'Probing tenant' } })).tenantCreate.tenant!;
    const abuser = await token('TENANT_FINANCE', bill.tenantId);
    const prober = await token('TENANT_VIEWER', probeTenant.id);

    const url = new URL(server.url);
    const pdfUrl = new URL(`/exports/bills/${bill.id}.pdf`, server.url);
    const heavyBody = JSON.stringify({ query: HEAVY_QUERY });
    const first = await send(url, abuser, heavyBody);
    if (first.status !== 200 || first.text.includes('"errors"')) throw new Error(`heavy query answered HTTP ${first.status}: ${first.text.slice(0, 300)}`);
    const heavyCost = (JSON.parse(first.text) as { extensions: { cost: { requestedQueryCost: number } } }).extensions.cost.requestedQueryCost;
    if ((await send(pdfUrl, abuser)).status !== 200) throw new Error('the bill PDF did not render');
    await probe(url, prober, performance.now() + 1000, settings.probeIntervalMs); // JIT warm-up, not counted
    // The abuser's bucket refills before the measured abuse begins.
    const alone = figures(await probe(url, prober, performance.now() + settings.seconds * 1000, settings.probeIntervalMs));

    const until = performance.now() + settings.seconds * 1000;
    const [underAbuse, heavy, pdf] = await Promise.all([
      probe(url, prober, until, settings.probeIntervalMs),
      hammer(settings.heavyQueries, until, () => send(url, abuser, heavyBody)),
      hammer(settings.downloads, until, () => send(pdfUrl, abuser)),
    ]);
    return { alone, underAbuse: figures(underAbuse), heavy, pdf, peakRssMiB: await peakRssMiB(server.pid), heavyCost };
  } finally {
    await server.stop();
  }
}
