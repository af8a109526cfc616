import { seedDemoData } from '../../seeds/index.js';
import { migrate } from '../database.js';
import { withDatabase } from './database.js';

await withDatabase(async (databaseUrl) => {
  await migrate(databaseUrl);
  console.log((await seedDemoData(databaseUrl)) ? 'demo data seeded' : 'tenants exist already: nothing seeded');
});
