import {
  ApiKeyCreateDocument,
  ApiKeyRevokeDocument,
  ApiKeyRotateDocument,
  ApiKeyUpdateDocument,
  AuditEntriesDocument,
  DepartmentArchiveDocument,
  DepartmentCreateDocument,
  DepartmentMoveDocument,
  ErpTenantsSinceDocument,
  TenantCreateDocument,
  TenantsDocument,
  type TenantsQuery,
  TenantSuspendDocument,
  TenantReactivateDocument,
  TenantTreeDocument,
  TenantUpdateDocument,
  UsageAuthorizeDocument,
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

async function rowCounts(): Promise<Record<string, number>> {
  const { rows } = await test.sql.query(
    `select (select count(*) from tenant)::int as tenants, (select count(*) from department)::int as departments,
            (select count(*) from api_key)::int as keys, (select count(*) from audit_entry)::int as audits`,
  );
  return rows[0];
}

const KEY_REFUSALS = ['KEY_INVALID', 'KEY_REVOKED', 'KEY_EXPIRED'];

/** The key the gateway accepts this secret for (whatever else it decides), or null. */
async function usable(secret: string): Promise<{ id: string } | null> {
  const { usageAuthorize } = await test.client(world.gatewayToken).data(UsageAuthorizeDocument, { input: { apiKeySecret: secret, model: 'any-model' } });
  return KEY_REFUSALS.includes(usageAuthorize.denial?.code ?? '') ? null : { id: usageAuthorize.apiKeyId! };
}

describe('tenants', () => {
  it('creates a tenant with defaults and an audit entry', async () => {
    const result = await world.admin.data(TenantCreateDocument, { input: { name: '  Crane 丙  ' } });
    expect(result.tenantCreate.userErrors).toEqual([]);
    expect(result.tenantCreate.tenant).toMatchObject({
      name: 'Crane 丙',
      status: 'ACTIVE',
      timezone: 'Asia/Shanghai',
      billingCurrency: 'CNY',
      failedRequestPolicy: 'NOT_CHARGED',
    });
    expect(result.tenantCreate.tenant!.id).toMatch(/^ten_[0-9A-Z]{26}$/);
    const audit = (await world.admin.data(AuditEntriesDocument, { filter: { targetId: result.tenantCreate.tenant!.id } })).auditEntries.nodes;
    expect(audit).toEqual([expect.objectContaining({ action: 'tenant.create', actorRole: 'PLATFORM_ADMIN', before: null })]);
  });

  it('refuses bad input naming each field, and writes nothing', async () => {
    const before = await rowCounts();
    const result = await world.admin.data(TenantCreateDocument, {
      input: {
        name: 'Mars Mining',
        timezone: 'Mars/Olympus_Mons',
        buyerTaxProfile: { taxpayerId: '91310115MA1K4XYN01', legalName: 'x'.repeat(101) },
      },
    });
    expect(result.tenantCreate.tenant).toBeNull();
    expect(result.tenantCreate.userErrors.map((error) => [error.code, error.field])).toEqual([
      ['INVALID_TIMEZONE', ['input', 'timezone']],
      ['TOO_LONG', ['input', 'buyerTaxProfile', 'legalName']],
      ['INVALID_TAXPAYER_ID', ['input', 'buyerTaxProfile', 'taxpayerId']],
    ]);
    expect(result.tenantCreate.userErrors[0].message).toMatch(/^timezone must be an IANA time zone/);
    expect(await rowCounts()).toEqual(before);
  });

  it('refuses offsets and abbreviations as time zones but takes IANA names in canonical form', async () => {
    for (const timezone of ['+08:00', 'CST', 'GMT+8', 'Asia/Nowhere']) {
      const result = await world.admin.data(TenantUpdateDocument, { input: { tenantId: world.a.id, timezone } });
      expect(result.tenantUpdate.userErrors.map((error) => error.code)).toEqual(timezone === 'CST' ? [] : ['INVALID_TIMEZONE']);
    }
    const result = await world.admin.data(TenantUpdateDocument, { input: { tenantId: world.a.id, timezone: 'asia/shanghai' } });
    expect(result.tenantUpdate.tenant?.timezone).toBe('Asia/Shanghai');
  });

  it('rejects an unknown enum value before anything runs, naming the field', async () => {
    const result = await world.admin.execute(TenantCreateDocument, { input: { name: 'Enum', billingCurrency: 'BTC' as never } });
    expect(result.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0].message).toContain('input.billingCurrency');
  });

  it('suspends and reactivates, refusing the wrong transitions', async () => {
    const suspended = await world.admin.data(TenantSuspendDocument, { input: { tenantId: world.b.id, reason: 'unpaid invoices' } });
    expect(suspended.tenantSuspend.tenant).toMatchObject({ status: 'SUSPENDED' });
    expect(suspended.tenantSuspend.tenant!.suspendedAt).not.toBeNull();
    const again = await world.admin.data(TenantSuspendDocument, { input: { tenantId: world.b.id, reason: 'again' } });
    expect(again.tenantSuspend.userErrors[0]).toMatchObject({ code: 'INVALID_STATE', field: ['input', 'tenantId'] });
    const blankReason = await world.admin.data(TenantSuspendDocument, { input: { tenantId: world.a.id, reason: '' } });
    expect(blankReason.tenantSuspend.userErrors[0]).toMatchObject({ code: 'BLANK', field: ['input', 'reason'] });
    const reactivated = await world.admin.data(TenantReactivateDocument, { input: { tenantId: world.b.id } });
    expect(reactivated.tenantReactivate.tenant).toMatchObject({ status: 'ACTIVE', suspendedAt: null });
  });

  it('pages with opaque cursors and refuses pages over 100', async () => {
    const first = (await world.admin.data(TenantsDocument, { first: 1, orderBy: { field: 'NAME', direction: 'ASC' } })).tenants;
    expect(first.nodes).toHaveLength(1);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = (await world.admin.data(TenantsDocument, { first: 1, after: first.pageInfo.endCursor, orderBy: { field: 'NAME', direction: 'ASC' } }))
      .tenants;
    expect(second.nodes[0].name > first.nodes[0].name).toBe(true);
    const tooMany = await world.admin.execute(TenantsDocument, { first: 101 });
    expect(tooMany.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: ['first'] } });
    const badCursor = await world.admin.execute(TenantsDocument, { first: 1, after: 'not-a-cursor' });
    expect(badCursor.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: ['after'] } });
  });

  it('pages both ways: first/after forwards, last/before backwards from the end, 20 by default, one direction at a time', async () => {
    for (const name of ['Paging 1', 'Paging 2', 'Paging 3', 'Paging 4', 'Paging 5']) await world.admin.data(TenantCreateDocument, { input: { name } });
    const orderBy = { field: 'NAME', direction: 'ASC' } as const;
    const all = (await world.admin.data(TenantsDocument, { first: 100, orderBy })).tenants.nodes.map((tenant) => tenant.id);
    expect(all.length).toBeGreaterThanOrEqual(7);

    const forwards: string[] = [];
    for (let after: string | null = null; ;) {
      const { tenants }: TenantsQuery = await world.admin.data(TenantsDocument, { first: 3, after, orderBy });
      forwards.push(...tenants.nodes.map((tenant) => tenant.id));
      expect(tenants.pageInfo.hasPreviousPage).toBe(after !== null);
      if (!tenants.pageInfo.hasNextPage) break;
      after = tenants.pageInfo.endCursor;
    }
    const backwards: string[][] = [];
    for (let before: string | null = null; ;) {
      const { tenants }: TenantsQuery = await world.admin.data(TenantsDocument, { last: 3, before, orderBy });
      backwards.unshift(tenants.nodes.map((tenant) => tenant.id)); // each page in the connection's order
      expect(tenants.pageInfo.hasNextPage).toBe(before !== null);
      if (!tenants.pageInfo.hasPreviousPage) break;
      before = tenants.pageInfo.startCursor;
    }
    expect(forwards).toEqual(all);
    expect(backwards.flat()).toEqual(all);
    expect(backwards.at(-1)).toEqual(all.slice(-3));

    const byDefault = (await world.admin.data(TenantsDocument, { orderBy })).tenants;
    expect(byDefault.nodes.map((tenant) => tenant.id)).toEqual(all.slice(0, 20));
    const both = await world.admin.execute(TenantsDocument, { first: 2, last: 2 });
    expect(both.errors?.[0]).toMatchObject({ message: 'Pass first or last, not both.', extensions: { code: 'BAD_USER_INPUT', field: ['last'] } });
    const badBefore = await world.admin.execute(TenantsDocument, { last: 1, before: 'not-a-cursor' });
    expect(badBefore.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: ['before'] } });
    const tooMany = await world.admin.execute(TenantsDocument, { last: 101 });
    expect(tooMany.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: ['last'] } });
  });

  it('lets an ERP pull tenants changed since a moment, page by page', async () => {
    const since = new Date().toISOString();
    await world.admin.data(TenantUpdateDocument, { input: { tenantId: world.a.id, name: 'Acme 甲 Ltd.' } });
    const pulled = (await test.client(world.a.tokens.ERP).data(ErpTenantsSinceDocument, { updatedSince: since })).tenants.nodes;
    expect(pulled.map((tenant) => tenant.name)).toEqual(['Acme 甲 Ltd.']);
  });
});

describe('departments', () => {
  it('refuses a move that would make a cycle, and one onto itself', async () => {
    const admin = test.client(world.a.tokens.TENANT_ADMIN);
    for (const newParentId of [world.a.grandchildDepartmentId, world.a.rootDepartmentId]) {
      const result = await admin.data(DepartmentMoveDocument, { input: { departmentId: world.a.rootDepartmentId, newParentId } });
      expect(result.departmentMove.userErrors).toEqual([expect.objectContaining({ code: 'CYCLE', field: ['input', 'newParentId'] })]);
    }
    const { rows } = await test.sql.query('select parent_id from department where id = $1', [world.a.rootDepartmentId]);
    expect(rows[0].parent_id).toBeNull();
  });

  it('moves a subtree and keeps it whole', async () => {
    const admin = test.client(world.a.tokens.TENANT_ADMIN);
    const moved = await admin.data(DepartmentMoveDocument, { input: { departmentId: world.a.childDepartmentId, newParentId: null } });
    expect(moved.departmentMove.department?.parent).toBeNull();
    const tree = (await admin.data(TenantTreeDocument, { id: world.a.id })).tenant!.departments.nodes;
    const child = tree.find((department) => department.id === world.a.childDepartmentId)!;
    expect(child.children.map((department) => department.id)).toEqual([world.a.grandchildDepartmentId]);
    await admin.data(DepartmentMoveDocument, { input: { departmentId: world.a.childDepartmentId, newParentId: world.a.rootDepartmentId } });
  });

  it('keeps sibling names unique, also under concurrent creation', async () => {
    const admin = test.client(world.a.tokens.TENANT_ADMIN);
    const results = await Promise.all(
      Array.from({ length: 5 }, () => admin.data(DepartmentCreateDocument, { input: { parentId: world.a.rootDepartmentId, name: 'Finance Ops' } })),
    );
    const created = results.filter((result) => result.departmentCreate.department);
    expect(created).toHaveLength(1);
    for (const result of results.filter((each) => !each.departmentCreate.department)) {
      expect(result.departmentCreate.userErrors[0]).toMatchObject({ code: 'TAKEN', field: ['input', 'name'] });
    }
  });

  it('archives only a department with no active children or keys', async () => {
    const admin = test.client(world.a.tokens.TENANT_ADMIN);
    const withChildren = await admin.data(DepartmentArchiveDocument, { input: { departmentId: world.a.childDepartmentId } });
    expect(withChildren.departmentArchive.userErrors[0].code).toBe('HAS_ACTIVE_CHILDREN');
    const withKeys = await admin.data(DepartmentArchiveDocument, { input: { departmentId: world.a.grandchildDepartmentId } });
    expect(withKeys.departmentArchive.userErrors[0].code).toBe('HAS_ACTIVE_API_KEYS');

    const empty = (await admin.data(DepartmentCreateDocument, { input: { parentId: world.a.rootDepartmentId, name: 'Short-lived' } })).departmentCreate
      .department!;
    const archived = await admin.data(DepartmentArchiveDocument, { input: { departmentId: empty.id } });
    expect(archived.departmentArchive.department).toMatchObject({ isArchived: true });
    const keyInArchived = await admin.data(ApiKeyCreateDocument, { input: { departmentId: empty.id, name: 'late', environment: 'TEST' } });
    expect(keyInArchived.apiKeyCreate.userErrors[0]).toMatchObject({ code: 'ARCHIVED', field: ['input', 'departmentId'] });
    const tree = (await admin.data(TenantTreeDocument, { id: world.a.id })).tenant!.departments.nodes.map((department) => department.id);
    expect(tree).not.toContain(empty.id);
    const withArchived = (await admin.data(TenantTreeDocument, { id: world.a.id, includeArchived: true })).tenant!.departments.nodes.map((d) => d.id);
    expect(withArchived).toContain(empty.id);
  });

  it('refuses a malformed or wrongly typed id in input as a userError naming the field', async () => {
    const admin = test.client(world.a.tokens.TENANT_ADMIN);
    for (const parentId of ['nonsense', world.a.apiKeyId]) {
      const result = await admin.data(DepartmentCreateDocument, { input: { parentId, name: 'X' } });
      expect(result.departmentCreate.userErrors).toEqual([expect.objectContaining({ code: 'INVALID_ID', field: ['input', 'parentId'] })]);
    }
  });
});

describe('API keys', () => {
  it('shows the secret once, stores only its hash, and displays a typed prefix', async () => {
    const admin = test.client(world.a.tokens.TENANT_ADMIN);
    const created = (
      await admin.data(ApiKeyCreateDocument, {
        input: {
          departmentId: world.a.childDepartmentId,
          name: 'batch jobs',
          environment: 'TEST',
          allowedModels: ['gpt-4o', 'gpt-4o', 'deepseek-chat'],
          spendLimit: { amount: '1234.50', period: 'DAILY' },
        },
      })
    ).apiKeyCreate;
    expect(created.secret).toMatch(/^sk-test-[0-9A-Za-z]{43}$/);
    expect(created.apiKey).toMatchObject({
      status: 'ACTIVE',
      secretPrefix: created.secret!.slice(0, 14),
      allowedModels: ['gpt-4o', 'deepseek-chat'],
      spendLimit: { amount: { amount: '1234.50', currency: 'CNY' }, period: 'DAILY' },
    });
    const { rows } = await test.sql.query('select secret_hash from api_key where id = $1', [created.apiKey!.id]);
    expect(rows[0].secret_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(rows)).not.toContain(created.secret);
    const audit = await test.sql.query('select after::text from audit_entry where target_id = $1', [created.apiKey!.id]);
    expect(audit.rows[0].after).not.toContain(created.secret);
    expect((await usable(created.secret!))?.id).toBe(created.apiKey!.id);
  });

  it('stops a rotated secret at once and accepts the new one', async () => {
    expect((await usable(world.a.apiKeySecret))?.id).toBe(world.a.apiKeyId);
    const rotated = (await test.client(world.a.tokens.TENANT_ADMIN).data(ApiKeyRotateDocument, { input: { apiKeyId: world.a.apiKeyId } })).apiKeyRotate;
    expect(rotated.secret).not.toBe(world.a.apiKeySecret);
    expect(await usable(world.a.apiKeySecret)).toBeNull();
    expect((await usable(rotated.secret!))?.id).toBe(world.a.apiKeyId);
    world.a.apiKeySecret = rotated.secret!;
  });

  it('stops a revoked key at once, for good', async () => {
    const admin = test.client(world.b.tokens.TENANT_ADMIN);
    const revoked = await admin.data(ApiKeyRevokeDocument, { input: { apiKeyId: world.b.apiKeyId } });
    expect(revoked.apiKeyRevoke.apiKey?.status).toBe('REVOKED');
    expect(await usable(world.b.apiKeySecret)).toBeNull();
    const rotate = await admin.data(ApiKeyRotateDocument, { input: { apiKeyId: world.b.apiKeyId } });
    expect(rotate.apiKeyRotate).toMatchObject({ secret: null, userErrors: [expect.objectContaining({ code: 'INVALID_STATE' })] });
  });

  it('refuses an expiry in the past and a zero limit, and writes nothing', async () => {
    const before = await rowCounts();
    const result = await test.client(world.a.tokens.TENANT_ADMIN).data(ApiKeyCreateDocument, {
      input: {
        departmentId: world.a.childDepartmentId,
        name: 'expired',
        environment: 'PRODUCTION',
        expiresAt: '2020-01-01T00:00:00Z',
        spendLimit: { amount: '0', period: 'MONTHLY' },
      },
    });
    expect(result.apiKeyCreate.userErrors.map((error) => [error.code, error.field])).toEqual([
      ['IN_PAST', ['input', 'expiresAt']],
      ['TOO_SMALL', ['input', 'spendLimit', 'amount']],
    ]);
    expect(await rowCounts()).toEqual(before);
  });

  it('rejects a float where a Decimal belongs', async () => {
    const result = await test
      .client(world.a.tokens.TENANT_ADMIN)
      .raw('mutation($id: ID!) { apiKeyUpdate(input: { apiKeyId: $id, spendLimit: { amount: 12.5 } }) { userErrors { code } } }', { id: world.a.apiKeyId });
    expect(result.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(result.errors?.[0].message).toContain('Decimal must be a string');
  });

  it('treats a key past its expiry as EXPIRED and unusable', async () => {
    const admin = test.client(world.a.tokens.TENANT_ADMIN);
    const created = (
      await admin.data(ApiKeyCreateDocument, {
        input: { departmentId: world.a.childDepartmentId, name: 'expiring', environment: 'TEST', expiresAt: new Date(Date.now() + 60_000).toISOString() },
      })
    ).apiKeyCreate;
    await test.sql.query(`update api_key set expires_at = now() - interval '1 second' where id = $1`, [created.apiKey!.id]);
    expect(await usable(created.secret!)).toBeNull();
    const update = await admin.data(ApiKeyUpdateDocument, { input: { apiKeyId: created.apiKey!.id, expiresAt: null } });
    expect(update.apiKeyUpdate.apiKey?.status).toBe('ACTIVE');
    expect((await usable(created.secret!))?.id).toBe(created.apiKey!.id);
  });
});
