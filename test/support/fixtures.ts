import { ApiKeyCreateDocument, DepartmentCreateDocument, TenantCreateDocument } from '../generated/graphql.js';
import { Role } from '../../src/platform/auth/roles.js';
import type { GraphQLClient, TestApp } from './harness.js';

/** The operator profile tests and the bench set: a seller with a valid credit code. */
export const TEST_SELLER = {
  legalName: '上海智算云服务有限公司',
  taxpayerId: '91330106673959654P',
  address: '上海市浦东新区张江路 88 号',
  phone: '021-50800000',
  bankName: '招商银行上海张江支行',
  bankAccount: '121908880010888',
};

export interface TenantFixture {
  id: string;
  rootDepartmentId: string;
  childDepartmentId: string;
  grandchildDepartmentId: string;
  apiKeyId: string;
  apiKeySecret: string;
  tokens: Record<'TENANT_ADMIN' | 'TENANT_FINANCE' | 'TENANT_VIEWER' | 'ERP', string>;
}

export interface World {
  admin: GraphQLClient;
  adminToken: string;
  gatewayToken: string;
  a: TenantFixture;
  b: TenantFixture;
}

async function buildTenant(test: TestApp, admin: GraphQLClient, name: string): Promise<TenantFixture> {
  const tenant = (await admin.data(TenantCreateDocument, { input: { name } })).tenantCreate.tenant!;
  const department = async (departmentName: string, parentId?: string) =>
    (await admin.data(DepartmentCreateDocument, { input: { tenantId: tenant.id, parentId, name: departmentName } })).departmentCreate.department!.id;
  const rootDepartmentId = await department('Research');
  const childDepartmentId = await department('Platform', rootDepartmentId);
  const grandchildDepartmentId = await department('Agents', childDepartmentId);
  const key = (
    await admin.data(ApiKeyCreateDocument, {
      input: { departmentId: grandchildDepartmentId, name: 'agent-runner', environment: 'PRODUCTION' },
    })
  ).apiKeyCreate;
  return {
    id: tenant.id,
    rootDepartmentId,
    childDepartmentId,
    grandchildDepartmentId,
    apiKeyId: key.apiKey!.id,
    apiKeySecret: key.secret!,
    tokens: {
      TENANT_ADMIN: await test.tokenFor(Role.TENANT_ADMIN, tenant.id),
      TENANT_FINANCE: await test.tokenFor(Role.TENANT_FINANCE, tenant.id),
      TENANT_VIEWER: await test.tokenFor(Role.TENANT_VIEWER, tenant.id),
      ERP: await test.tokenFor(Role.ERP, tenant.id),
    },
  };
}

/** Two tenants, each with a three-level department tree, a key and a token of every tenant role. */
export async function buildWorld(test: TestApp): Promise<World> {
  const adminToken = await test.tokenFor(Role.PLATFORM_ADMIN);
  const admin = test.client(adminToken);
  return {
    admin,
    adminToken,
    gatewayToken: await test.tokenFor(Role.GATEWAY),
    a: await buildTenant(test, admin, 'Acme 甲 Ltd'),
    b: await buildTenant(test, admin, 'Bolt 乙 GmbH'),
  };
}
