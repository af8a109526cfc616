import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from '../../src/platform/database/embedded-postgres.js';

/**
 * A PostgreSQL primary and a streaming replica made from it with pg_basebackup, both started by the
 * test from the machine's PostgreSQL binaries (Debian's postgresql package, under
 * /usr/lib/postgresql/<version>/bin): the topology DATABASE_READ_URL is for. Its own cluster, so
 * the base backup copies only the test's database, whichever server the rest of the suite uses.
 */
export interface ReplicatedPostgres {
  primaryUrl(database: string): string;
  replicaUrl(database: string): string;
  /** Stops applying the primary's WAL on the replica (it keeps receiving it): the replica lags until resumed. */
  pauseReplay(): Promise<void>;
  resumeReplay(): Promise<void>;
  /** Waits until the replica has applied everything the primary has written so far. */
  caughtUp(): Promise<void>;
  stopReplica(): void;
  startReplica(): void;
  stop(): void;
}

/** The newest PostgreSQL on the machine with the tools a base backup needs. */
function binaries(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((version) => existsSync(path.join(root, version, 'bin', 'pg_basebackup'))) : [];
  if (versions.length === 0) throw new Error(`No PostgreSQL with pg_basebackup under ${root}: install Debian's postgresql package.`);
  return path.join(root, versions.sort((left, right) => Number(right) - Number(left))[0], 'bin');
}

export async function startReplicatedPostgres(): Promise<ReplicatedPostgres> {
  const bin = binaries();
  const folder = mkdtempSync(path.join(os.tmpdir(), 'billing-replica-'));
  // PostgreSQL refuses to run as root: as root, the clusters belong to the postgres user.
  const asRoot = process.getuid?.() === 0;
  const user = asRoot ? { uid: Number(execFileSync('id', ['-u', 'postgres'])), gid: Number(execFileSync('id', ['-g', 'postgres'])) } : {};
  if (asRoot) chownSync(folder, user.uid!, user.gid!);
  const run = (tool: string, ...args: string[]) => {
    const result = spawnSync(path.join(bin, tool), args, { ...user, cwd: folder, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`${tool} ${args.join(' ')} failed (${result.status}): ${result.stderr}${result.stdout}`);
  };
  const primaryDir = path.join(folder, 'primary');
  const replicaDir = path.join(folder, 'replica');
  const [primaryPort, replicaPort] = [await freePort(), await freePort()];
  const options = (port: number) => `-c port=${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${folder} -c fsync=off -c max_connections=100`;
  const start = (dir: string, port: number) => run('pg_ctl', '-D', dir, '-l', `${dir}.log`, '-w', '-o', options(port), 'start');
  const stop = (dir: string) => run('pg_ctl', '-D', dir, '-m', 'fast', '-w', 'stop');

  // initdb's pg_hba.conf lets local replication connections in with the method given (trust).
  run('initdb', '-D', primaryDir, '-U', 'postgres', '-A', 'trust', '--no-sync');
  start(primaryDir, primaryPort);
  try {
    // -R writes standby.signal and primary_conninfo: the copy starts as a streaming replica.
    run('pg_basebackup', '-h', '127.0.0.1', '-p', String(primaryPort), '-U', 'postgres', '-D', replicaDir, '-R', '-X', 'stream', '--no-sync');
    start(replicaDir, replicaPort);
  } catch (error) {
    stop(primaryDir);
    throw error;
  }

  const url = (port: number, database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`;
  const query = async <Row>(port: number, sql: string): Promise<Row[]> => {
    const client = new pg.Client({ connectionString: url(port, 'postgres') });
    await client.connect();
    try {
      return (await client.query(sql)).rows as Row[];
    } finally {
      await client.end();
    }
  };
  return {
    primaryUrl: (database) => url(primaryPort, database),
    replicaUrl: (database) => url(replicaPort, database),
    pauseReplay: async () => void (await query(replicaPort, 'select pg_wal_replay_pause()')),
    resumeReplay: async () => void (await query(replicaPort, 'select pg_wal_replay_resume()')),
    async caughtUp() {
      const [{ lsn }] = await query<{ lsn: string }>(primaryPort, 'select pg_current_wal_lsn()::text as lsn');
      for (;;) {
        const [{ isCaughtUp }] = await query<{ isCaughtUp: boolean }>(replicaPort, `select pg_last_wal_replay_lsn() >= '${lsn}'::pg_lsn as "isCaughtUp"`);
        if (isCaughtUp) return;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    stopReplica: () => stop(replicaDir),
    startReplica: () => start(replicaDir, replicaPort),
    stop() {
      for (const dir of [replicaDir, primaryDir]) {
        try {
          stop(dir);
        } catch {
          // already stopped
        }
      }
      rmSync(folder, { recursive: true, force: true });
    },
  };
}
