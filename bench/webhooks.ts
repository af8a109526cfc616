import http from 'node:http';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migrate } from '../src/database.js';
import { seedSettlementData } from '../test/support/settlement-data.js';
import { startServerProcess } from '../test/support/server-process.js';
import { until } from '../test/support/until.js';
import { WebhookReceiver } from '../test/support/webhook-receiver.js';
import { inParallel, percentile, post, UNLIMITED_RATE_LIMIT_ENVIRONMENT } from './measure.js';

/**
 * (k) Webhooks when a period's settlement finalizes many bills at once: a server of its own, in a
 * database of its own with a usage record per tenant of the period, an operator endpoint for
 * `bill.finalized` at a receiver in this process, and a settlement run over every tenant.
 *
 * Live: the time from each bill's finalization (written in its transaction, a moment before the
 * commit, so the figure is an upper bound of commit to receipt) to the receiver's first 2xx, and
 * the messages per second over the run. Drain: every message queued again at once (as after an
 * outage), delivered as fast as the dispatcher goes. Its ceiling, measured in the same run: the
 * same receiver taking the same bodies by plain POSTs from this process, as many at once as the
 * dispatcher sends.
 */
export interface WebhookBenchSettings {
  bills: number;
  period: string;
  /** The dispatcher's WEBHOOK_CONCURRENCY, and the ceiling's. */
  concurrency: number;
}

export interface WebhookBenchFigures {
  settlementSeconds: number;
  live: { messages: number; rate: number; p50: number; p99: number };
  drain: { messages: number; rate: number };
  ceilingRate: number;
}

const SETTLE = 'mutation($input: BillingPeriodSettleInput!) { billingPeriodSettle(input: $input) { settlementRun { id } userErrors { message } } }';
const CREATE_ENDPOINT =
  'mutation($input: WebhookEndpointCreateInput!) { webhookEndpointCreate(input: $input) { webhookEndpoint { id } secret userErrors { message } } }';

/** The same bodies POSTed straight at the receiver, `width` at a time over keep-alive connections: what delivery could reach. */
async function plainPostRate(url: string, bodies: string[], width: number): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: width });
  const started = performance.now();
  await inParallel(
    bodies.length,
    width,
    (index) =>
      new Promise<void>((resolve, reject) => {
        const request = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (response) => {
          response.resume();
          response.on('end', resolve);
        });
        request.on('error', reject);
        request.end(bodies[index]);
      }),
  );
  agent.destroy();
  return bodies.length / ((performance.now() - started) / 1000);
}

export async function webhookBench(adminUrl: string, settings: WebhookBenchSettings): Promise<WebhookBenchFigures> {
  const databaseName = `bench_webhooks_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database "${databaseName}"`);
  const databaseUrl = Object.assign(new URL(adminUrl), { pathname: `/${databaseName}` }).toString();
  const sql = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  sql.on('error', () => undefined);
  const token = `bpat_${randomBytes(24).toString('hex').slice(0, 32)}`;
  const receiver = new WebhookReceiver();
  let server: Awaited<ReturnType<typeof startServerProcess>> | undefined;
  try {
    await migrate(databaseUrl);
    await seedSettlementData(sql, { tenants: settings.bills, records: settings.bills * 5, period: settings.period, departmentsPerTenant: 1, tenantSkew: 1 });
    await receiver.start();
    server = await startServerProcess(databaseUrl, {
      environment: {
        BOOTSTRAP_ADMIN_TOKEN: token,
        NODE_ENV: 'production',
        WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
        WEBHOOK_CONCURRENCY: String(settings.concurrency),
        ...UNLIMITED_RATE_LIMIT_ENVIRONMENT,
      },
      compiled: true,
    });
    const url = new URL(server.url);
    const call = async (query: string, input: Record<string, unknown>) => JSON.parse(await post(url, token, JSON.stringify({ query, variables: { input } })));
    const created = await call(CREATE_ENDPOINT, { url: receiver.url('/erp'), eventTypes: ['BILL_FINALIZED'] });
    if (!created.data?.webhookEndpointCreate.webhookEndpoint) throw new Error(`endpoint: ${JSON.stringify(created)}`);

    const settled = await call(SETTLE, { period: settings.period, idempotencyKey: randomBytes(8).toString('hex') });
    const runId = settled.data?.billingPeriodSettle.settlementRun?.id;
    if (!runId) throw new Error(`settlement: ${JSON.stringify(settled)}`);
    const billed = async () =>
      (
        await sql.query<{ billed: number | null }>(`select case when status = 'COMPLETED' then billed_count end as billed from settlement_run where id = $1`, [
          runId,
        ])
      ).rows[0].billed;
    await until(async () => (await billed()) !== null, 'the settlement run', 600_000);
    const bills = (await billed())!;
    await until(() => receiver.accepted('/erp').length >= bills, `${bills} bill.finalized messages`, 600_000);
    const live = receiver.accepted('/erp');
    const finalizedAt = (body: string) => Date.parse((JSON.parse(body) as { data: { bill: { finalizedAt: string } } }).data.bill.finalizedAt);
    const delays = live.map((message) => message.receivedAt - finalizedAt(message.body)).sort((left, right) => left - right);
    const firstFinalized = Math.min(...live.map((message) => finalizedAt(message.body)));
    const lastReceived = Math.max(...live.map((message) => message.receivedAt));
    const { rows } = await sql.query<{ seconds: number }>(
      'select extract(epoch from finished_at - started_at)::float8 as seconds from settlement_run where id = $1',
      [runId],
    );

    // Drain: every message queued again at once; the dispatcher's poll finds them within a second.
    const drainStart = receiver.received.length;
    await sql.query(`update webhook_delivery set state = 'PENDING', next_attempt_at = now(), locked_until = null`);
    await until(() => receiver.received.length - drainStart >= bills, 'the drain', 600_000);
    const drained = receiver.received.slice(drainStart);
    const drainSeconds = (Math.max(...drained.map((message) => message.receivedAt)) - Math.min(...drained.map((message) => message.receivedAt))) / 1000;

    const ceilingRate = await plainPostRate(
      receiver.url('/ceiling'),
      live.map((message) => message.body),
      settings.concurrency,
    );
    return {
      settlementSeconds: rows[0].seconds,
      live: {
        messages: live.length,
        rate: live.length / ((lastReceived - firstFinalized) / 1000),
        p50: percentile(delays, 0.5),
        p99: percentile(delays, 0.99),
      },
      drain: { messages: drained.length, rate: drained.length / drainSeconds },
      ceilingRate,
    };
  } finally {
    await server?.stop();
    await receiver.stop();
    await sql.end();
    await admin.query(`drop database if exists "${databaseName}" with (force)`);
    await admin.end();
  }
}
