import WebSocket from 'ws';
import { UsageAuthorizeDocument } from './generated/graphql.js';
import { Role } from '../src/platform/auth/roles.js';
import { DEFAULT_RATE_LIMITS, type RateLimitConfig } from '../src/platform/rate-limits.js';
import { buildWorld, type World } from './support/fixtures.js';
import { startTestApp, type TestApp } from './support/harness.js';

/** A small bucket that barely refills, so a test can empty one in a few requests. */
const LIMITS: RateLimitConfig = {
  ...DEFAULT_RATE_LIMITS,
  standard: { maximum: 400, restorePerSecond: 1 },
  failedAuthentication: { attempts: 5, perSeconds: 60, blockSeconds: 60 },
};

let test: TestApp;
let world: World;

beforeAll(async () => {
  test = await startTestApp({ rateLimits: LIMITS });
  world = await buildWorld(test);
});
afterAll(() => test.stop());

const LIST = '{ tenants(first: 1) { nodes { departments(first: 100) { nodes { id name } } } } }';

interface Answer {
  status: number;
  retryAfter: string | null;
  body: { data?: unknown; errors?: { message: string; extensions: Record<string, unknown> }[]; extensions?: { cost: CostReport } };
}

async function post(token: string, query: string): Promise<Answer> {
  const response = await fetch(test.app.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body: (await response.json()) as Answer['body'] };
}

interface CostReport {
  requestedQueryCost: number;
  actualQueryCost: number | null;
  throttleStatus: { maximumAvailable: number; currentlyAvailable: number; restoreRate: number };
}

describe('cost buckets per token', () => {
  it('reports requested and actual cost and what is left in every response, and gives back what was not used', async () => {
    const token = await test.tokenFor(Role.TENANT_VIEWER, world.a.id);
    const { body } = await post(token, LIST);
    expect(body).toMatchObject({ extensions: { cost: {} } });
    const cost = body.extensions!.cost;
    // Up to 100 departments of 2 fields each were asked for; the tenant has 3.
    expect(cost.requestedQueryCost).toBeGreaterThan(200);
    expect(cost.actualQueryCost).toBe(/* tenants, nodes, departments, nodes */ 4 + 3 * /* id, name */ 2);
    expect(cost.throttleStatus).toMatchObject({ maximumAvailable: 400, restoreRate: 1 });
    expect(cost.throttleStatus.currentlyAvailable).toBe(400 - cost.actualQueryCost!);
  });

  it('answers RATE_LIMITED, HTTP 429 with Retry-After, once a token has spent its bucket; other tokens are unaffected', async () => {
    const token = await test.tokenFor(Role.TENANT_VIEWER, world.a.id);
    // Each page asks for about 300 points and uses 12: the ninth finds fewer than it asks for.
    const answers = [];
    for (let attempt = 0; attempt < 12; attempt += 1) answers.push(await post(token, LIST));
    expect(answers.slice(0, 8).map((answer) => answer.status)).toEqual(Array(8).fill(200));
    const refused = answers.find((answer) => answer.status === 429);
    expect(refused).toBeDefined();
    expect(Number(refused!.retryAfter)).toBeGreaterThan(1);
    expect(refused!.body.errors![0].extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: Number(refused!.retryAfter) });
    expect(refused!.body.errors![0].extensions.cost).toMatchObject({ actualQueryCost: null });
    expect(refused!.body.data).toBeUndefined();

    const other = await post(await test.tokenFor(Role.TENANT_VIEWER, world.a.id), '{ viewer { role } }');
    expect(other.status).toBe(200);
  });

  it('gives the gateway a budget of its own: portal traffic never starves usageAuthorize', async () => {
    const portal = await test.tokenFor(Role.TENANT_ADMIN, world.a.id);
    let status = 200;
    for (let attempt = 0; attempt < 12 && status !== 429; attempt += 1) ({ status } = await post(portal, LIST));
    expect(status).toBe(429);
    const authorized = await test.client(world.gatewayToken).execute(UsageAuthorizeDocument, { input: { apiKeySecret: world.a.apiKeySecret, model: 'none' } });
    expect(authorized.status).toBe(200);
    expect(authorized.errors).toBeUndefined();
  });
});

describe('failed authentications', () => {
  it('throttles an address that keeps failing: any secret this server does not know waits (429, Retry-After); known tokens go on', async () => {
    const known = await test.tokenFor(Role.TENANT_VIEWER, world.a.id);
    expect((await post(known, '{ viewer { role } }')).status).toBe(200);
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 7; attempt += 1) statuses.push((await post(`bpat_wrong_${attempt}`, '{ viewer { role } }')).status);
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5)).toEqual([429, 429]);
    // A guess, even a right one, gets no answer: a valid token this server has not seen waits too.
    const unseen = await post(await test.tokenFor(Role.TENANT_VIEWER, world.a.id), '{ viewer { role } }');
    expect(unseen.status).toBe(429);
    expect(Number(unseen.retryAfter)).toBeGreaterThan(50);
    expect(unseen.body.errors![0].extensions.code).toBe('RATE_LIMITED');
    expect((await post(known, '{ viewer { role } }')).status).toBe(200);

    // Over WebSocket the same: an unknown secret is turned away with 4429 before it is looked up.
    const closed = await new Promise<number>((resolve, reject) => {
      const socket = new WebSocket(test.app.wsUrl, 'graphql-transport-ws');
      socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: 'Bearer bpat_wrong_again' } })));
      socket.on('close', (code) => resolve(code));
      socket.on('error', reject);
    });
    expect(closed).toBe(4429);
  });
});
