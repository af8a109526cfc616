import pg from 'pg';
import { loadConfig, type AppConfig } from '../config.js';
import type { EmbeddedDatabase, EmbeddedOptions } from './embedded-postgres.js';

/** Name of the application database inside the embedded server. */
const EMBEDDED_DATABASE = 'billing';

export interface DatabaseTarget {
  url: string;
  embedded: EmbeddedDatabase | undefined;
}

async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (!rowCount) await client.query(`create database "${name}"`);
  } finally {
    await client.end();
  }
}

/**
 * DATABASE_URL when set; otherwise the embedded PostgreSQL in DATA_DIR, started now. One server
 * owns a data folder: another is refused, naming the holder's pid; a command-line task
 * (`shareRunning`) uses the one a running server started.
 */
export async function openDatabase(config: AppConfig = loadConfig(), log?: (message: string) => void, options: EmbeddedOptions = {}): Promise<DatabaseTarget> {
  if (config.databaseUrl) return { url: config.databaseUrl, embedded: undefined };
  // Loaded only here: a server given DATABASE_URL does not carry the embedded server's package.
  const { startEmbeddedPostgres } = await import('./embedded-postgres.js');
  const embedded = await startEmbeddedPostgres(config.dataDir, log, options);
  await ensureDatabase(embedded.adminUrl, EMBEDDED_DATABASE);
  return { url: embedded.urlFor(EMBEDDED_DATABASE), embedded };
}
