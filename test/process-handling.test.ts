import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { until } from './support/until.js';

/**
 * `npm start` on the embedded PostgreSQL as a process manager runs it: stopped by a signal to
 * whichever of its processes gets one, refused with one line when its port or data folder is
 * taken, and beside a `npm run settle`. Real processes, a real embedded PostgreSQL.
 */

let dataDir: string;
const spawned: ChildProcess[] = [];

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** A command of package.json's in the repository, on the embedded database in `dataDir`. */
function npm(args: string[], environment: Record<string, string> = {}): Started {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'info', ...environment };
  delete env.DATABASE_URL;
  const child = spawn('npm', args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  spawned.push(child);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return { child, output: () => output, exited };
}

async function ready(started: Started): Promise<{ url: string; databaseUrl: string }> {
  await until(() => /API ready at/.test(started.output()) || started.child.exitCode !== null, 'the server ready', 120_000);
  const url = /API ready at (http:\/\/\S+)/.exec(started.output())?.[1];
  const databaseUrl = /Embedded PostgreSQL \(data in [^)]+\): (postgres:\/\/\S+)/.exec(started.output())?.[1];
  if (!url || !databaseUrl) throw new Error(`not ready: ${started.output()}`);
  return { url, databaseUrl };
}

const isRunning = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** The processes below `pid` (children, theirs ...), from /proc. */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const parent = Number(readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1].split(' ')[1]);
      children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
    } catch {
      // gone meanwhile
    }
  }
  const found: number[] = [];
  const visit = (of: number) => {
    for (const child of children.get(of) ?? []) {
      found.push(child);
      visit(child);
    }
  };
  visit(pid);
  return found;
}

/** The embedded PostgreSQL's postmaster pid, from its lock file. */
const postmasterPid = () => Number(readFileSync(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'process-handling-'));
  await chmod(dataDir, 0o755); // running as root, PostgreSQL runs as the "postgres" user
});
afterAll(async () => {
  // A failed test may leave a server up: npm goes, and the server with its PostgreSQL follows it.
  for (const child of spawned) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  await until(() => !existsSync(path.join(dataDir, 'postgres', 'postmaster.pid')), 'the embedded PostgreSQL stopped', 30_000);
  await rm(dataDir, { recursive: true, force: true });
});

/** The server's own node process below npm (and the shell npm runs it in). */
const serverOf = (started: Started) =>
  descendants(started.child.pid!).find((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0].endsWith('node'))!;

describe('npm start under a process manager', () => {
  it('prints its database, refuses a second server on its data folder or port in one line, lets settle share it, and stops whole when npm is signalled', async () => {
    const first = npm(['start']);
    const { url, databaseUrl } = await ready(first);
    const database = new pg.Client({ connectionString: databaseUrl });
    await database.connect();
    expect((await database.query('select count(*)::int as count from tenant')).rows[0].count).toBeGreaterThan(0);
    await database.end();
    const serverPid = serverOf(first);
    const postgresPid = postmasterPid();

    // Another server on the same folder: one line naming the holder and its server.
    const second = npm(['start']);
    expect(await second.exited).toBe(1);
    const refusal = second.output().trim().split('\n').at(-1)!;
    expect(refusal).toBe(
      `Cannot start the database: The data folder ${dataDir} is in use by another instance's embedded PostgreSQL (pid ${postgresPid}), started by the server with pid ${serverPid}: stop that one (or give this one another DATA_DIR, or DATABASE_URL).`,
    );

    // A server on a port in use: one line, nothing started.
    const port = new URL(url).port;
    const taken = npm(['start'], { PORT: port, DATA_DIR: path.join(dataDir, 'elsewhere') });
    expect(await taken.exited).toBe(1);
    expect(taken.output().trim().split('\n').at(-1)).toBe(
      `Port ${port} on 127.0.0.1 is in use by another process: stop it, or set PORT to a free port (0 picks one).`,
    );
    expect(taken.output()).not.toMatch(/\n\s+at /); // no stack trace
    expect(existsSync(path.join(dataDir, 'elsewhere'))).toBe(false);

    // settle beside it, on the database it holds.
    const settle = npm(['run', '--silent', 'settle', '--', '--period', '2026-11', '--idempotency-key', 'beside-npm-start']);
    expect(await settle.exited).not.toBe(null);
    expect(settle.output()).toMatch(/^(COMPLETED|FAILED): \d+ billed, \d+ skipped, \d+ failed of \d+$/m);
    expect(isRunning(postgresPid)).toBe(true);

    // A process manager stops npm: the server and its PostgreSQL stop too.
    first.child.kill('SIGTERM');
    await until(() => !isRunning(serverPid) && !isRunning(postgresPid), 'the server and PostgreSQL stopped', 30_000);
    expect(first.output()).toMatch(/"reason":"parent process \d+ exited","msg":"shutting down"/);
    expect(existsSync(path.join(dataDir, 'postgres', 'postmaster.pid'))).toBe(false);
  }, 240_000);

  it('starts over a stale lock, and stops whole when its PostgreSQL is signalled', async () => {
    // A lock left by a PostgreSQL that is gone (a power cut): the pid of a process that has exited.
    const gone = spawn(process.execPath, ['-e', '']);
    await once(gone, 'exit');
    await writeFile(path.join(dataDir, 'postgres', 'postmaster.pid'), `${gone.pid}\n${path.join(dataDir, 'postgres')}\n1764000000\n5432\n\n127.0.0.1\n`);
    const started = npm(['start']);
    await ready(started);
    expect(started.output()).toContain(`removed a stale lock of the embedded PostgreSQL`);
    const serverPid = serverOf(started);
    process.kill(postmasterPid(), 'SIGTERM');
    await until(() => !isRunning(serverPid) && started.child.exitCode !== null, 'the server and npm stopped', 30_000);
    expect(started.output()).toContain('"reason":"embedded PostgreSQL stopping: signalled by another process","msg":"shutting down"');
    expect(await started.exited).toBe(1);
  }, 180_000);
});
