/**
 * `npm run bench`: the gateway's hot paths against a real PostgreSQL (DATABASE_URL's server, or an
 * embedded one, as the tests use), through the product's own server process and GraphQL API.
 *
 *   (a) usage ingestion via `usageRecord` in batches, and the raw multi-row INSERT ceiling of the
 *       same rows in the same run; (b) `usageAuthorize` at N concurrent callers; (c) live-spend
 *       latency from a batch's response to each subscriber's message while ingesting at a fixed
 *       rate; (d) the server's peak RSS (before (f)); (e) monthly settlement of a period (`npm run
 *       settle`) over data generated in SQL in a database of its own (bench/settlement.ts); (f) the
 *       `bill(id)` query for a 100-line bill: latency, and SQL statements per query (bench/bill-query.ts);
 *       (g) VAT invoices on 100-line bills: issue one at a time and with callers on as many bills,
 *       reverse, the ERP's page of invoices and its SQL statements per page (bench/invoice.ts);
 *       (h) abuse: another tenant's probe alone and while one token runs heavy queries and PDF
 *       downloads, on a second server with the default rate limits, and its peak RSS (bench/abuse.ts);
 *       (i) the gateway path next to its ceiling, closed loop from autocannon: a plain Apollo Server
 *       hello world, usageAuthorize, reserve-then-record cycles; open loop at a fixed rate
 *       (bench/open-loop.ts): usageAuthorize at half the ceiling's rate, cycles at half of it or of
 *       their own (bench/gateway.ts), over a world of its own: 5,000 keys in 100 tenants, hard budgets at every level;
 *       (j) a period's bill lines of 10,000 bills as XLSX and CSV, and its bills as XLSX, streamed by a server of its own: time and
 *       that server's peak RSS (bench/period-export.ts);
 *   (k) webhooks when a settlement finalizes 1,000 bills at once: messages/s and finalization to receipt, and a
 *       backlog's drain next to plain POSTs of the same bodies to the same receiver (bench/webhooks.ts);
 *   (l) a read replica: the ERP's pull of bills from the primary and routed to a pg_basebackup replica, and a
 *       routed read right after its caller's write (bench/read-replica.ts).
 * (a)-(g) measure speed, so their server runs with every cost bucket raised out of the way.
 *
 * Options (all optional): --records 1000000 --runs 3 --batch 1000 --concurrency 4
 *   --authorize-requests 20000 --callers 50 --subscribers 100 --live-rate 5000 --live-seconds 20
 *   --settle-tenants 1000 --settle-records 10000000 --settle-scale 5 --settle-period 2026-10 --settle-profile
 *   --bill-requests 500 --bill-concurrent-requests 1000 --bill-callers 8
 *   --invoice-issues 300 --invoice-callers 8 --invoice-page-requests 300 --abuse-seconds 10 --gateway-seconds 10
 *   --gateway-tenants 100 --gateway-keys-per-tenant 50 --export-bills 10000 --webhook-bills 1000
 *   --replica-bills 2000 --replica-seconds 10
 *   --only ingestion|authorize|live|settlement|bill-query|invoice|abuse|gateway|export|webhooks|replica (repeatable; default all eleven)
 * Unless given, settlement is sized from --records (10 usage records per ingested one, a tenant per
 * 10,000 of them: 1,000 tenants and 10,000,000 records by default) and the bill requests from
 * --authorize-requests (1/40 and 1/20 of them), so a short run stays short; the ERP's invoice page
 * requests default to --invoice-issues.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../src/platform/database/embedded-postgres.js';
import { migrate } from '../src/database.js';
import { startServerProcess, type ServerProcess } from '../test/support/server-process.js';
import { addBenchBudgets, createBenchWorld, createGatewayWorld, type BenchWorld } from './world.js';
import { abuseBench, type ProbeFigures } from './abuse.js';
import { billQueryBench } from './bill-query.js';
import { gatewayBench, type CpuPerUnit, type LoadFigures } from './gateway.js';
import { invoiceBench } from './invoice.js';
import { EXPORT_TARGET_RSS_MIB, periodExportBench, type ExportFigures } from './period-export.js';
import { LiveSpendProbe } from './live-spend.js';
import { webhookBench } from './webhooks.js';
import { inParallel, median, peakRssMiB, percentile, post, round, UNLIMITED_RATE_LIMIT_ENVIRONMENT } from './measure.js';
import { SETTLEMENT_SCALE_TARGET, SETTLEMENT_TARGET_RSS_MIB, SETTLEMENT_TARGET_SECONDS, settlementBench, type SettlementFigures } from './settlement.js';
import { rawInsert, usageBatch } from './usage-data.js';
import { describePull, readReplicaBench } from './read-replica.js';

const { values: options } = parseArgs({
  options: {
    records: { type: 'string', default: '1000000' },
    runs: { type: 'string', default: '3' },
    batch: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '4' },
    'authorize-requests': { type: 'string', default: '20000' },
    callers: { type: 'string', default: '50' },
    subscribers: { type: 'string', default: '100' },
    'live-rate': { type: 'string', default: '5000' },
    'live-seconds': { type: 'string', default: '20' },
    'settle-tenants': { type: 'string' },
    'settle-records': { type: 'string' },
    'settle-scale': { type: 'string', default: '5' },
    'settle-period': { type: 'string', default: '2026-10' },
    'settle-profile': { type: 'boolean', default: false },
    'bill-requests': { type: 'string' },
    'bill-concurrent-requests': { type: 'string' },
    'bill-callers': { type: 'string', default: '8' },
    'invoice-issues': { type: 'string', default: '300' },
    'invoice-callers': { type: 'string', default: '8' },
    'invoice-page-requests': { type: 'string' },
    'abuse-seconds': { type: 'string', default: '10' },
    'gateway-seconds': { type: 'string', default: '10' },
    'gateway-tenants': { type: 'string', default: '100' },
    'gateway-keys-per-tenant': { type: 'string', default: '50' },
    'export-bills': { type: 'string', default: '10000' },
    'webhook-bills': { type: 'string', default: '1000' },
    'replica-bills': { type: 'string', default: '2000' },
    'replica-seconds': { type: 'string', default: '10' },
    only: {
      type: 'string',
      multiple: true,
      default: ['ingestion', 'authorize', 'live', 'settlement', 'bill-query', 'invoice', 'abuse', 'gateway', 'export', 'webhooks', 'replica'],
    },
  },
});
const settleRecords = Number(options['settle-records'] ?? Number(options.records) * 10);
const settings = {
  records: Number(options.records),
  runs: Number(options.runs),
  batch: Number(options.batch),
  concurrency: Number(options.concurrency),
  authorizeRequests: Number(options['authorize-requests']),
  callers: Number(options.callers),
  subscribers: Number(options.subscribers),
  liveRate: Number(options['live-rate']),
  liveSeconds: Number(options['live-seconds']),
  settleRecords,
  settleTenants: Number(options['settle-tenants'] ?? Math.max(10, Math.round(settleRecords / 10_000))),
  settleScale: Number(options['settle-scale']),
  settlePeriod: options['settle-period'],
  billRequests: Number(options['bill-requests'] ?? Math.max(50, Math.round(Number(options['authorize-requests']) / 40))),
  billConcurrentRequests: Number(options['bill-concurrent-requests'] ?? Math.max(100, Math.round(Number(options['authorize-requests']) / 20))),
  billCallers: Number(options['bill-callers']),
  invoiceIssues: Number(options['invoice-issues']),
  invoiceCallers: Number(options['invoice-callers']),
  invoicePageRequests: Number(options['invoice-page-requests'] ?? options['invoice-issues']),
  abuseSeconds: Number(options['abuse-seconds']),
  gatewaySeconds: Number(options['gateway-seconds']),
  gatewayTenants: Number(options['gateway-tenants']),
  gatewayKeysPerTenant: Number(options['gateway-keys-per-tenant']),
  exportBills: Number(options['export-bills']),
  webhookBills: Number(options['webhook-bills']),
  replicaBills: Number(options['replica-bills']),
  replicaSeconds: Number(options['replica-seconds']),
};

/** The server runs as deployed: compiled JavaScript, not the TypeScript loader `npm start` uses. Built once, by the first section that starts one. */
let isBuilt = false;
function build(): void {
  if (!isBuilt) execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  isBuilt = true;
}

/** (i)'s targets, as ratios to the ceiling, and its open-loop p99. */
const GATEWAY_TARGETS = { authorize: 0.8, cycle: 0.4, p99AtHalf: 10 };
/** (h)'s targets. */
const ABUSE_TARGETS = { probeP50: 20, probeP99: 100, peakRssMiB: 600 };

const USAGE_MUTATION =
  'mutation($input: UsageRecordInput!) { usageRecord(input: $input) { acceptedCount duplicateCount rejectedCount rejections { code message } } }';
const AUTHORIZE_QUERY = 'query($input: UsageAuthorizeInput!) { usageAuthorize(input: $input) { isAllowed denial { code } remainingSpend { amount } } }';

/** Where a unit of the gateway's work spends the cores, and the rate that cost allows at best. */
function cpuLine(unit: string, cpu: CpuPerUnit, ceilingRate: number): string {
  const bound = round(cpu.boundRate);
  return (
    `CPU per ${unit}: server ${round(cpu.server, 2)} ms, PostgreSQL ${round(cpu.postgres, 2)} ms, load generator ${round(cpu.loadGenerator, 2)} ms; ` +
    `at that cost ${os.availableParallelism()} cores allow at most ${bound} ${unit}s/s (${round(bound / ceilingRate, 2)} x ceiling) with nothing else on them`
  );
}

async function resetUsage(sql: pg.Pool): Promise<void> {
  await sql.query('truncate usage_record, usage_request, usage_rollup, spend_counter, event_outbox, bench_raw_usage');
}

async function ingestionRun(run: number, server: ServerProcess, world: BenchWorld, sql: pg.Pool) {
  await resetUsage(sql);
  const batches = Math.ceil(settings.records / settings.batch);
  const url = new URL(server.url);
  let accepted = 0;
  const started = performance.now();
  await inParallel(batches, settings.concurrency, async (index) => {
    const records = usageBatch(world, `r${run}-b${index}`, settings.batch);
    const text = await post(url, world.gatewayToken, JSON.stringify({ query: USAGE_MUTATION, variables: { input: { records } } }));
    const { usageRecord } = (JSON.parse(text) as { data: { usageRecord: { acceptedCount: number; rejections: unknown[] } } }).data;
    if (usageRecord.rejections.length) throw new Error(`records rejected: ${JSON.stringify(usageRecord.rejections.slice(0, 3))}`);
    accepted += usageRecord.acceptedCount;
  });
  const graphqlSeconds = (performance.now() - started) / 1000;
  if (accepted !== batches * settings.batch) throw new Error(`accepted ${accepted} of ${batches * settings.batch} records`);

  const rawStarted = performance.now();
  await inParallel(batches, settings.concurrency, async (index) => rawInsert(sql, usageBatch(world, `r${run}-b${index}`, settings.batch), world));
  const rawSeconds = (performance.now() - rawStarted) / 1000;
  return { graphqlRate: accepted / graphqlSeconds, rawRate: accepted / rawSeconds };
}

async function authorizeRun(server: ServerProcess, world: BenchWorld, requests = settings.authorizeRequests) {
  const url = new URL(server.url);
  const bodies = world.keys.map((key) =>
    JSON.stringify({ query: AUTHORIZE_QUERY, variables: { input: { apiKeySecret: key.secret, model: world.models[0], estimatedCost: '0.01' } } }),
  );
  const latencies: number[] = [];
  const started = performance.now();
  await inParallel(requests, settings.callers, async (index) => {
    const sent = performance.now();
    const text = await post(url, world.gatewayToken, bodies[index % bodies.length]);
    latencies.push(performance.now() - sent);
    if (!text.includes('"isAllowed":true')) throw new Error(`denied: ${text}`);
  });
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((left, right) => left - right);
  return { rate: requests / seconds, p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99) };
}

async function liveSpendRun(server: ServerProcess, world: BenchWorld, sql: pg.Pool) {
  await resetUsage(sql);
  const probe = await LiveSpendProbe.open(server.wsUrl, world, settings.subscribers);
  const url = new URL(server.url);
  const batchSize = settings.batch;
  const interval = (batchSize / settings.liveRate) * 1000;
  const batches = Math.ceil((settings.liveRate * settings.liveSeconds) / batchSize);
  const responses: number[] = [];
  const started = performance.now();
  for (let index = 0; index < batches; index++) {
    const due = started + index * interval;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    await post(
      url,
      world.gatewayToken,
      JSON.stringify({ query: USAGE_MUTATION, variables: { input: { records: usageBatch(world, `live-${index}`, batchSize) } } }),
    );
    responses.push(performance.now());
  }
  const achievedRate = (batches * batchSize) / ((performance.now() - started) / 1000);
  const latencies = await probe.latencies(responses);
  await probe.close();
  latencies.sort((left, right) => left - right);
  return { achievedRate, messages: latencies.length, p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99) };
}

const SERVER_MEASUREMENTS = ['ingestion', 'authorize', 'live', 'bill-query', 'invoice', 'abuse', 'gateway', 'export', 'webhooks'];

async function main(): Promise<void> {
  let embedded: EmbeddedDatabase | undefined;
  let dataDir: string | undefined;
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'billing-bench-'));
    await chmod(dataDir, 0o755);
    embedded = await startEmbeddedPostgres(dataDir);
    adminUrl = embedded.adminUrl;
  }
  const databaseName = `bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database "${databaseName}"`);
  const databaseUrl = Object.assign(new URL(adminUrl), { pathname: `/${databaseName}` }).toString();
  const sql = new pg.Pool({ connectionString: databaseUrl, max: settings.concurrency + 2 });
  sql.on('error', () => undefined);
  let server: ServerProcess | undefined;
  try {
    // Figures by letter, printed in letter order whatever order they were measured in.
    const results: Record<string, string[]> = {};
    // First, in a database of its own: its gigabytes of usage are dropped before the server's measurements.
    if (options.only.includes('settlement')) {
      // The same tenants at two sizes: a settlement's cost must grow with tenants and their groups, not with records.
      const sizes = [settings.settleRecords, settings.settleRecords * settings.settleScale];
      const figures: SettlementFigures[] = [];
      for (const records of sizes) {
        console.log(
          `bench: PostgreSQL ${embedded ? 'embedded' : 'at DATABASE_URL'}, ${os.cpus().length} cores; (e) settlement of ${settings.settlePeriod}, ${records.toLocaleString('en')} records`,
        );
        figures.push(
          await settlementBench(
            adminUrl,
            { tenants: settings.settleTenants, records, period: settings.settlePeriod, runs: settings.runs, profile: options['settle-profile'] },
            (line) => console.log(line),
          ),
        );
        await admin.query('checkpoint');
      }
      const ratio = figures[1].seconds / figures[0].seconds;
      results.e = [
        ...figures.flatMap((settlement, index) => [
          `  (e) settlement of ${settings.settlePeriod} by \`npm run settle\`, ${settings.settleTenants.toLocaleString('en')} tenants, ${sizes[index].toLocaleString('en')} usage records: ${round(settlement.seconds, 1)} s spawn to exit (target <= ${SETTLEMENT_TARGET_SECONDS}), ` +
            `${round(settings.settleTenants / settlement.seconds, 1)} tenants/s; peak RSS ${settlement.peakRssMiB} MiB (target <= ${SETTLEMENT_TARGET_RSS_MIB})`,
          `      of which startup ${round(median(settlement.runs.map((run) => run.startupSeconds)), 1)} s; ${settlement.rollups.toLocaleString('en')} daily rollup rows; checked: a bill per tenant, totals = sums of lines, numbers contiguous from 000001, every charged row on a usage line; ` +
            `data generated in ${round(Object.values(settlement.seeding).reduce((sum, seconds) => sum + seconds, 0))} s (not counted)`,
          ...settlement.profile,
        ]),
        `  (e) ${settings.settleScale}x the records: ${ratio.toFixed(2)}x the time (target <= ${SETTLEMENT_SCALE_TARGET})`,
      ];
    }
    if (SERVER_MEASUREMENTS.some((measurement) => options.only.includes(measurement))) {
      build();
      await migrate(databaseUrl);
      await sql.query('create table bench_raw_usage (like usage_record including all)');
      const bootstrapToken = `bpat_${randomBytes(24).toString('hex').slice(0, 32)}`;
      server = await startServerProcess(databaseUrl, {
        environment: {
          BOOTSTRAP_ADMIN_TOKEN: bootstrapToken,
          NODE_ENV: 'production',
          ...UNLIMITED_RATE_LIMIT_ENVIRONMENT,
        },
        // e.g. BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/profile" to profile the server
        nodeArguments: process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean),
        compiled: true,
      });
      const world = await createBenchWorld(server.url, bootstrapToken);
      // Generated usage occurred up to a second ago: after every key's creation.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      console.log(
        `bench: PostgreSQL ${embedded ? 'embedded' : 'at DATABASE_URL'}, ${os.cpus().length} cores, ${world.tenants} tenants, ${world.departments} departments, ${world.keys.length} keys, ${world.models.length} models`,
      );

      if (options.only.includes('ingestion')) {
        const ingestionRuns = async (label: string) => {
          const runs = [];
          for (let run = 1; run <= settings.runs; run++) {
            const result = await ingestionRun(run, server!, world, sql);
            runs.push(result);
            console.log(`  (a) ${label} run ${run}: usageRecord ${round(result.graphqlRate)} records/s; raw INSERT ${round(result.rawRate)} rows/s`);
          }
          return { graphqlRate: median(runs.map((result) => result.graphqlRate)), rawRate: median(runs.map((result) => result.rawRate)) };
        };
        const plain = await ingestionRuns('no budgets');
        const budgetCount = await addBenchBudgets(server.url, bootstrapToken, world);
        const budgeted = await ingestionRuns(`${budgetCount} budgets`);
        // What the runs wrote is flushed before the next phase, so it does not measure this one's write-back.
        await resetUsage(sql);
        await sql.query('checkpoint');
        results.a = [
          `  (a) ingestion via GraphQL, ${settings.records.toLocaleString('en')} records in batches of ${settings.batch}, ${settings.concurrency} in flight: ${round(plain.graphqlRate)} records/s (target >= 20000)`,
          `      raw multi-row INSERT of the same rows (ceiling): ${round(plain.rawRate)} rows/s; GraphQL / raw = ${round(plain.graphqlRate / plain.rawRate, 2)}`,
          `      with 3 budgets on every key's tree (${budgetCount} budgets): ${round(budgeted.graphqlRate)} records/s; with / without = ${round(budgeted.graphqlRate / plain.graphqlRate, 2)} (target >= 0.8)`,
        ];
      }
      if (options.only.includes('gateway')) {
        const building = performance.now();
        const gatewayWorld = await createGatewayWorld(world, server.url, { tenants: settings.gatewayTenants, keysPerTenant: settings.gatewayKeysPerTenant });
        const built = (performance.now() - building) / 1000;
        // The statistics autovacuum keeps for a running database: a world built a moment ago has none, and
        // the planner, taking its 5,800 budgets for a handful, would scan them all on every cold check.
        await sql.query('analyze');
        await new Promise((resolve) => setTimeout(resolve, 1000)); // generated usage occurs after every key's creation
        const gateway = await gatewayBench(server, gatewayWorld, { seconds: settings.gatewaySeconds, connections: settings.callers });
        const ratio = (figures: LoadFigures) => round(figures.rate / gateway.ceiling.rate, 2);
        const failures = [gateway.ceiling, gateway.authorize, gateway.cycle, gateway.authorizeAtHalf, gateway.cycleOpenLoop].reduce(
          (sum, figures) => sum + figures.failures,
          0,
        );
        const { cycleOpenLoop } = gateway;
        results.i = [
          `  (i) the gateway's world: ${gatewayWorld.keys.length.toLocaleString('en')} keys over ${gatewayWorld.tenants} tenants, ${gatewayWorld.budgets.toLocaleString('en')} hard budgets (every tenant, department and key), built through the API in ${round(built)} s (not counted)`,
          `      ceiling, a plain Apollo Server hello world under autocannon, ${settings.callers} connections: ${round(gateway.ceiling.rate)} req/s, p50 ${gateway.ceiling.p50} ms, p99 ${gateway.ceiling.p99} ms`,
          `      usageAuthorize, ${settings.callers} connections: ${round(gateway.authorize.rate)} req/s = ${ratio(gateway.authorize)} x ceiling (target >= ${GATEWAY_TARGETS.authorize}), p50 ${gateway.authorize.p50} ms, p99 ${gateway.authorize.p99} ms`,
          `        ${cpuLine('request', gateway.authorize.cpu, gateway.ceiling.rate)}`,
          `      usageReserve then usageRecord (one record), ${settings.callers} connections: ${round(gateway.cycle.rate)} cycles/s = ${ratio(gateway.cycle)} x ceiling (target >= ${GATEWAY_TARGETS.cycle}), p50 ${gateway.cycle.p50} ms, p99 ${gateway.cycle.p99} ms per request`,
          `        ${cpuLine('cycle', gateway.cycle.cpu, gateway.ceiling.rate)}`,
          `      usageAuthorize offered at half the ceiling (${gateway.authorizeAtHalf.offered} req/s, open loop): ${round(gateway.authorizeAtHalf.rate)} req/s, p50 ${gateway.authorizeAtHalf.p50} ms, p99 ${gateway.authorizeAtHalf.p99} ms (target <= ${GATEWAY_TARGETS.p99AtHalf})`,
          `      reserve-then-record cycles offered at ${cycleOpenLoop.offered} cycles/s, open loop (${cycleOpenLoop.isAtHalfCeiling ? 'half the ceiling' : "half the cycle's own rate above: half the ceiling is beyond it"}): ${round(cycleOpenLoop.rate)} cycles/s, p50 ${cycleOpenLoop.p50} ms, p99 ${cycleOpenLoop.p99} ms per cycle (target <= ${GATEWAY_TARGETS.p99AtHalf} at half the ceiling); non-200 answers and errors over (i): ${failures}`,
        ];
      }
      if (options.only.includes('authorize')) {
        const authorize = [];
        await authorizeRun(server, world, Math.min(10_000, settings.authorizeRequests)); // JIT warm-up, not counted
        for (let run = 1; run <= settings.runs; run++) {
          const result = await authorizeRun(server, world);
          authorize.push(result);
          console.log(`  (b) run ${run}: usageAuthorize ${round(result.rate)} req/s, p50 ${round(result.p50, 1)} ms, p99 ${round(result.p99, 1)} ms`);
        }
        results.b = [
          `  (b) usageAuthorize, ${settings.callers} concurrent callers: ${round(median(authorize.map((result) => result.rate)))} req/s (target >= 3000), p50 ${round(median(authorize.map((result) => result.p50)), 1)} ms, p99 ${round(median(authorize.map((result) => result.p99)), 1)} ms (target <= 20)`,
        ];
      }
      if (options.only.includes('live')) {
        const live = [];
        for (let run = 1; run <= settings.runs; run++) {
          const result = await liveSpendRun(server, world, sql);
          live.push(result);
          console.log(
            `  (c) run ${run}: ${round(result.achievedRate)} records/s, p50 ${round(result.p50, 1)} ms, p99 ${round(result.p99, 1)} ms over ${result.messages} messages`,
          );
        }
        results.c = [
          `  (c) live spend, ${settings.subscribers} subscribers at ${round(median(live.map((result) => result.achievedRate)))} records/s: p50 ${round(median(live.map((result) => result.p50)), 1)} ms, p99 ${round(median(live.map((result) => result.p99)), 1)} ms (target p99 <= 100)`,
        ];
      }
      // Before (f), so it stays comparable with earlier runs of the bench; (f) reports its own.
      results.d = [`  (d) server peak RSS over the whole bench before (f): ${await peakRssMiB(server.pid)} MiB`];
      if (options.only.includes('bill-query')) {
        const bill = await billQueryBench(server, databaseUrl, sql, bootstrapToken, {
          period: settings.settlePeriod,
          requests: settings.billRequests,
          concurrentRequests: settings.billConcurrentRequests,
          callers: settings.billCallers,
        });
        const same = new Set([...bill.statements.small, ...bill.statements.large]).size === 1;
        console.log(
          `  (f) SQL statements of one bill(id) query of the 100-line bill, in order:\n${bill.listing.map((text) => `        ${text.slice(0, 160)}`).join('\n')}`,
        );
        results.f = [
          `  (f) bill(id) as the ERP sends it, ${bill.lines} lines and ${bill.payments} payments: one at a time (${settings.billRequests}) p50 ${round(bill.sequential.p50, 1)} ms, p95 ${round(bill.sequential.p95, 1)} ms, ${round(bill.sequential.rate)} req/s; ` +
            `${settings.billCallers} in flight (${settings.billConcurrentRequests}) ${round(bill.concurrent.rate)} req/s, p50 ${round(bill.concurrent.p50, 1)} ms, p95 ${round(bill.concurrent.p95, 1)} ms`,
          `      SQL statements per query (counted in-process): 10-line bill ${bill.statements.small.join('/')}, 100-line bill ${bill.statements.large.join('/')} (target: the same) ${same ? 'same' : 'DIFFERENT'}; server peak RSS after (f) ${await peakRssMiB(server.pid)} MiB`,
        ];
      }
      if (options.only.includes('invoice')) {
        const invoice = await invoiceBench(server, databaseUrl, sql, bootstrapToken, {
          period: settings.settlePeriod,
          issues: settings.invoiceIssues,
          callers: settings.invoiceCallers,
          pageRequests: settings.invoicePageRequests,
        });
        const { ascending, descending } = invoice.statements;
        const constant = [ascending, descending].every((counts) => new Set([...counts.first5, ...counts.first20]).size === 1);
        const milliseconds = (value: number) => round(value, 1);
        console.log(
          `  (g) SQL statements of one vatInvoices(first: 20) page of red-letter and reversed invoices, in order:\n${invoice.listing.page.map((text) => `        ${text.slice(0, 160)}`).join('\n')}`,
        );
        console.log(
          `  (g) SQL statements of one vatInvoiceIssue, in order:\n${invoice.listing.issue.map((text) => `        ${text.slice(0, 160)}`).join('\n')}`,
        );
        results.g = [
          `  (g) vatInvoiceIssue of ${invoice.amount} CNY (${invoice.invoiceLines} invoice lines) on a ${invoice.lines}-line bill, TENANT_FINANCE: one at a time (${settings.invoiceIssues}) p50 ${milliseconds(invoice.sequential.p50)} ms, p95 ${milliseconds(invoice.sequential.p95)} ms, ${round(invoice.sequential.rate)} issues/s; ` +
            `p50 of the first tenth ${milliseconds(invoice.growth.first)} ms, of the last ${milliseconds(invoice.growth.last)} ms (each issue reads the bill's lines and every earlier invoice line of the bill)`,
          `      ${settings.invoiceCallers} callers on ${settings.invoiceCallers} bills, one each (${invoice.concurrent.issues}): ${round(invoice.concurrent.rate)} issues/s, p50 ${milliseconds(invoice.concurrent.p50)} ms, p95 ${milliseconds(invoice.concurrent.p95)} ms; ` +
            `server connections in a statement or transaction: ${invoice.waits
              .slice(0, 3)
              .map((wait) => `${round(wait.share * 100)} % ${wait.state}`)
              .join('; ')}`,
          `      an issue holds the one bill_sync_counter row locked ${milliseconds(invoice.counterLock.held)} ms of its ${milliseconds(invoice.counterLock.transaction)} ms transaction (in-process, one at a time)`,
          `      vatInvoiceReverse (${invoice.reversals.count}): p50 ${milliseconds(invoice.reversals.p50)} ms, p95 ${milliseconds(invoice.reversals.p95)} ms`,
          `      vatInvoices(first: 20) as the ERP pulls it (updatedSince, UPDATED_AT ASC, cursors; ${invoice.page.invoices} invoices, ${invoice.page.requests} pages): p50 ${milliseconds(invoice.page.p50)} ms, p95 ${milliseconds(invoice.page.p95)} ms, ${round(invoice.page.rate)} pages/s`,
          `      SQL statements per page (counted in-process): issued invoices first: 5 ${ascending.first5.join('/')}, first: 20 ${ascending.first20.join('/')}; red-letter and reversed first: 5 ${descending.first5.join('/')}, first: 20 ${descending.first20.join('/')} ` +
            `(target: the same) ${constant ? 'same' : 'DIFFERENT'}; per vatInvoiceIssue ${invoice.statements.issue.join('/')}`,
        ];
      }
      if (options.only.includes('abuse')) {
        const abuse = await abuseBench(databaseUrl, sql, bootstrapToken, {
          period: settings.settlePeriod,
          seconds: settings.abuseSeconds,
          heavyQueries: 8,
          downloads: 8,
          probeIntervalMs: 20,
        });
        const probe = (figures: ProbeFigures) =>
          `p50 ${round(figures.p50, 1)} ms, p99 ${round(figures.p99, 1)} ms, max ${round(figures.max)} ms (${figures.count} probes)`;
        const statuses = (counts: Record<number, number>) =>
          Object.entries(counts)
            .map(([status, count]) => `${count} x ${status}`)
            .join(', ');
        results.h = [
          `  (h) abuse, default rate limits: another tenant's { viewer { role } } alone: ${probe(abuse.alone)}`,
          `      while one token runs 8 heavy queries (cost ${abuse.heavyCost} each) and 8 PDF downloads of a 100-line bill at a time, ${settings.abuseSeconds} s: ${probe(abuse.underAbuse)} ` +
            `(target p50 <= ${ABUSE_TARGETS.probeP50}, p99 <= ${ABUSE_TARGETS.probeP99}); under abuse / alone p50 ${round(abuse.underAbuse.p50 / abuse.alone.p50, 1)}`,
          `      the abuser got: heavy queries ${statuses(abuse.heavy)}; PDFs ${statuses(abuse.pdf)}; server peak RSS ${abuse.peakRssMiB} MiB (target <= ${ABUSE_TARGETS.peakRssMiB})`,
        ];
      }
      if (options.only.includes('export')) {
        const exported = await periodExportBench(adminUrl, { bills: settings.exportBills, linesPerBill: 5, period: settings.settlePeriod });
        const file = (figures: ExportFigures) => `${round(figures.seconds, 1)} s (${figures.megabytes} MB, ${round(figures.rowsPerSecond)} rows/s)`;
        results.j = [
          `  (j) period export of ${settings.exportBills.toLocaleString('en')} bills: bill lines (${(settings.exportBills * 5).toLocaleString('en')} rows) as XLSX ${file(exported.xlsx)}, as CSV ${file(exported.csv)}; bills as XLSX ${file(exported.bills)}`,
          `      ceiling: the database reads the same lines with their bills at ${round(exported.databaseRead.rowsPerSecond)} rows/s; CSV ${round(exported.csv.rowsPerSecond / exported.databaseRead.rowsPerSecond, 2)} x, XLSX ${round(exported.xlsx.rowsPerSecond / exported.databaseRead.rowsPerSecond, 2)} x it`,
          `      that server's peak RSS ${exported.peakRssMiB} MiB (target <= ${EXPORT_TARGET_RSS_MIB}): ${exported.idleRssMiB} MiB after start, ${exported.afterCsvRssMiB} MiB after the CSV, the rest in the XLSX`,
        ];
      }
    }
    if (options.only.includes('webhooks')) {
      build();
      const webhooks = await webhookBench(adminUrl, { bills: settings.webhookBills, period: settings.settlePeriod, concurrency: 16 });
      results.k = [
        `  (k) webhooks, ${settings.webhookBills.toLocaleString('en')} bills finalized by one settlement run (${round(webhooks.settlementSeconds, 1)} s, ${round(settings.webhookBills / webhooks.settlementSeconds)} bills/s), one operator endpoint: ` +
          `${webhooks.live.messages} bill.finalized received at ${round(webhooks.live.rate)} messages/s; finalization to receipt p50 ${round(webhooks.live.p50)} ms, p99 ${round(webhooks.live.p99)} ms`,
        `      a backlog of ${webhooks.drain.messages} queued at once drains at ${round(webhooks.drain.rate)} messages/s, 16 in flight; ceiling: plain POSTs of the same bodies to the same receiver, 16 at a time, ` +
          `${round(webhooks.ceilingRate)}/s; ratio ${round(webhooks.drain.rate / webhooks.ceilingRate, 2)}`,
      ];
    }
    if (options.only.includes('replica')) {
      build();
      const replica = await readReplicaBench({
        bills: settings.replicaBills,
        period: settings.settlePeriod,
        seconds: settings.replicaSeconds,
        connections: 8,
        rounds: 50,
      });
      const { readYourWrites: own } = replica;
      results.l = [
        `  (l) read replica (DATABASE_READ_URL, a pg_basebackup replica of its own primary): the ERP's pull of 100 bills with their lines, 8 connections, ${settings.replicaSeconds} s:`,
        `      from the primary ${describePull(replica.primaryOnly)}; routed to the replica ${describePull(replica.routed)}; routed / primary ${round(replica.routed.rate / replica.primaryOnly.rate, 2)}`,
        `      read-your-writes, one bill's export by the operator: p50 ${round(own.alone, 1)} ms as is, p50 ${round(own.afterWrite, 1)} ms (max ${round(own.max, 1)} ms) right after its write through the other server; ` +
          `those ${own.replica + own.lagging} reads: ${own.replica} from the replica, ${own.lagging} from the primary after the wait`,
      ];
    }
    const printed = Object.keys(results)
      .sort()
      .flatMap((letter) => results[letter]);
    console.log([`\nResults (median of ${settings.runs} runs)`, ...printed].join('\n'));
  } finally {
    await server?.stop();
    await sql.end();
    await admin.query(`drop database if exists "${databaseName}" with (force)`);
    await admin.end();
    await embedded?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
