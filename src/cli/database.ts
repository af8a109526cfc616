import { openDatabase } from '../platform/database/bootstrap.js';

/**
 * Runs a command-line task against DATABASE_URL, or against the embedded PostgreSQL in DATA_DIR
 * (started for the task and stopped after it) when DATABASE_URL is not set.
 */
export async function withDatabase(task: (databaseUrl: string) => Promise<void>): Promise<void> {
  const database = await openDatabase();
  try {
    await task(database.url);
  } finally {
    await database.embedded?.stop();
  }
}
