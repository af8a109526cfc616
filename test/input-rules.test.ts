import { auditServer } from 'graphql-http';
import { TenantCreateDocument, UsageAuthorizeDocument, UsageRecordDocument } from './generated/graphql.js';
import type { World } from './support/fixtures.js';
import type { TestApp } from './support/harness.js';
import { disposeSubscriptions, subscribe } from './support/subscriptions.js';
import { tableFingerprint } from './support/table-fingerprint.js';
import { startUsageTest, usageItem } from './support/usage-fixtures.js';

let test: TestApp;
let world: World;

beforeAll(async () => {
  ({ test, world } = await startUsageTest());
});
afterAll(async () => {
  await disposeSubscriptions();
  await test.stop();
});

const NUL = 'a\u0000b';
const LONE_SURROGATE = 'a\ud800b';

async function post(body: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string; headers: Headers }> {
  const response = await fetch(test.app.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${world.adminToken}`, ...headers },
    body,
  });
  return { status: response.status, text: await response.text(), headers: response.headers };
}

describe('the input rule at the boundary', () => {
  const tenantCreate = 'mutation($input: TenantCreateInput!) { tenantCreate(input: $input) { tenant { id } userErrors { code field } } }';

  it.each([
    ['NUL', { name: NUL }, ['input', 'name'], 'INVALID_CHARACTER'],
    ['an unpaired surrogate', { name: LONE_SURROGATE }, ['input', 'name'], 'INVALID_CHARACTER'],
    ['blank required text', { name: '   ' }, ['input', 'name'], 'BLANK'],
    ['NUL in a nested input field', { name: 'Nested', buyerTaxProfile: { legalName: NUL } }, ['input', 'buyerTaxProfile', 'legalName'], 'INVALID_CHARACTER'],
    ['whitespace-only optional text', { name: 'Nested', buyerTaxProfile: { address: '  ' } }, ['input', 'buyerTaxProfile', 'address'], 'BLANK'],
  ])('refuses %s in a mutation with a userError naming the rule and the field, writing nothing', async (_case, input, field, code) => {
    const before = await tableFingerprint(test.sql);
    const result = await test.client(world.adminToken).raw(tenantCreate, { input });
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ tenantCreate: { tenant: null, userErrors: [{ code, field }] } });
    expect(await tableFingerprint(test.sql)).toEqual(before);
  });

  it('reports every violation of a mutation at once', async () => {
    const result = await test.client(world.adminToken).raw(tenantCreate, { input: { name: NUL, timezone: ' ', buyerTaxProfile: { phone: LONE_SURROGATE } } });
    expect(result.data).toEqual({
      tenantCreate: {
        tenant: null,
        userErrors: [
          { code: 'INVALID_CHARACTER', field: ['input', 'name'] },
          { code: 'BLANK', field: ['input', 'timezone'] },
          { code: 'INVALID_CHARACTER', field: ['input', 'buyerTaxProfile', 'phone'] },
        ],
      },
    });
  });

  it('checks list items, written into the document as well as in variables', async () => {
    const literal = await test
      .client(world.adminToken)
      .raw(
        `mutation { apiKeyCreate(input: { departmentId: "${world.a.rootDepartmentId}", name: "k", environment: TEST, allowedModels: ["gpt-4o", "x\\u0000"] }) { userErrors { code field } } }`,
      );
    expect(literal.data).toEqual({ apiKeyCreate: { userErrors: [{ code: 'INVALID_CHARACTER', field: ['input', 'allowedModels', '1'] }] } });
  });

  it('checks arguments of nested fields and of queries', async () => {
    const result = await test
      .client(world.adminToken)
      .raw('query($text: String) { tenants(first: 1) { nodes { departments(first: 1, filter: { nameContains: $text }) { totalCount } } } }', {
        text: LONE_SURROGATE,
      });
    expect(result.status).toBe(400);
    expect(result.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: ['filter', 'nameContains'], reason: 'INVALID_CHARACTER' });
  });

  it('refuses "" as an id, even where the id may be left out: null is "none"', async () => {
    const result = await test
      .client(world.adminToken)
      .raw('mutation($input: DepartmentMoveInput!) { departmentMove(input: $input) { userErrors { code field } } }', {
        input: { departmentId: world.a.childDepartmentId, newParentId: '' },
      });
    expect(result.data).toEqual({ departmentMove: { userErrors: [{ code: 'INVALID_ID', field: ['input', 'newParentId'] }] } });
    const { rows } = await test.sql.query('select parent_id from department where id = $1', [world.a.childDepartmentId]);
    expect(rows[0].parent_id).toBe(world.a.rootDepartmentId);
  });

  it('refuses instants and periods outside 1970 to 2199', async () => {
    const spend = await test
      .client(world.adminToken)
      .raw('query($at: DateTime!) { spend(scope: { tenantId: "' + world.a.id + '" }, at: $at) { __typename } }', {
        at: '0000-01-01T00:00:00Z',
      });
    expect(spend.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: ['at'], reason: 'OUT_OF_RANGE' });
    const settle = await test
      .client(world.adminToken)
      .raw('mutation($input: BillingPeriodSettleInput!) { billingPeriodSettle(input: $input) { userErrors { code field } } }', {
        input: { period: '9999-12', idempotencyKey: 'far-future' },
      });
    expect(settle.errors).toBeUndefined();
    expect(settle.data).toEqual({ billingPeriodSettle: { userErrors: [{ code: 'OUT_OF_RANGE', field: ['input', 'period'] }] } });
  });

  it('answers variables that do not coerce with 400 and the path inside the variable', async () => {
    const cases: [string, Record<string, unknown>, string[]][] = [
      ['query($s: [TenantStatus!]) { tenants(first: 1, filter: { status: $s }) { totalCount } }', { s: ['BOGUS'] }, ['s', '0']],
      ['query($n: Int) { tenants(first: $n) { totalCount } }', { n: 1.5 }, ['n']],
      [
        'mutation($input: BalanceTopUpInput!) { balanceTopUp(input: $input) { userErrors { code } } }',
        { input: { tenantId: world.a.id, amount: 'NaN', reference: 'r', idempotencyKey: 'k' } },
        ['input', 'amount'],
      ],
      ['query($at: DateTime!) { spend(scope: { tenantId: "x" }, at: $at) { __typename } }', { at: 'yesterday' }, ['at']],
    ];
    for (const [query, variables, field] of cases) {
      const result = await test.client(world.adminToken).raw(query, variables);
      expect({ query, status: result.status, extensions: result.errors?.[0].extensions }).toEqual({
        query,
        status: 400,
        extensions: { code: 'BAD_USER_INPUT', field, reason: 'INVALID' },
      });
    }
  });

  it('rejects a usage record with bad text by its index and keeps the good records of the batch', async () => {
    const good = [usageItem(world.a.apiKeyId), usageItem(world.a.apiKeyId)];
    const records = [
      good[0],
      usageItem(world.a.apiKeyId, { endUserTag: NUL }),
      good[1],
      usageItem(world.a.apiKeyId, { taskId: LONE_SURROGATE }),
      usageItem(world.a.apiKeyId, { model: ' ' }),
    ];
    const result = await test.client(world.gatewayToken).data(UsageRecordDocument, { input: { records } });
    expect(result.usageRecord).toMatchObject({ acceptedCount: 2, rejectedCount: 3 });
    expect(result.usageRecord.rejections.map(({ index, code, field }) => ({ index, code, field }))).toEqual([
      { index: 1, code: 'INVALID_TEXT', field: ['input', 'records', '1', 'endUserTag'] },
      { index: 3, code: 'INVALID_TEXT', field: ['input', 'records', '3', 'taskId'] },
      { index: 4, code: 'INVALID_TEXT', field: ['input', 'records', '4', 'model'] },
    ]);
    const { rows } = await test.sql.query('select request_id from usage_record where request_id = any($1) order by request_id', [
      good.map((record) => record.requestId),
    ]);
    expect(rows).toHaveLength(2);
  });

  it('holds subscriptions to the same rule, and names parse and validation failures over WebSocket', async () => {
    const bad = await subscribe<unknown>(
      test.app.wsUrl,
      world.adminToken,
      'subscription($scope: SpendScopeInput!) { spendUpdated(scope: $scope) { recordedAt } }',
      {
        scope: { tenantId: world.a.id, departmentId: '' },
      },
    );
    expect((await bad.next()).errors).toEqual([
      expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT', field: ['scope', 'departmentId'], reason: 'INVALID_ID' } }),
    ]);
    const invalid = await subscribe<unknown>(test.app.wsUrl, world.adminToken, 'subscription { spendUpdated { nothing } }');
    expect((await invalid.next()).errors?.[0].extensions).toEqual({ code: 'GRAPHQL_VALIDATION_FAILED' });
    const unparsable = await subscribe<unknown>(test.app.wsUrl, world.adminToken, 'subscription {');
    expect((await unparsable.next()).errors?.[0].extensions).toEqual({ code: 'GRAPHQL_PARSE_FAILED' });
  });

  it('answers usageAuthorize with bad input as bad input', async () => {
    const result = await test.client(world.gatewayToken).execute(UsageAuthorizeDocument, { input: { apiKeySecret: `sk-live-${NUL}`, model: 'gpt-4o' } });
    expect(result.status).toBe(400);
    expect(result.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: ['input', 'apiKeySecret'], reason: 'INVALID_CHARACTER' });
  });
});

describe('HTTP status discipline', () => {
  it('marks every answer, a refusal included, as not to be stored by any cache', async () => {
    expect((await post(JSON.stringify({ query: '{ __typename }' }))).headers.get('cache-control')).toBe('no-store');
    expect((await post('{"query": ')).headers.get('cache-control')).toBe('no-store');
  });

  it('answers malformed JSON with a JSON 400 and no stack or server path', async () => {
    const response = await post('{"query": ');
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/application\/json/);
    expect(JSON.parse(response.text)).toEqual({ errors: [{ message: 'The request body is not valid JSON.', extensions: { code: 'BAD_REQUEST' } }] });
  });

  it('answers a path it does not serve with a JSON 404', async () => {
    const response = await fetch(new URL('/graphiql/../etc/passwd', test.app.url));
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ errors: [{ extensions: { code: 'NOT_FOUND' } }] });
  });

  it('answers a body over 5 MB with a JSON 413', async () => {
    const response = await post(JSON.stringify({ query: `{ viewer { role } } #${'x'.repeat(5 * 1024 * 1024)}` }));
    expect(response.status).toBe(413);
    expect(JSON.parse(response.text).errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
    expect(response.text).not.toMatch(/node_modules|at \w+ \(/);
  });

  it('answers a document over the token limit as a parse failure, 400', async () => {
    const response = await post(JSON.stringify({ query: `{ ${Array.from({ length: 5100 }, () => '__typename').join(' ')} }` }));
    expect(response.status).toBe(400);
    expect(JSON.parse(response.text).errors[0].extensions.code).toBe('GRAPHQL_PARSE_FAILED');
  });

  it('answers persisted-query mistakes with their own codes', async () => {
    const unknown = await post(JSON.stringify({ extensions: { persistedQuery: { version: 1, sha256Hash: 'f'.repeat(64) } } }));
    expect(JSON.parse(unknown.text).errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    const mismatch = await post(JSON.stringify({ query: '{ viewer { role } }', extensions: { persistedQuery: { version: 1, sha256Hash: 'f'.repeat(64) } } }));
    expect(mismatch.status).toBe(400);
    expect(JSON.parse(mismatch.text).errors[0]).toEqual({ message: 'provided sha does not match query', extensions: { code: 'BAD_REQUEST' } });
  });

  it('answers a refused request 200 to legacy clients that accept only application/json, as the spec says', async () => {
    const legacy = await post(JSON.stringify({ query: '{ viewer { role' }), { accept: 'application/json' });
    expect(legacy.status).toBe(200);
    const modern = await post(JSON.stringify({ query: '{ viewer { role' }), { accept: 'application/graphql-response+json' });
    expect(modern.status).toBe(400);
  });

  it("passes graphql-http's audit of the GraphQL over HTTP spec: every MUST and every SHOULD", async () => {
    const fetchFn = (input: string | URL | Request, init: RequestInit = {}) => {
      const headers = new Headers(init.headers);
      headers.set('authorization', `Bearer ${world.adminToken}`);
      return fetch(input, { ...init, headers });
    };
    const results = await auditServer({ url: test.app.url, fetchFn });
    const failures = results.filter((result) => !result.name.startsWith('MAY') && result.status !== 'ok').map((result) => `${result.name}: ${result.status}`);
    expect(failures).toEqual([]);
    expect(results.filter((result) => result.name.startsWith('MUST'))).toHaveLength(13);
  });

  it('keeps a well-formed request working', async () => {
    const created = await test.client(world.adminToken).data(TenantCreateDocument, { input: { name: 'Well formed 有限公司' } });
    expect(created.tenantCreate.userErrors).toEqual([]);
  });
});
