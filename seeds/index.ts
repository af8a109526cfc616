import { initOrm } from '../src/database.js';
import { Tenant } from '../src/modules/tenant/tenant.entity.js';
import { acrossTenants } from '../src/platform/database/tenant-scope.js';
import { DemoDataSeeder } from './demo-data.js';

export { DEMO_ACCESS_TOKENS, DEMO_API_KEY_SECRET } from './demo-data.js';

/** Seeds the demo data into an empty database. Returns false (and changes nothing) when tenants exist. */
export async function seedDemoData(databaseUrl: string): Promise<boolean> {
  const orm = await initOrm(databaseUrl, 2);
  try {
    if ((await acrossTenants(orm.em).count(Tenant, {})) > 0) return false;
    await orm.seeder.seed(DemoDataSeeder);
    return true;
  } finally {
    await orm.close();
  }
}
