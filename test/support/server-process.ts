import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';

export interface ServerProcess {
  pid: number;
  url: string;
  wsUrl: string;
  stop(): Promise<number | null>;
}

/**
 * The arguments `npm start` (or `npm run start:compiled`, after `npm run build`) gives node, as
 * package.json spells them: tests and benches run the server with the flags it runs with.
 */
function npmStartArguments(script: 'start' | 'start:compiled'): string[] {
  const { scripts } = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };
  const [command, ...nodeArguments] = scripts[script]!.split(' ');
  if (command !== 'node') throw new Error(`package.json's ${script} script does not start with node: ${scripts[script]}`);
  return nodeArguments;
}

/**
 * The product's own entrypoint (`npm start`'s command) in a separate OS process, on a database
 * the test owns: what a second instance behind a load balancer is.
 */
export async function startServerProcess(
  databaseUrl: string,
  options: { environment?: Record<string, string>; nodeArguments?: string[]; compiled?: boolean } = {},
): Promise<ServerProcess> {
  const { environment = {}, nodeArguments = [], compiled = false } = options;
  const npmStart = npmStartArguments(compiled ? 'start:compiled' : 'start');
  // The caller's node arguments after npm start's flags, so that theirs win, and before the script.
  const child: ChildProcess = spawn(process.execPath, [...npmStart.slice(0, -1), ...nodeArguments, ...npmStart.slice(-1)], {
    env: { ...process.env, DATABASE_URL: databaseUrl, PORT: '0', LOG_LEVEL: 'warn', ...environment },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /API ready at (http:\/\/\S+)/.exec(output);
      if (!match) return;
      // Ready: what it logs from here on is read and dropped (a pipe left full would stop the server).
      child.stdout!.off('data', read).resume();
      resolve(match[1]);
    };
    child.stdout!.on('data', read);
    child.once('exit', (code) => reject(new Error(`server process exited with ${code} before it was ready: ${output}`)));
  });
  return {
    pid: child.pid!,
    url,
    wsUrl: url.replace(/^http/, 'ws'),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode; // exited, or killed by a signal
      child.kill('SIGTERM');
      const [code] = (await once(child, 'exit')) as [number | null];
      return code;
    },
  };
}
