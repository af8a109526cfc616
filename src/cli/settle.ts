import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { AccessTokenCache } from '../modules/access-token/access-token-cache.js';
import { AuthorizationFactsCache } from '../modules/usage/authorization-facts-cache.js';
import { UsageBatches } from '../modules/usage/usage-batches.js';
import { DEFAULT_WEBHOOK_SETTINGS, WebhookDispatcher } from '../modules/webhook/webhook-dispatcher.js';
import { UsageReservations } from '../modules/usage/usage-reservations.js';
import { DEFAULT_USAGE_DENIAL_RETENTION_MS, UsageDenialLog } from '../modules/usage/usage-denials.js';
import { DEFAULT_SPEND_SPIKE_RULE } from '../modules/alert/spend-spike.js';
import { SettlementRun } from '../modules/bill/bill.entity.js';
import { createSettlementRun, executeSettlementRun, SettlementRunner, type RunCounts } from '../modules/bill/settlement.service.js';
import { createLoaders } from '../modules/loaders.js';
import { Role } from '../platform/auth/roles.js';
import { systemClock } from '../platform/clock.js';
import { initOrm } from '../database.js';
import { nativePool } from '../platform/database/sql.js';
import { entityManagerFor } from '../platform/database/tenant-scope.js';
import { createLocalPubSub } from '../platform/events/pubsub.js';
import { ExportLinks, loadUrlSigningKey } from '../platform/export-links.js';
import { createLogger } from '../platform/logger.js';
import { Metrics } from '../platform/metrics.js';
import { UserInputErrors } from '../platform/user-errors.js';
import { withDatabase } from './database.js';

/**
 * `npm run settle -- --period 2026-10 [--tenant ten_...]... [--idempotency-key KEY]`: the same
 * settlement as `billingPeriodSettle`, run in this process with a progress bar. Safe to run again
 * after it was killed: tenants already billed are skipped, and no bill is made twice.
 */
const { values } = parseArgs({
  options: { period: { type: 'string' }, tenant: { type: 'string', multiple: true }, 'idempotency-key': { type: 'string' } },
});
if (!values.period) {
  console.error('usage: npm run settle -- --period YYYY-MM [--tenant ten_...]... [--idempotency-key KEY]');
  process.exit(2);
}

function progressBar(counts: RunCounts): string {
  const done = counts.billedCount + counts.skippedCount + counts.failedCount;
  const share = counts.tenantCount === 0 ? 1 : done / counts.tenantCount;
  const filled = Math.round(share * 30);
  return `[${'#'.repeat(filled)}${'-'.repeat(30 - filled)}] ${done}/${counts.tenantCount} tenants  billed ${counts.billedCount}  skipped ${counts.skippedCount}  failed ${counts.failedCount}`;
}

await withDatabase(async (databaseUrl) => {
  const orm = await initOrm(databaseUrl);
  const logger = createLogger(process.env.LOG_LEVEL ?? 'warn');
  try {
    const actor = { tokenId: 'cli:settle', role: Role.PLATFORM_ADMIN, tenantId: null };
    const em = entityManagerFor(orm.em, actor);
    const dependencies = { pool: await nativePool(em), clock: systemClock, logger };
    const metrics = new Metrics();
    const context = {
      em,
      actor,
      requestId: randomUUID(),
      clock: systemClock,
      loaders: createLoaders(em, systemClock),
      logger,
      pubSub: createLocalPubSub(),
      accessTokens: new AccessTokenCache(),
      // No event feed here: usage checks, if any, read the database.
      authorizationFacts: new AuthorizationFactsCache({ isListening: false, epoch: 0 }),
      usageBatches: new UsageBatches(dependencies.pool, systemClock, DEFAULT_SPEND_SPIKE_RULE, () => undefined),
      usageReservations: new UsageReservations(dependencies.pool, systemClock),
      // Never started: settling makes no gateway checks.
      usageDenials: new UsageDenialLog(dependencies.pool, systemClock, logger, DEFAULT_USAGE_DENIAL_RETENTION_MS),
      settlements: new SettlementRunner(dependencies),
      // Settling hands out no links; the key is the service's own all the same.
      exportLinks: new ExportLinks(await loadUrlSigningKey(dependencies.pool), () => '', 900, systemClock),
      // Never started: the run's messages are queued in the outbox and the servers deliver them.
      webhooks: new WebhookDispatcher({ ...dependencies, metrics, pubSub: createLocalPubSub(), settings: DEFAULT_WEBHOOK_SETTINGS }),
      // Counted, never served: the servers' metrics are what Prometheus reads.
      metrics,
    };
    const idempotencyKey = values['idempotency-key'] ?? `cli:${values.period}:${randomUUID()}`;
    const { run } = await createSettlementRun(context, { period: values.period!, tenantIds: values.tenant ?? null, idempotencyKey });
    console.log(`settlement run ${run.id} for ${run.period}`);
    await executeSettlementRun(dependencies, run.id, (counts) => process.stderr.write(`\r${progressBar(counts)}`));
    process.stderr.write('\n');
    const finished = await em.findOneOrFail(SettlementRun, { id: run.id }, { refresh: true });
    for (const failure of finished.failures) console.log(`failed ${failure.tenantId}: ${failure.code} ${failure.message}`);
    console.log(
      `${finished.status}: ${finished.billedCount} billed, ${finished.skippedCount} skipped, ${finished.failedCount} failed of ${finished.tenantCount}`,
    );
    console.log(`peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB`);
    if (finished.failedCount > 0) process.exitCode = 1;
  } catch (error) {
    if (!(error instanceof UserInputErrors)) throw error;
    for (const userError of error.errors) console.error(`${userError.field?.join('.') ?? ''}: ${userError.code} ${userError.message}`);
    process.exitCode = 2;
  } finally {
    await orm.close();
  }
});
