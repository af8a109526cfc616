import { execFileSync } from 'node:child_process';
import { chmod, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { EmbeddedDatabase } from '../../src/platform/database/embedded-postgres.js';

declare global {
  var embeddedTestDatabase: { database: EmbeddedDatabase; dataDir: string } | undefined;
}

// Jest loads global setup outside its module mapper, so `.js` specifiers of our TypeScript
// sources do not resolve here: name the source file itself.
const EMBEDDED_MODULE = '../../src/platform/database/embedded-postgres.ts';

function databaseUrl(serverUrl: string, database: string): string {
  const parsed = new URL(serverUrl);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/**
 * Starts the test PostgreSQL (embedded, unless DATABASE_URL names a server) and migrates a
 * template database once, with the same `npm run migrate` code a deployment runs; every test
 * file clones the template (CREATE DATABASE ... TEMPLATE), which takes milliseconds.
 */
export default async function globalSetup(): Promise<void> {
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    const { startEmbeddedPostgres } = (await import(EMBEDDED_MODULE)) as typeof import('../../src/platform/database/embedded-postgres.js');
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'billing-test-'));
    await chmod(dataDir, 0o755); // PostgreSQL runs as its own user and must enter it
    const database = await startEmbeddedPostgres(dataDir);
    globalThis.embeddedTestDatabase = { database, dataDir };
    adminUrl = database.adminUrl;
  }
  const template = `billing_template_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  admin.on('error', () => undefined);
  await admin.connect();
  await admin.query(`drop database if exists "${template}"`);
  await admin.query(`create database "${template}"`);
  await admin.end();
  execFileSync(process.execPath, ['--import', '@swc-node/register/esm-register', 'src/cli/migrate.ts'], {
    env: { ...process.env, DATABASE_URL: databaseUrl(adminUrl, template) },
    stdio: 'pipe',
  });
  process.env.TEST_ADMIN_DATABASE_URL = adminUrl;
  process.env.TEST_TEMPLATE_DATABASE = template;
}
