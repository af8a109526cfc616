import { ReflectMetadataProvider } from '@mikro-orm/decorators/legacy';
import { Migrator } from '@mikro-orm/migrations';
import { defineConfig, MikroORM } from '@mikro-orm/postgresql';
import { SeedManager } from '@mikro-orm/seeder';
import pg from 'pg';
import { MIGRATIONS } from '../migrations/index.js';
import { ENTITIES } from './modules/entities.js';

export function ormConfig(clientUrl: string, poolSize = 10) {
  return defineConfig({
    clientUrl,
    entities: ENTITIES,
    metadataProvider: ReflectMetadataProvider,
    extensions: [Migrator, SeedManager],
    // Explicit lists: no file globbing, so compiled and TypeScript runs see the same migrations.
    migrations: { migrationsList: MIGRATIONS, tableName: 'schema_migrations', snapshot: false, silent: true },
    // SQL functions (spend_period_start) are written by hand in migrations; the diff leaves them be.
    schemaGenerator: { ignoreRoutines: true },
    pool: { min: 0, max: poolSize },
    forceUtcTimezone: true,
    // A tenant row only ever references rows of its own tenant, so re-checking the tenant filter on
    // them (joins to tenant and department on every read, which FOR UPDATE then locks too) buys nothing.
    autoJoinRefsForFilters: false,
    allowGlobalContext: false,
    debug: false,
  });
}

export function initOrm(clientUrl: string, poolSize?: number): Promise<MikroORM> {
  return MikroORM.init(ormConfig(clientUrl, poolSize));
}

/** Arbitrary constant naming the migration lock. */
const MIGRATION_LOCK = 7_240_001;

/**
 * Applies pending migrations. The MikroORM migrator takes no lock, so several processes (or test
 * workers) starting at once serialise on a PostgreSQL advisory lock held on its own connection.
 */
export async function migrate(clientUrl: string): Promise<void> {
  const lock = new pg.Client({ connectionString: clientUrl });
  lock.on('error', () => undefined);
  await lock.connect();
  try {
    await lock.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const orm = await initOrm(clientUrl, 2);
    try {
      await orm.migrator.up();
    } finally {
      await orm.close();
    }
  } finally {
    await lock.end();
  }
}
