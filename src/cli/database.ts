import { openDatabase } from '../platform/database/bootstrap.js';

/**
 * Runs a command-line task against DATABASE_URL, or against the embedded PostgreSQL in DATA_DIR
 * when DATABASE_URL is not set: the one a running `npm start` holds, or one started for the task
 * and stopped after it.
 */
export async function withDatabase(task: (databaseUrl: string) => Promise<void>): Promise<void> {
  const database = await openDatabase(undefined, undefined, { shareRunning: true }).catch((error: Error) => {
    console.error(error.message);
    process.exit(1);
  });
  try {
    await task(database.url);
  } finally {
    await database.embedded?.stop();
  }
}
