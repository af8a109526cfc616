import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import pg from 'pg';
import { migrate } from '../src/database.js';
import { startReplicatedPostgres } from '../test/support/replica.js';
import { startServerProcess, type ServerProcess } from '../test/support/server-process.js';
import { scrape } from '../test/support/metrics.js';
import { median, post, round, UNLIMITED_RATE_LIMIT_ENVIRONMENT } from './measure.js';
import { generateBills } from './period-export.js';

/**
 * (l) DATABASE_READ_URL: the ERP's pull of a period's bills, a page of 100 with their lines, on a
 * primary and a streaming replica made by pg_basebackup (both started here, from the machine's
 * PostgreSQL binaries), through a server that reads the primary only and one that routes the pull
 * to the replica; and read-your-writes: an operator's write through one server followed at once by
 * its export through the routed one, which waits until the replica has replayed the write.
 */
export interface ReadReplicaSettings {
  bills: number;
  period: string;
  seconds: number;
  connections: number;
  /** Write-then-read rounds for read-your-writes. */
  rounds: number;
}

export interface PullFigures {
  rate: number;
  p50: number;
  p99: number;
  failures: number;
}

export interface ReadReplicaFigures {
  primaryOnly: PullFigures;
  routed: PullFigures;
  /** One bill's export by the operator: p50 as is, p50 and max right after its write through the other server, and where those read. */
  readYourWrites: { alone: number; afterWrite: number; max: number; replica: number; lagging: number };
}

const METRICS_TOKEN = 'metrics-token-for-the-read-replica-bench-1';
const PULL =
  'query($period: String!) { bills(first: 100, filter: { period: $period }) { nodes { id number status total { gross { amount currency } } lines { lineNumber description amount { amount } } } } }';

async function pull(server: ServerProcess, token: string, settings: ReadReplicaSettings): Promise<PullFigures> {
  const result = await autocannon({
    url: server.url,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: PULL, variables: { period: settings.period } }),
    connections: settings.connections,
    duration: settings.seconds,
  });
  return { rate: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, failures: result.non2xx + result.errors + result.timeouts };
}

export async function readReplicaBench(settings: ReadReplicaSettings): Promise<ReadReplicaFigures> {
  const cluster = await startReplicatedPostgres();
  const servers: ServerProcess[] = [];
  let sql: pg.Pool | undefined;
  try {
    const setup = new pg.Client({ connectionString: cluster.primaryUrl('postgres') });
    await setup.connect();
    await setup.query('create database billing');
    await setup.end();
    await migrate(cluster.primaryUrl('billing'));
    sql = new pg.Pool({ connectionString: cluster.primaryUrl('billing'), max: 2 });
    sql.on('error', () => undefined);
    await generateBills(sql, { bills: settings.bills, linesPerBill: 5, period: settings.period });
    const admin = `bpat_${randomBytes(24).toString('hex').slice(0, 32)}`;
    const environment = { BOOTSTRAP_ADMIN_TOKEN: admin, NODE_ENV: 'production', METRICS_TOKEN, ...UNLIMITED_RATE_LIMIT_ENVIRONMENT };
    const primaryOnly = await startServerProcess(cluster.primaryUrl('billing'), { environment, compiled: true });
    servers.push(primaryOnly);
    const routed = await startServerProcess(cluster.primaryUrl('billing'), {
      environment: { ...environment, DATABASE_READ_URL: cluster.replicaUrl('billing'), DATABASE_READ_MAX_WAIT: '1s' },
      compiled: true,
    });
    servers.push(routed);
    const created = await post(
      new URL(primaryOnly.url),
      admin,
      JSON.stringify({ query: 'mutation { accessTokenCreate(input: { name: "bench ERP", role: ERP }) { secret } }' }),
    );
    const erp = (JSON.parse(created) as { data: { accessTokenCreate: { secret: string } } }).data.accessTokenCreate.secret;
    await cluster.caughtUp();

    const figures = { primaryOnly: await pull(primaryOnly, erp, settings), routed: await pull(routed, erp, settings) };

    // Read-your-writes: one bill's export, by the operator, as is (the replica has everything) and
    // right after the operator renamed its tenant through the other server (the read waits for the replica).
    const exportUrl = new URL(`/exports/bills/bil_${'1'.padStart(26, '0')}.json`, routed.url);
    const exportBill = async () => {
      const started = performance.now();
      const response = await fetch(exportUrl, { headers: { authorization: `Bearer ${admin}` } });
      if (response.status !== 200) throw new Error(`${exportUrl}: HTTP ${response.status}`);
      await response.arrayBuffer();
      return performance.now() - started;
    };
    const rename = (round: number) =>
      post(
        new URL(primaryOnly.url),
        admin,
        JSON.stringify({
          query: `mutation { tenantUpdate(input: { tenantId: "ten_${'1'.padStart(26, '0')}", name: "导出测试客户 ${round}" }) { userErrors { code } } }`,
        }),
      );
    await cluster.caughtUp();
    const alone: number[] = [];
    for (let round = 0; round < settings.rounds; round++) alone.push(await exportBill());
    const before = await scrape(routed.url, METRICS_TOKEN);
    const afterWrite: number[] = [];
    for (let round = 0; round < settings.rounds; round++) {
      await rename(round);
      afterWrite.push(await exportBill());
    }
    const after = await scrape(routed.url, METRICS_TOKEN);
    const routes = (route: string) =>
      (after.get(`billing_read_routes_total{route="${route}"}`) ?? 0) - (before.get(`billing_read_routes_total{route="${route}"}`) ?? 0);
    return {
      ...figures,
      readYourWrites: {
        alone: median(alone),
        afterWrite: median(afterWrite),
        max: Math.max(...afterWrite),
        replica: routes('replica'),
        lagging: routes('primary_lagging'),
      },
    };
  } finally {
    for (const server of servers) await server.stop();
    await sql?.end();
    cluster.stop();
  }
}

export const describePull = (figures: PullFigures) =>
  `${round(figures.rate)} pages/s, p50 ${round(figures.p50, 1)} ms, p99 ${round(figures.p99, 1)} ms${figures.failures ? `, ${figures.failures} FAILED` : ''}`;
