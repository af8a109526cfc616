import {
  AccessTokenCreateDocument,
  AccessTokenRevokeDocument,
  AccessTokensDocument,
  ApiKeyCreateDocument,
  ApiKeyDocument,
  ApiKeyRevokeDocument,
  AuditEntriesDocument,
  DepartmentCreateDocument,
  DepartmentDocument,
  DepartmentMoveDocument,
  NodeDocument,
  TenantCreateDocument,
  TenantDocument,
  TenantsDocument,
  TenantTreeDocument,
  TenantUpdateDocument,
  ViewerDocument,
} from './generated/graphql.js';
import { buildWorld, type World } from './support/fixtures.js';
import { startTestApp, type TestApp } from './support/harness.js';

let test: TestApp;
let world: World;

beforeAll(async () => {
  test = await startTestApp();
  world = await buildWorld(test);
});
afterAll(() => test.stop());

/** An answer of 200 with the field null and no error: what a missing object and another tenant's look like alike. */
function expectNothing(result: { status: number; data?: unknown; errors?: unknown }, field: string): void {
  expect([result.status, result.data, result.errors]).toEqual([200, { [field]: null }, undefined]);
}

const codeOf = (result: { errors?: readonly { extensions?: Record<string, unknown> }[] }) => result.errors?.[0]?.extensions?.code;

describe('who may do what', () => {
  it('refuses every operation without a valid token, with 401 UNAUTHENTICATED', async () => {
    for (const token of [undefined, 'bpat_not-a-real-token', 'garbage']) {
      const result = await test.client(token).execute(ViewerDocument);
      expect(result.status).toBe(401);
      expect(codeOf(result)).toBe('UNAUTHENTICATED');
      expect(result.data ?? null).toBeNull();
    }
  });

  it('refuses introspection to unauthenticated callers and allows it to authenticated ones', async () => {
    const query = '{ __schema { queryType { name } } }';
    expect(codeOf(await test.client().raw(query))).toBe('UNAUTHENTICATED');
    const allowed = await test.client(world.a.tokens.TENANT_VIEWER).raw<{ __schema: { queryType: { name: string } } }>(query);
    expect(allowed.data?.__schema.queryType.name).toBe('Query');
  });

  it('tells each caller who it is', async () => {
    const viewer = (await test.client(world.a.tokens.TENANT_FINANCE).data(ViewerDocument)).viewer;
    expect(viewer).toMatchObject({ role: 'TENANT_FINANCE', tenant: { id: world.a.id } });
    expect((await world.admin.data(ViewerDocument)).viewer).toMatchObject({ role: 'PLATFORM_ADMIN', tenant: null });
  });

  it('lets only the operator create tenants', async () => {
    for (const token of [world.a.tokens.TENANT_ADMIN, world.a.tokens.TENANT_VIEWER, world.gatewayToken, world.a.tokens.ERP]) {
      const result = await test.client(token).execute(TenantCreateDocument, { input: { name: 'Sneaky' } });
      expect(codeOf(result)).toBe('FORBIDDEN');
    }
    const { rows } = await test.sql.query("select count(*)::int as count from tenant where name = 'Sneaky'");
    expect(rows[0].count).toBe(0);
  });

  it('lets tenant admins, and not viewers or finance, change their directory', async () => {
    const input = { parentId: world.a.rootDepartmentId, name: 'Viewers cannot' };
    for (const token of [world.a.tokens.TENANT_VIEWER, world.a.tokens.TENANT_FINANCE, world.a.tokens.ERP, world.gatewayToken]) {
      expect(codeOf(await test.client(token).execute(DepartmentCreateDocument, { input }))).toBe('FORBIDDEN');
    }
    const created = await test.client(world.a.tokens.TENANT_ADMIN).data(DepartmentCreateDocument, { input: { ...input, name: 'Admins can' } });
    expect(created.departmentCreate.userErrors).toEqual([]);
    expect(created.departmentCreate.department?.parent?.id).toBe(world.a.rootDepartmentId);
  });

  it('keeps the gateway out of the directory', async () => {
    expect(codeOf(await test.client(world.gatewayToken).execute(TenantsDocument, {}))).toBe('FORBIDDEN');
    expect(codeOf(await test.client(world.gatewayToken).execute(ApiKeyDocument, { id: world.a.apiKeyId }))).toBe('FORBIDDEN');
  });

  it('lets a tenant admin change its name and tax profile but not the operator-only fields', async () => {
    const client = test.client(world.a.tokens.TENANT_ADMIN);
    const refused = await client.data(TenantUpdateDocument, {
      input: { tenantId: world.a.id, name: 'Renamed', timezone: 'UTC', billingCurrency: 'USD' },
    });
    expect(refused.tenantUpdate.tenant).toBeNull();
    expect(refused.tenantUpdate.userErrors.map((error) => [error.code, error.field])).toEqual([
      ['NOT_PERMITTED', ['input', 'timezone']],
      ['NOT_PERMITTED', ['input', 'billingCurrency']],
    ]);
    const tenant = (await client.data(TenantDocument, { id: world.a.id })).tenant;
    expect(tenant!.name).toBe('Acme 甲 Ltd');
    const allowed = await client.data(TenantUpdateDocument, { input: { tenantId: world.a.id, buyerTaxProfile: { legalName: 'Acme 甲 有限公司' } } });
    expect(allowed.tenantUpdate.tenant?.buyerTaxProfile.legalName).toBe('Acme 甲 有限公司');
  });

  it('lets tenant admins grant tenant roles of their own tenant only', async () => {
    const client = test.client(world.a.tokens.TENANT_ADMIN);
    const platform = await client.data(AccessTokenCreateDocument, { input: { name: 'escalate', role: 'PLATFORM_ADMIN' } });
    expect(platform.accessTokenCreate.userErrors[0]).toMatchObject({ code: 'NOT_PERMITTED', field: ['input', 'role'] });
    const otherTenant = await client.data(AccessTokenCreateDocument, { input: { name: 'cross', role: 'TENANT_VIEWER', tenantId: world.b.id } });
    expect(otherTenant.accessTokenCreate.userErrors[0]).toMatchObject({ code: 'NOT_FOUND' });
    const granted = await client.data(AccessTokenCreateDocument, { input: { name: 'finance bot', role: 'TENANT_FINANCE' } });
    expect(granted.accessTokenCreate.accessToken).toMatchObject({ role: 'TENANT_FINANCE', tenant: { id: world.a.id } });
    expect(granted.accessTokenCreate.secret).toMatch(/^bpat_[0-9A-Za-z]{43}$/);
    const viewer = (await test.client(granted.accessTokenCreate.secret!).data(ViewerDocument)).viewer;
    expect(viewer.role).toBe('TENANT_FINANCE');
  });

  it('stops a revoked access token at once', async () => {
    const created = await world.admin.data(AccessTokenCreateDocument, { input: { name: 'short-lived', role: 'TENANT_VIEWER', tenantId: world.a.id } });
    const secret = created.accessTokenCreate.secret!;
    expect((await test.client(secret).data(ViewerDocument)).viewer.role).toBe('TENANT_VIEWER');
    await world.admin.data(AccessTokenRevokeDocument, { input: { accessTokenId: created.accessTokenCreate.accessToken!.id } });
    expect(codeOf(await test.client(secret).execute(ViewerDocument))).toBe('UNAUTHENTICATED');
  });

  it('shows audit entries to admins only, each tenant its own', async () => {
    expect(codeOf(await test.client(world.a.tokens.TENANT_VIEWER).execute(AuditEntriesDocument, {}))).toBe('FORBIDDEN');
    const entries = (await test.client(world.a.tokens.TENANT_ADMIN).data(AuditEntriesDocument, { first: 100 })).auditEntries.nodes;
    expect(entries.length).toBeGreaterThan(0);
    expect(entries.every((entry) => entry.tenant?.id === world.a.id)).toBe(true);
    const all = (await world.admin.data(AuditEntriesDocument, { first: 100 })).auditEntries.nodes;
    expect(new Set(all.map((entry) => entry.tenant?.id))).toEqual(new Set([world.a.id, world.b.id]));
  });
});

describe('tenant isolation', () => {
  const tenantRoles = ['TENANT_ADMIN', 'TENANT_FINANCE', 'TENANT_VIEWER', 'ERP'] as const;
  const directoryRoles = ['TENANT_ADMIN', 'TENANT_FINANCE', 'TENANT_VIEWER'] as const;

  it.each(directoryRoles)('%s of tenant A gets null for tenant B objects by id, exactly as for ids that do not exist', async (role) => {
    const client = test.client(world.a.tokens[role]);
    expectNothing(await client.execute(TenantDocument, { id: world.b.id }), 'tenant');
    expectNothing(await client.execute(DepartmentDocument, { id: world.b.rootDepartmentId }), 'department');
    expectNothing(await client.execute(ApiKeyDocument, { id: world.b.apiKeyId }), 'apiKey');
    expectNothing(await client.execute(TenantTreeDocument, { id: world.b.id }), 'tenant');
    expectNothing(await client.execute(TenantDocument, { id: 'ten_01ZZZZZZZZZZZZZZZZZZZZZZZZ' }), 'tenant');
    for (const id of [world.b.id, world.b.rootDepartmentId, world.b.apiKeyId]) {
      expect((await client.data(NodeDocument, { id })).node).toBeNull();
    }
  });

  it("ERP of tenant A gets null for tenant B by id (its directory is not ERP's to read at all)", async () => {
    const client = test.client(world.a.tokens.ERP);
    expectNothing(await client.execute(TenantDocument, { id: world.b.id }), 'tenant');
    expect((await client.data(NodeDocument, { id: world.b.id })).node).toBeNull();
  });

  it.each(tenantRoles)('%s of tenant A sees only tenant A in lists', async (role) => {
    const tenants = (await test.client(world.a.tokens[role]).data(TenantsDocument, { first: 100 })).tenants;
    expect(tenants.totalCount).toBe(1);
    expect(tenants.nodes.map((tenant) => tenant.id)).toEqual([world.a.id]);
  });

  it("refuses changes to another tenant's objects as NOT_FOUND and writes nothing", async () => {
    const client = test.client(world.a.tokens.TENANT_ADMIN);
    const before = await test.sql.query('select count(*)::int as count from audit_entry');
    const attempts = [
      (await client.data(ApiKeyRevokeDocument, { input: { apiKeyId: world.b.apiKeyId } })).apiKeyRevoke.userErrors,
      (await client.data(DepartmentCreateDocument, { input: { parentId: world.b.rootDepartmentId, name: 'Implant' } })).departmentCreate.userErrors,
      (await client.data(DepartmentCreateDocument, { input: { tenantId: world.b.id, name: 'Implant' } })).departmentCreate.userErrors,
      (await client.data(ApiKeyCreateDocument, { input: { departmentId: world.b.rootDepartmentId, name: 'x', environment: 'TEST' } })).apiKeyCreate.userErrors,
      (await client.data(DepartmentMoveDocument, { input: { departmentId: world.b.childDepartmentId, newParentId: null } })).departmentMove.userErrors,
      (await client.data(DepartmentMoveDocument, { input: { departmentId: world.a.childDepartmentId, newParentId: world.b.rootDepartmentId } })).departmentMove
        .userErrors,
      (await client.data(TenantUpdateDocument, { input: { tenantId: world.b.id, name: 'Hijacked' } })).tenantUpdate.userErrors,
    ];
    for (const userErrors of attempts) expect(userErrors.map((error) => error.code)).toEqual(['NOT_FOUND']);
    const after = await test.sql.query('select count(*)::int as count from audit_entry');
    expect(after.rows[0].count).toBe(before.rows[0].count);
    const key = (await world.admin.data(ApiKeyDocument, { id: world.b.apiKeyId })).apiKey;
    expect(key!.status).toBe('ACTIVE');
  });

  it("does not list or revoke another tenant's access tokens", async () => {
    const client = test.client(world.a.tokens.TENANT_ADMIN);
    const tokens = (await client.data(AccessTokensDocument, {})).accessTokens.nodes;
    expect(tokens.length).toBeGreaterThan(0);
    expect(tokens.every((token) => token.tenant?.id === world.a.id)).toBe(true);
    const bTokens = (await world.admin.data(AccessTokensDocument, { filter: { tenantId: world.b.id } })).accessTokens.nodes;
    const revoke = await client.data(AccessTokenRevokeDocument, { input: { accessTokenId: bTokens[0].id } });
    expect(revoke.accessTokenRevoke.userErrors[0].code).toBe('NOT_FOUND');
    expect(codeOf(await client.execute(AccessTokensDocument, { filter: { tenantId: world.b.id } }))).toBe('NOT_FOUND');
  });
});
