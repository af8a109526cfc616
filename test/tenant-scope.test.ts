import type { EntityMetadata } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { BudgetSetDocument, ContractCreateDocument } from './generated/graphql.js';
import { ENTITIES } from '../src/modules/entities.js';
import { createLoaders } from '../src/modules/loaders.js';
import { ApiKey } from '../src/modules/api-key/api-key.entity.js';
import { Budget } from '../src/modules/budget/budget.entity.js';
import { Department } from '../src/modules/department/department.entity.js';
import { Tenant } from '../src/modules/tenant/tenant.entity.js';
import type { Actor } from '../src/platform/auth/actor.js';
import { Role } from '../src/platform/auth/roles.js';
import { systemClock } from '../src/platform/clock.js';
import { acrossTenants, entityManagerFor, TENANT_FILTER } from '../src/platform/database/tenant-scope.js';
import { recordUsage, startUsageTest, usageItem, type UsageTest } from './support/usage-fixtures.js';

let usage: UsageTest;
let root: EntityManager;

const UNSCOPED = `No arguments provided for filter '${TENANT_FILTER}'`;
/** Tenant-owned tables the setup fills for both tenants. */
const FILLED_FOR_BOTH_TENANTS = [
  'Tenant',
  'Department',
  'ApiKey',
  'AccessToken',
  'AuditEntry',
  'Budget',
  'Contract',
  'ContractVersion',
  'UsageRecord',
  'SpendCounter',
];

const tenantUserOf = (tenantId: string): Actor => ({ tokenId: 'test-tenant-user', role: Role.TENANT_ADMIN, tenantId });
const OPERATOR: Actor = { tokenId: 'test-operator', role: Role.PLATFORM_ADMIN, tenantId: null };
const GATEWAY: Actor = { tokenId: 'test-gateway', role: Role.GATEWAY, tenantId: null };

const mappedEntities = () => ENTITIES.map((entity) => root.getMetadata().get<object>(entity));
/** Every mapped entity with the tenant filter: the tenant-owned ones. */
const scopedEntities = () => mappedEntities().filter((meta) => TENANT_FILTER in meta.filters);

/** The column that names a row's tenant, or null for entities no tenant owns. */
function tenantColumnOf(meta: EntityMetadata): string | null {
  if (meta.class === Tenant) return 'id';
  const property = meta.props.find((prop) => prop.fieldNames?.length === 1 && prop.fieldNames[0] === 'tenant_id');
  return property ? 'tenant_id' : null;
}

/** How many rows of the entity's table belong to the tenant (every tenant when null), counted below the ORM. */
async function rowsInTable(meta: EntityMetadata, tenantId: string | null): Promise<number> {
  const column = tenantColumnOf(meta)!;
  const where = tenantId ? `where ${column} = $1` : '';
  const { rows } = await usage.test.sql.query(`select count(*)::int as count from "${meta.tableName}" ${where}`, tenantId ? [tenantId] : []);
  return rows[0].count;
}

beforeAll(async () => {
  usage = await startUsageTest();
  root = usage.test.app.orm.em;
  const { world, gateway } = usage;
  // Rows of both tenants in as many tenant-owned tables as the API fills cheaply.
  for (const tenant of [world.a, world.b]) {
    await recordUsage(gateway, [usageItem(tenant.apiKeyId), usageItem(tenant.apiKeyId)]);
    await world.admin.data(BudgetSetDocument, { input: { scope: { tenantId: tenant.id }, period: 'MONTHLY', limit: '100', thresholds: [50], isHard: false } });
    const contract = await world.admin.data(ContractCreateDocument, {
      input: { tenantId: tenant.id, type: 'PAY_AS_YOU_GO', startPeriod: '2026-01', cancellationNoticeDays: 0, terms: { billingMode: 'POSTPAID_MONTHLY' } },
    });
    expect(contract.contractCreate.userErrors).toEqual([]);
  }
});
afterAll(() => usage.test.stop());

describe('the tenant filter', () => {
  it('is declared on every entity with a tenant, and on no other', () => {
    const owned = mappedEntities().filter((meta) => tenantColumnOf(meta) !== null);
    expect(
      scopedEntities()
        .map((meta) => meta.className)
        .sort(),
    ).toEqual(owned.map((meta) => meta.className).sort());
    expect(owned.length).toBeGreaterThan(10);
  });
});

describe('a context that neither set nor lifted the tenant scope', () => {
  it("throws on any ORM read of a tenant-owned entity instead of returning every tenant's rows", async () => {
    const unscoped = root.fork();
    for (const meta of scopedEntities()) {
      await expect(unscoped.find(meta.class, {})).rejects.toThrow(UNSCOPED);
      await expect(unscoped.count(meta.class, {})).rejects.toThrow(UNSCOPED);
    }
    await expect(unscoped.findOne(Department, { id: usage.world.a.rootDepartmentId })).rejects.toThrow(UNSCOPED);
    await expect(unscoped.nativeUpdate(Department, { id: usage.world.a.rootDepartmentId }, { name: 'renamed' })).rejects.toThrow(UNSCOPED);
  });

  it('throws through its loaders and its transactions too', async () => {
    const loaders = createLoaders(root.fork(), systemClock);
    await expect(loaders.departmentById.load(usage.world.a.rootDepartmentId)).rejects.toThrow(UNSCOPED);
    await expect(loaders.termsInForce.load(usage.world.a.id)).rejects.toThrow(UNSCOPED);
    await expect(root.fork().transactional((transaction) => transaction.find(Budget, {}))).rejects.toThrow(UNSCOPED);
  });
});

describe("a tenant user's EntityManager", () => {
  it("reads only its tenant's rows, from queries that carry no tenant condition", async () => {
    const { a, b } = usage.world;
    const em = entityManagerFor(root, tenantUserOf(a.id));
    for (const meta of scopedEntities()) {
      const own = await rowsInTable(meta, a.id);
      expect({ entity: meta.className, count: await em.count(meta.class, {}) }).toEqual({ entity: meta.className, count: own });
    }
    // The counts prove little unless the tables hold rows of both tenants.
    for (const meta of mappedEntities().filter((entity) => FILLED_FOR_BOTH_TENANTS.includes(entity.className))) {
      for (const tenantId of [a.id, b.id]) expect(await rowsInTable(meta, tenantId)).toBeGreaterThan(0);
    }
    expect((await em.find(Department, {})).every((department) => department.tenant.id === a.id)).toBe(true);
  });

  it("does not find, change or load another tenant's row by its id", async () => {
    const { a, b } = usage.world;
    const em = entityManagerFor(root, tenantUserOf(a.id));
    expect(await em.findOne(Department, { id: b.rootDepartmentId })).toBeNull();
    expect(await em.findOne(Tenant, { id: b.id })).toBeNull();
    expect(await em.findOne(ApiKey, { id: b.apiKeyId })).toBeNull();
    expect(await em.nativeUpdate(Department, { id: b.rootDepartmentId }, { name: 'taken over' })).toBe(0);
    expect(await em.transactional((transaction) => transaction.findOne(Department, { id: b.rootDepartmentId }))).toBeNull();

    const loaders = createLoaders(em, systemClock);
    expect(await loaders.departmentById.load(b.rootDepartmentId)).toBeNull();
    expect(await loaders.tenantById.load(b.id)).toBeNull();
    expect(await loaders.apiKeyById.load(b.apiKeyId)).toBeNull();
    expect(await loaders.apiKeysByDepartment.load(b.grandchildDepartmentId)).toEqual([]);
    expect(await loaders.departmentChildren.load(b.rootDepartmentId)).toEqual([]);
    expect(await loaders.contractsByTenant.load(b.id)).toEqual([]);
    expect(await loaders.termsInForce.load(b.id)).toBeNull();
    // Its own rows load as before.
    expect((await loaders.departmentById.load(a.rootDepartmentId))?.id).toBe(a.rootDepartmentId);
    expect(await loaders.termsInForce.load(a.id)).not.toBeNull();
  });
});

describe('actors that act across tenants', () => {
  it.each([
    ['the operator', () => entityManagerFor(root, OPERATOR)],
    ['the gateway', () => entityManagerFor(root, GATEWAY)],
    ['acrossTenants (CLI, startup)', () => acrossTenants(root)],
  ])("%s reads every tenant's rows", async (_actor, entityManager) => {
    const { a, b } = usage.world;
    const em = entityManager();
    for (const meta of scopedEntities()) expect(await em.count(meta.class, {})).toBe(await rowsInTable(meta, null));
    const loaders = createLoaders(em, systemClock);
    expect((await loaders.departmentById.loadMany([a.rootDepartmentId, b.rootDepartmentId])).map((row) => (row as Department).id)).toEqual([
      a.rootDepartmentId,
      b.rootDepartmentId,
    ]);
    expect(await loaders.termsInForce.load(b.id)).not.toBeNull();
  });
});
