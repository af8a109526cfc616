import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

export interface ServerProcess {
  pid: number;
  url: string;
  wsUrl: string;
  stop(): Promise<number | null>;
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
  // `npm start`'s command, or `npm run start:compiled`'s (after `npm run build`).
  const entry = compiled ? ['dist/src/main.js'] : ['--import', '@swc-node/register/esm-register', 'src/main.ts'];
  const child: ChildProcess = spawn(process.execPath, [...nodeArguments, ...entry], {
    env: { ...process.env, DATABASE_URL: databaseUrl, PORT: '0', LOG_LEVEL: 'warn', ...environment },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /API ready at (http:\/\/\S+)/.exec(output);
      if (match) resolve(match[1]);
    });
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
