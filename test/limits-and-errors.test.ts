import { ApiKeyDocument, TenantDocument } from './generated/graphql.js';
import { Role } from '../src/platform/auth/roles.js';
import { startTestApp, type TestApp } from './support/harness.js';

let test: TestApp;
let adminToken: string;

beforeAll(async () => {
  test = await startTestApp();
  adminToken = await test.tokenFor(Role.PLATFORM_ADMIN);
});
afterAll(() => test.stop());

describe('query limits', () => {
  it('refuses a query deeper than the limit before it runs', async () => {
    const nested = 'departments(first: 1) { nodes { parent { parent { parent { parent { parent { parent { parent { parent { id } } } } } } } } } }';
    const result = await test.client(adminToken).raw(`{ tenants(first: 1) { nodes { ${nested} } } }`);
    expect(result.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(result.errors?.[0].message).toMatch(/depth/i);
    expect(result.data ?? null).toBeNull();
  });

  it('refuses too many aliases', async () => {
    const aliases = Array.from({ length: 25 }, (_, index) => `v${index}: viewer { role }`).join(' ');
    const result = await test.client(adminToken).raw(`{ ${aliases} }`);
    expect(result.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(result.errors?.[0].message).toMatch(/alias/i);
  });

  it('refuses a query whose cost (items per page times nested lists) exceeds the limit', async () => {
    const query = '{ tenants(first: 100) { nodes { departments(first: 100) { nodes { id name } } } } }';
    const result = await test.client(adminToken).raw(query);
    expect(result.status).toBe(400);
    expect(result.errors?.[0].extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', maxCost: 5000 });
    expect(result.errors?.[0].extensions?.cost).toBeGreaterThan(5000);
    const affordable = await test.client(adminToken).raw('{ tenants(first: 10) { nodes { departments(first: 10) { nodes { id } } } } }');
    expect(affordable.errors).toBeUndefined();
  });

  it('prices a list by the page size it asks for through variables too', async () => {
    const query = 'query($n: Int!) { tenants(first: $n) { nodes { departments(first: $n) { nodes { id name } } } } }';
    expect((await test.client(adminToken).raw(query, { n: 100 })).errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect((await test.client(adminToken).raw(query, { n: 5 })).errors).toBeUndefined();
  });

  it('does not suggest field names to probe the schema', async () => {
    const result = await test.client(adminToken).raw('{ tenantz { id } }');
    expect(result.errors?.[0].message).not.toMatch(/did you mean/i);
  });
});

describe('errors', () => {
  it('answers a malformed id argument with BAD_USER_INPUT naming the argument', async () => {
    for (const id of ['', 'ten_', '12345', 'dep_01ARZ3NDEKTSV4RRFFQ69G5FAV']) {
      const result = await test.client(adminToken).execute(TenantDocument, { id });
      expect(result.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: ['id'] });
    }
  });

  it('answers a well-formed id that names nothing with null, and an id of another type with an error naming the argument', async () => {
    const result = await test.client(adminToken).execute(ApiKeyDocument, { id: 'key_01ARZ3NDEKTSV4RRFFQ69G5FAV' });
    expect([result.status, result.data, result.errors]).toEqual([200, { apiKey: null }, undefined]);
    const wrongType = await test.client(adminToken).execute(ApiKeyDocument, { id: 'dep_01ARZ3NDEKTSV4RRFFQ69G5FAV' });
    expect(wrongType.errors?.map((error) => [error.extensions?.code, error.extensions?.field])).toEqual([['BAD_USER_INPUT', ['id']]]);
  });

  it('masks unexpected failures and keeps their details out of the response', async () => {
    await test.sql.query('alter table tenant rename to tenant_gone');
    try {
      const result = await test.client(adminToken).raw('{ tenants(first: 1) { nodes { id } } }');
      expect(result.errors?.[0]).toMatchObject({ message: 'Internal server error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
      expect(JSON.stringify(result)).not.toMatch(/tenant_gone|relation|select/i);
    } finally {
      await test.sql.query('alter table tenant_gone rename to tenant');
    }
  });

  it('applies CSRF prevention to simple requests', async () => {
    const response = await fetch(`${test.app.url}?query=${encodeURIComponent('{ viewer { role } }')}`, {
      headers: { authorization: `Bearer ${adminToken}` },
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/CSRF/i);
  });

  it('serves liveness and readiness probes', async () => {
    const base = test.app.url.replace('/graphql', '');
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: 'ok' });
    expect(await (await fetch(`${base}/readyz`)).json()).toEqual({ status: 'ready' });
  });
});
