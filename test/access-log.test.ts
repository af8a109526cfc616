import { Writable } from 'node:stream';
import { Role } from '../src/platform/auth/roles.js';
import { createLogger } from '../src/platform/logger.js';
import { startTestApp, type TestApp } from './support/harness.js';

/** The server's log as a test reads it: every line, each parsed as the JSON object it must be. */
class CapturedLog extends Writable {
  readonly text: string[] = [];

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.text.push(chunk.toString());
    done();
  }

  lines(): Record<string, unknown>[] {
    return this.text
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  /** The access-log line of the request with this id. */
  request(requestId: string): Record<string, unknown> {
    const found = this.lines().filter((line) => line.module === 'http' && line.requestId === requestId);
    expect(found).toHaveLength(1);
    return found[0];
  }
}

async function post(test: TestApp, body: unknown, headers: Record<string, string>): Promise<Response> {
  return fetch(test.app.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

describe('access log', () => {
  let test: TestApp;
  const log = new CapturedLog();

  beforeAll(async () => {
    test = await startTestApp({ logger: createLogger('info', log) });
  });
  afterAll(() => test.stop());

  it('writes one JSON line a request: its id (the one sent, echoed), the operation, the caller, status and duration', async () => {
    const admin = await test.tokenFor(Role.PLATFORM_ADMIN);
    const response = await post(
      test,
      { query: 'query WhoAmI { viewer { role } tenants(first: 1) { totalCount } }' },
      {
        authorization: `Bearer ${admin}`,
        'x-request-id': 'erp-pull-42',
      },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBe('erp-pull-42');
    await response.text();
    await new Promise((resolve) => setImmediate(resolve));
    expect(log.request('erp-pull-42')).toMatchObject({
      level: 'info',
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      module: 'http',
      req: { method: 'POST', url: '/graphql', remoteAddress: expect.any(String) },
      res: { statusCode: 200 },
      durationMs: expect.any(Number),
      operationName: 'WhoAmI',
      operationType: 'query',
      rootFields: ['viewer', 'tenants'],
      role: 'PLATFORM_ADMIN',
      tenantId: null,
      msg: 'POST /graphql 200',
    });
    expect(log.request('erp-pull-42')).not.toHaveProperty('errorCodes');
  });

  it('gives a request without a usable id a new one, and logs the codes of the errors it answered', async () => {
    const tenant = await test
      .client(await test.tokenFor(Role.PLATFORM_ADMIN))
      .raw<{ tenantCreate: { tenant: { id: string } } }>('mutation { tenantCreate(input: { name: "日志测试" }) { tenant { id } } }');
    const tenantId = tenant.data!.tenantCreate.tenant.id;
    const viewer = await test.tokenFor(Role.TENANT_VIEWER, tenantId);

    const unnamed = await post(
      test,
      { query: '{ bills(first: 1) { totalCount } billingPeriodSettle }' },
      { authorization: `Bearer ${viewer}`, 'x-request-id': 'has spaces' },
    );
    const generated = unnamed.headers.get('x-request-id')!;
    expect(generated).toMatch(/^[0-9a-f-]{36}$/);
    expect(unnamed.status).toBe(400);
    await unnamed.text();

    const forbidden = await post(
      test,
      { query: 'mutation Settle { billingPeriodSettle(input: { period: "2026-10", idempotencyKey: "k1" }) { settlementRun { id } } }' },
      { authorization: `Bearer ${viewer}` },
    );
    const forbiddenId = forbidden.headers.get('x-request-id')!;
    await forbidden.text();

    const wrongToken = 'bpat_thisisnotatokenanyoneissued0000000000';
    const unauthenticated = await post(test, { query: '{ viewer { role } }' }, { authorization: `Bearer ${wrongToken}`, 'x-request-id': 'bad-token-1' });
    expect(unauthenticated.status).toBe(401);
    await unauthenticated.text();

    const malformed = await fetch(test.app.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'malformed-1' },
      body: '{"query": ',
    });
    expect(malformed.status).toBe(400);
    await malformed.text();
    await new Promise((resolve) => setImmediate(resolve));

    expect(log.request(generated)).toMatchObject({ res: { statusCode: 400 }, role: 'TENANT_VIEWER', tenantId, errorCodes: ['GRAPHQL_VALIDATION_FAILED'] });
    expect(log.request(forbiddenId)).toMatchObject({
      operationName: 'Settle',
      operationType: 'mutation',
      rootFields: ['billingPeriodSettle'],
      role: 'TENANT_VIEWER',
      errorCodes: ['FORBIDDEN'],
    });
    expect(log.request('bad-token-1')).toMatchObject({ res: { statusCode: 401 }, errorCodes: ['UNAUTHENTICATED'] });
    expect(log.request('bad-token-1')).not.toHaveProperty('role');
    expect(log.request('malformed-1')).toMatchObject({ res: { statusCode: 400 }, errorCodes: ['BAD_REQUEST'] });
    // Never a secret: not the token that failed, not one that worked, not the Authorization header.
    const everything = log.text.join('');
    for (const secret of [wrongToken, viewer]) expect(everything).not.toContain(secret);
    expect(everything.toLowerCase()).not.toContain('authorization');
  });

  it("logs a signed export link's path without its signature, and the caller it opened as", async () => {
    const erp = await test.tokenFor(Role.ERP);
    const links = await test.client(erp).raw<{ periodExport: { bills: { csv: string } } }>('{ periodExport(period: "2026-10") { bills { csv } } }');
    expect(links.errors).toBeUndefined();
    const link = new URL(links.data!.periodExport.bills.csv);
    const download = await fetch(link, { headers: { 'x-request-id': 'signed-link-1' } });
    expect(download.status).toBe(200);
    await download.text();
    await new Promise((resolve) => setImmediate(resolve));
    const line = log.request('signed-link-1');
    expect(line).toMatchObject({ req: { method: 'GET', url: expect.stringContaining('signature=[redacted]') }, res: { statusCode: 200 }, role: 'ERP' });
    expect(log.text.join('')).not.toContain(link.searchParams.get('signature')!);
  });

  it('keeps every line one JSON object, an error with its stack inside it, at the levels LOG_LEVEL gives each module', async () => {
    const quiet = new CapturedLog();
    const logger = createLogger('warn,http=info', quiet);
    const quietTest = await startTestApp({ logger });
    try {
      await (await fetch(new URL('/healthz', quietTest.app.url), { headers: { 'x-request-id': 'probe-1' } })).text();
      await (await fetch(new URL('/nothing-here', quietTest.app.url), { headers: { 'x-request-id': 'missing-1' } })).text();
      logger.child({ module: 'graphql' }).error({ err: new Error('first line\nsecond line') }, 'something failed');
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      await quietTest.stop();
    }
    // http at info: the 404 is logged, the health probe (debug) is not; other modules at warn: nothing from their start or stop.
    expect(
      quiet
        .lines()
        .filter((line) => line.module === 'http')
        .map((line) => line.requestId),
    ).toEqual(['missing-1']);
    expect(quiet.lines().filter((line) => line.level === 'info' && line.module !== 'http')).toEqual([]);
    const failure = quiet.lines().find((line) => line.msg === 'something failed')!;
    expect(failure).toMatchObject({
      level: 'error',
      err: { type: 'Error', message: 'first line\nsecond line', stack: expect.stringContaining('access-log.test') },
    });
    expect(quiet.text.join('').split('\n').filter(Boolean)).toHaveLength(quiet.lines().length);
  });
});
