import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const HAPROXY = process.env.HAPROXY_PATH ?? '/usr/sbin/haproxy';

export interface LoadBalancer {
  url: string;
  wsUrl: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  server.close();
  return port;
}

/**
 * A real HAProxy (Debian's package) in front of `backends` (http://host:port), round robin per
 * request, WebSocket upgrades passed through, health-checked on /readyz, and each response marked
 * with the backend that served it (`X-Served-By: s1`...): what an operator puts before the instances.
 */
export async function startLoadBalancer(backends: string[]): Promise<LoadBalancer> {
  if (!existsSync(HAPROXY)) throw new Error(`${HAPROXY} is missing: apt-get install haproxy (HAPROXY_PATH names another)`);
  const directory = await mkdtemp(path.join(os.tmpdir(), 'haproxy-'));
  const port = await freePort();
  const servers = backends.map((backend, index) => `  server s${index + 1} ${new URL(backend).host} check inter 500ms`);
  const config = [
    'global',
    '  maxconn 4096',
    'defaults',
    '  mode http',
    '  timeout connect 2s',
    '  timeout client 60s',
    '  timeout server 60s',
    '  timeout tunnel 1h',
    'frontend api',
    `  bind 127.0.0.1:${port}`,
    '  default_backend instances',
    'backend instances',
    '  balance roundrobin',
    '  option httpchk GET /readyz',
    '  http-response set-header X-Served-By %s',
    ...servers,
    '',
  ].join('\n');
  const file = path.join(directory, 'haproxy.cfg');
  await writeFile(file, config);
  const child = spawn(HAPROXY, ['-f', file, '-db'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let errors = '';
  child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  // Ready once it answers, through to a backend.
  for (const started = Date.now(); ;) {
    if (child.exitCode !== null) throw new Error(`haproxy exited with ${child.exitCode}: ${errors}`);
    const ready = await fetch(`${url}/readyz`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() - started > 10_000) throw new Error(`haproxy did not answer within 10 s: ${errors}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url: `${url}/graphql`,
    wsUrl: `ws://127.0.0.1:${port}/graphql`,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
      await rm(directory, { recursive: true, force: true });
    },
  };
}
