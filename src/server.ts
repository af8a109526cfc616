import { DEMO_ACCESS_TOKENS, DEMO_API_KEY_SECRET, seedDemoData } from '../seeds/index.js';
import { startApp } from './app.js';
import { AccessToken } from './modules/access-token/access-token.entity.js';
import { ApiKey } from './modules/api-key/api-key.entity.js';
import { ConfigError, loadConfig } from './platform/config.js';
import { openDatabase } from './platform/database/bootstrap.js';
import { acrossTenants } from './platform/database/tenant-scope.js';
import { migrate } from './database.js';
import { createLogger, moduleLogger } from './platform/logger.js';
import { hashSecret } from './platform/secrets.js';

function readConfig() {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}

const config = readConfig();
const logger = createLogger(config.logLevels);
const processLogger = moduleLogger(logger, 'process');
// What nothing caught (a rejection too) is one JSON line with its stack, and the end of the process: its state is unknown.
process.on('uncaughtException', (error, origin) => {
  processLogger.fatal({ err: error, origin }, 'uncaught exception: stopping');
  process.exit(1);
});
const database = await openDatabase(config, (message) => processLogger.trace({ postgres: message.trim() })).catch((error: Error) => {
  console.error(`Cannot start the database: ${error.message}`);
  process.exit(1);
});
if (database.embedded) processLogger.info({ dataDir: config.dataDir }, 'embedded PostgreSQL started');
await migrate(database.url);
if (database.embedded && (await seedDemoData(database.url, (message) => processLogger.warn(message)))) processLogger.info('demo data seeded (first start)');

const app = await startApp({
  databaseUrl: database.url,
  host: config.host,
  port: config.port,
  logger,
  bootstrapAdminToken: config.bootstrapAdminToken,
  isProduction: config.isProduction,
  spendSpike: config.spendSpike,
  rateLimits: config.rateLimits,
  trustProxy: config.trustProxy,
  corsOrigins: config.corsOrigins,
  publicUrl: config.publicUrl,
  exportLinkTtlSeconds: config.exportLinkTtlSeconds,
  metricsToken: config.metricsToken,
  webhooks: config.webhooks,
});

const liveDemoTokens = await acrossTenants(app.orm.em).find(AccessToken, {
  secretHash: { $in: DEMO_ACCESS_TOKENS.map((token) => hashSecret(token.secret)) },
  revokedAt: null,
});
const live = new Set(liveDemoTokens.map((token) => token.secretHash));
console.log(`\nGraphQL API ready at ${app.url} (WebSocket ${app.wsUrl})`);
console.log(`API explorer, in a browser: ${app.url.replace(/\/graphql$/, '/explorer')}`);
console.log(`Ops console, in a browser: ${app.url.replace(/\/graphql$/, '/console/')}`);
const demo = DEMO_ACCESS_TOKENS.filter((token) => live.has(hashSecret(token.secret)));
if (demo.length) {
  console.log('\nDemo access tokens (send as "Authorization: Bearer <token>"):');
  for (const token of demo) console.log(`  ${token.role.padEnd(15)} ${token.name.padEnd(22)} ${token.secret}`);
}
const demoKey = await acrossTenants(app.orm.em).findOne(ApiKey, { secretHash: hashSecret(DEMO_API_KEY_SECRET), revokedAt: null });
if (demoKey) console.log(`\nDemo API key (the gateway sends it as apiKeySecret to usageAuthorize and usageReserve): ${DEMO_API_KEY_SECRET}`);
console.log('');

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  processLogger.info({ signal }, 'shutting down');
  try {
    await app.stop();
    await database.embedded?.stop();
    process.exit(0);
  } catch (error) {
    processLogger.error({ err: error }, 'shutdown failed');
    process.exit(1);
  }
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
