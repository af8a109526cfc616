import { initOrm, migrate } from '../database.js';
import { withDatabase } from './database.js';

/** Writes a migration with the difference between the entities and the migrated schema. */
await withDatabase(async (databaseUrl) => {
  await migrate(databaseUrl);
  const orm = await initOrm(databaseUrl, 2);
  try {
    const result = await orm.migrator.create('migrations', false, false, process.argv[2]);
    console.log(result.fileName ? `wrote migrations/${result.fileName}; add it to migrations/index.ts` : 'schema is up to date');
  } finally {
    await orm.close();
  }
});
