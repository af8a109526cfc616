import type { PriceRates } from '../src/modules/price/rating.js';
import { GraphQLClient } from '../test/support/harness.js';
import { inParallel } from './measure.js';
import {
  AccessTokenCreateDocument,
  ApiKeyCreateDocument,
  BudgetSetDocument,
  DepartmentCreateDocument,
  ModelPriceSetDocument,
  TenantCreateDocument,
} from '../test/generated/graphql.js';

export interface BenchKey {
  id: string;
  secret: string;
  tenantId: string;
  departmentId: string;
}

export interface BenchWorld {
  tenants: number;
  tenantIds: string[];
  departments: number;
  /** The departments right under each tenant's root. */
  divisionIds: string[];
  keys: BenchKey[];
  models: string[];
  /** The CNY price version of each model, with its rates. */
  prices: Map<string, { id: string } & PriceRates>;
  gatewayToken: string;
  /** The operator token the bench was started with; ops tools subscribe with it. */
  adminToken: string;
}

const TENANTS = 10;
const MODELS = [
  {
    model: 'bench-chat',
    tier: 'STANDARD',
    inputPerMillionTokens: '2.5',
    outputPerMillionTokens: '10',
    cachedInputPerMillionTokens: '1.25',
    perRequest: '0.0001',
  },
  { model: 'bench-chat-mini', tier: 'ECONOMY', inputPerMillionTokens: '0.15', outputPerMillionTokens: '0.6' },
  { model: 'bench-embed', tier: 'ECONOMY', inputPerMillionTokens: '0.02', outputPerMillionTokens: '0' },
  { model: 'bench-reason', tier: 'PREMIUM', inputPerMillionTokens: '15', outputPerMillionTokens: '60', cachedInputPerMillionTokens: '7.5' },
] as const;

/**
 * The bench's directory, built through the API as an operator would: 10 tenants, each with a
 * root department, 2 children and 4 grandchildren, 2 keys per grandchild (80 keys), 4 priced models.
 */
export async function createBenchWorld(url: string, adminToken: string): Promise<BenchWorld> {
  const admin = new GraphQLClient(url, adminToken);
  const prices: BenchWorld['prices'] = new Map();
  for (const price of MODELS) {
    const created = (await admin.data(ModelPriceSetDocument, { input: { ...price, currency: 'CNY', effectiveFrom: '2026-01-01T00:00:00Z' } })).modelPriceSet
      .modelPrice!;
    prices.set(price.model, {
      id: created.id,
      inputPerMillion: created.inputPerMillionTokens.amount,
      outputPerMillion: created.outputPerMillionTokens.amount,
      cachedInputPerMillion: created.cachedInputPerMillionTokens.amount,
      perImage: created.perImage.amount,
      perVideoSecond: created.perVideoSecond.amount,
      perRequest: created.perRequest.amount,
    });
  }
  const keys: BenchKey[] = [];
  const tenantIds: string[] = [];
  const divisionIds: string[] = [];
  let departments = 0;
  for (let tenantIndex = 0; tenantIndex < TENANTS; tenantIndex++) {
    const tenantId = (await admin.data(TenantCreateDocument, { input: { name: `Bench tenant ${tenantIndex}` } })).tenantCreate.tenant!.id;
    tenantIds.push(tenantId);
    const department = async (name: string, parentId?: string) => {
      departments += 1;
      return (await admin.data(DepartmentCreateDocument, { input: { tenantId, parentId, name } })).departmentCreate.department!.id;
    };
    const root = await department('Company');
    for (const child of ['Product', 'Research']) {
      const childId = await department(child, root);
      divisionIds.push(childId);
      for (const team of ['Team A', 'Team B']) {
        const teamId = await department(team, childId);
        for (const app of ['app-1', 'app-2']) {
          const created = (await admin.data(ApiKeyCreateDocument, { input: { departmentId: teamId, name: app, environment: 'PRODUCTION' } })).apiKeyCreate;
          keys.push({ id: created.apiKey!.id, secret: created.secret!, tenantId, departmentId: teamId });
        }
      }
    }
  }
  const gateway = await admin.data(AccessTokenCreateDocument, { input: { name: 'bench gateway', role: 'GATEWAY' } });
  return {
    tenants: TENANTS,
    tenantIds,
    departments,
    divisionIds,
    keys,
    models: MODELS.map((price) => price.model),
    prices,
    gatewayToken: gateway.accessTokenCreate.secret!,
    adminToken,
  };
}

/**
 * Three budgets on every key's tree: a hard monthly one on the tenant, an alert-only daily one on
 * each division, a hard monthly one on each key. Limits are high, so ingestion never stops.
 */
export async function addBenchBudgets(url: string, adminToken: string, world: BenchWorld): Promise<number> {
  const admin = new GraphQLClient(url, adminToken);
  const budgets = [
    ...world.tenantIds.map((tenantId) => ({ scope: { tenantId }, period: 'MONTHLY' as const, limit: '1000000000', isHard: true })),
    ...world.divisionIds.map((departmentId) => ({ scope: { departmentId }, period: 'DAILY' as const, limit: '100000000', isHard: false })),
    ...world.keys.map((key) => ({ scope: { apiKeyId: key.id }, period: 'MONTHLY' as const, limit: '10000000', isHard: true })),
  ];
  for (const input of budgets) {
    const result = await admin.data(BudgetSetDocument, { input });
    if (!result.budgetSet.budget) throw new Error(JSON.stringify(result.budgetSet.userErrors));
  }
  return budgets.length;
}

/** Departments of each gateway-world tenant: a root, two divisions, two teams under each. */
const GATEWAY_TREE = [
  { name: 'Company', parent: null },
  { name: 'Product', parent: 0 },
  { name: 'Research', parent: 0 },
  { name: 'Product A', parent: 1 },
  { name: 'Product B', parent: 1 },
  { name: 'Research A', parent: 2 },
  { name: 'Research B', parent: 2 },
] as const;
/** The teams, which hold the keys. */
const GATEWAY_TEAMS = [3, 4, 5, 6];

/**
 * The gateway bench's world, built through the API as an operator would, `tenantCount` tenants at
 * a time 8 in parallel: each with the tree above, `keysPerTenant` keys spread over its teams, and a
 * hard monthly budget at every level (tenant, each department, each key) so every check weighs
 * every kind of scope. Limits are high, so no call is refused for money.
 */
export async function createGatewayWorld(
  base: BenchWorld,
  url: string,
  settings: { tenants: number; keysPerTenant: number },
): Promise<BenchWorld & { budgets: number }> {
  const admin = new GraphQLClient(url, base.adminToken);
  const keys: BenchKey[] = [];
  const tenantIds: string[] = [];
  const divisionIds: string[] = [];
  let budgets = 0;
  const hardBudget = async (scope: { tenantId?: string; departmentId?: string; apiKeyId?: string }, limit: string) => {
    const result = await admin.data(BudgetSetDocument, { input: { scope, period: 'MONTHLY', limit, isHard: true } });
    if (!result.budgetSet.budget) throw new Error(JSON.stringify(result.budgetSet.userErrors));
    budgets += 1;
  };
  await inParallel(settings.tenants, 8, async (tenantIndex) => {
    const tenantId = (await admin.data(TenantCreateDocument, { input: { name: `Gateway tenant ${tenantIndex}` } })).tenantCreate.tenant!.id;
    tenantIds.push(tenantId);
    await hardBudget({ tenantId }, '1000000000');
    const departmentIds: string[] = [];
    for (const { name, parent } of GATEWAY_TREE) {
      const parentId = parent === null ? undefined : departmentIds[parent];
      const departmentId = (await admin.data(DepartmentCreateDocument, { input: { tenantId, parentId, name } })).departmentCreate.department!.id;
      departmentIds.push(departmentId);
      if (parent === 0) divisionIds.push(departmentId);
      await hardBudget({ departmentId }, '100000000');
    }
    for (let keyIndex = 0; keyIndex < settings.keysPerTenant; keyIndex++) {
      const departmentId = departmentIds[GATEWAY_TEAMS[keyIndex % GATEWAY_TEAMS.length]];
      const created = (await admin.data(ApiKeyCreateDocument, { input: { departmentId, name: `app-${keyIndex}`, environment: 'PRODUCTION' } })).apiKeyCreate;
      keys.push({ id: created.apiKey!.id, secret: created.secret!, tenantId, departmentId });
      await hardBudget({ apiKeyId: created.apiKey!.id }, '10000000');
    }
  });
  return { ...base, tenants: settings.tenants, tenantIds, departments: settings.tenants * GATEWAY_TREE.length, divisionIds, keys, budgets };
}
