import { migrate } from '../database.js';
import { withDatabase } from './database.js';

await withDatabase(async (databaseUrl) => {
  await migrate(databaseUrl);
  console.log('migrations applied');
});
