import net from 'node:net';
import { DEMO_ACCESS_TOKENS, DEMO_API_KEY_SECRET, seedDemoData } from '../seeds/index.js';
import { startApp, type App } from './app.js';
import { AccessToken } from './modules/access-token/access-token.entity.js';
import { ApiKey } from './modules/api-key/api-key.entity.js';
import { ConfigError, loadConfig } from './platform/config.js';
import { openDatabase, type DatabaseTarget } from './platform/database/bootstrap.js';
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
let database: DatabaseTarget | undefined;
let app: App | undefined;
let stopping = false;

/** Stops in order: requests drained and sockets closed, then the embedded database, then the process. */
async function shutdown(reason: string, exitCode = 0): Promise<void> {
  if (stopping) return;
  stopping = true;
  processLogger.info({ reason }, 'shutting down');
  try {
    await app?.stop();
    await database?.embedded?.stop();
    process.exit(exitCode);
  } catch (error) {
    processLogger.error({ err: error }, 'shutdown failed');
    process.exit(1);
  }
}
// Signals from a terminal, a process manager or `kill`, to this process or (Ctrl-C) its whole group.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void shutdown(signal));
// A process manager that signals npm (or the shell npm runs) stops them, not this process: when the
// parent goes, this one would run on orphaned, holding the port and the data folder. Stop instead.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) void shutdown(`parent process ${parent} exited`);
}, 500).unref();
// What nothing caught (a rejection too) is one JSON line with its stack, and the end of the process: its state is unknown.
process.on('uncaughtException', (error, origin) => {
  processLogger.fatal({ err: error, origin }, 'uncaught exception: stopping');
  void database?.embedded?.stop().finally(() => process.exit(1));
  setTimeout(() => process.exit(1), 5000).unref();
});

/** A start-up failure: one line on stderr, the embedded database stopped, exit 1. */
async function failStart(message: string): Promise<never> {
  console.error(message);
  await database?.embedded?.stop();
  process.exit(1);
}

/** Whether the server can listen where it is told to, before anything is started (the listen itself is checked too). */
async function listenProblem(host: string, port: number): Promise<string | undefined> {
  const probe = net.createServer();
  const code = await new Promise<string | undefined>((resolve) => {
    probe.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'EUNKNOWN'));
    probe.listen(port, host, () => probe.close(() => resolve(undefined)));
  });
  return code && listenMessage(code, host, port);
}

function listenMessage(code: string | undefined, host: string, port: number): string | undefined {
  if (code === 'EADDRINUSE') return `Port ${port} on ${host} is in use by another process: stop it, or set PORT to a free port (0 picks one).`;
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND')
    return `HOST ${host} is not an address of this machine: set HOST to one of its addresses, or 0.0.0.0 for all.`;
  if (code === 'EACCES') return `Port ${port} needs privileges this process lacks: set PORT to 1024 or above.`;
  return undefined;
}

const listening = await listenProblem(config.host, config.port);
if (listening) await failStart(listening);

database = await openDatabase(config, (message) => processLogger.trace({ postgres: message.trim() }), {
  notice: (message) => processLogger.warn(message),
}).catch((error: unknown) => failStart(`Cannot start the database: ${error instanceof Error ? error.message : String(error)}`));
if (database.embedded) {
  processLogger.info({ dataDir: config.dataDir, url: database.url }, 'embedded PostgreSQL started');
  database.embedded.onStop((how) => void shutdown(`embedded PostgreSQL ${how}`, 1));
}
await migrate(database.url);
if (database.embedded && (await seedDemoData(database.url, (message) => processLogger.warn(message)))) processLogger.info('demo data seeded (first start)');

app = await startApp({
  databaseUrl: database.url,
  readDatabase: config.readDatabase,
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
  usageDenialRetentionMs: config.usageDenialRetentionMs,
}).catch((error: unknown) =>
  failStart(
    listenMessage((error as NodeJS.ErrnoException).code, config.host, config.port) ??
      `Cannot start the server: ${error instanceof Error ? error.message : String(error)}`,
  ),
);

const liveDemoTokens = await acrossTenants(app.orm.em).find(AccessToken, {
  secretHash: { $in: DEMO_ACCESS_TOKENS.map((token) => hashSecret(token.secret)) },
  revokedAt: null,
});
const live = new Set(liveDemoTokens.map((token) => token.secretHash));
const demoKey = await acrossTenants(app.orm.em).findOne(ApiKey, { secretHash: hashSecret(DEMO_API_KEY_SECRET), revokedAt: null });
const demo = DEMO_ACCESS_TOKENS.filter((token) => live.has(hashSecret(token.secret)));
// One write, so whoever waits for "API ready" (a process manager, a test) reads the whole banner.
console.log(
  [
    `\nGraphQL API ready at ${app.url} (WebSocket ${app.wsUrl})`,
    `API explorer, in a browser: ${app.url.replace(/\/graphql$/, '/explorer')}`,
    `Ops console, in a browser: ${app.url.replace(/\/graphql$/, '/console/')}`,
    ...(database.embedded ? [`Embedded PostgreSQL (data in ${config.dataDir}): ${database.url}`] : []),
    ...(demo.length
      ? [
          '\nDemo access tokens (send as "Authorization: Bearer <token>"):',
          ...demo.map((token) => `  ${token.role.padEnd(15)} ${token.name.padEnd(22)} ${token.secret}`),
        ]
      : []),
    ...(demoKey ? [`\nDemo API key (the gateway sends it as apiKeySecret to usageAuthorize, usageReserve and usageTaskSubmit): ${DEMO_API_KEY_SECRET}`] : []),
    '',
  ].join('\n'),
);
