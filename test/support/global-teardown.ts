import { rm } from 'node:fs/promises';
import pg from 'pg';

export default async function globalTeardown(): Promise<void> {
  const admin = new pg.Client({ connectionString: process.env.TEST_ADMIN_DATABASE_URL });
  admin.on('error', () => undefined);
  await admin.connect();
  await admin.query(`drop database if exists "${process.env.TEST_TEMPLATE_DATABASE}" with (force)`);
  await admin.end();
  const embedded = globalThis.embeddedTestDatabase;
  if (embedded) {
    await embedded.database.stop();
    await rm(embedded.dataDir, { recursive: true, force: true });
  }
}
