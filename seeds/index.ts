import { startApp } from '../src/app.js';
import { initOrm } from '../src/database.js';
import { Tenant } from '../src/modules/tenant/tenant.entity.js';
import { acrossTenants } from '../src/platform/database/tenant-scope.js';
import { createLogger } from '../src/platform/logger.js';
import { runDemoActivity } from './demo-activity.js';
import { DemoDataSeeder } from './demo-data.js';

export { DEMO_ACCESS_TOKENS, DEMO_API_KEY_SECRET } from './demo-data.js';

/**
 * Seeds the demo into an empty database: its directory and price book, then a month of activity
 * made through the API (on a server of its own, for the moment it takes). Returns false (and
 * changes nothing) when tenants exist. Activity that fails is reported, not fatal: the directory
 * is there either way.
 */
export async function seedDemoData(databaseUrl: string, warn: (message: string) => void = console.warn): Promise<boolean> {
  const orm = await initOrm(databaseUrl, 2);
  try {
    if ((await acrossTenants(orm.em).count(Tenant, {})) > 0) return false;
    await orm.seeder.seed(DemoDataSeeder);
  } finally {
    await orm.close();
  }
  const app = await startApp({ databaseUrl, host: '127.0.0.1', port: 0, logger: createLogger('silent') });
  try {
    await runDemoActivity(app.url, new Date());
  } catch (error) {
    warn(`demo activity (usage, bills, payments, invoices, alerts) was not made: ${(error as Error).message}`);
  } finally {
    await app.stop();
  }
  return true;
}
