import ExcelJS from 'exceljs';
import { UsageReportDocument, type UsageGroupBy, type UsageReportQuery, type SpendScopeInput } from './generated/graphql.js';
import type { World } from './support/fixtures.js';
import type { GraphQLClient, TestApp } from './support/harness.js';
import { createKey, fromUnits, PRICES, recordUsage, startUsageTest, toUnits, usageItem } from './support/usage-fixtures.js';

/*
 * Reports by every dimension resellers sell on (issue 17, item 5): cost allocation by department
 * (with or without its subtree), key environment, model tier, kind, end-user tag and month. Tenant
 * a's tree is Research > Platform > Agents: a PRODUCTION key in Agents and a TEST key in Platform.
 */
let test: TestApp;
let world: World;
let gateway: GraphQLClient;
let portal: GraphQLClient;
const RANGE = { from: '2026-09-01T00:00:00Z', to: '2026-12-01T00:00:00Z' };

beforeAll(async () => {
  ({ test, world, gateway } = await startUsageTest());
  portal = test.client(world.a.tokens.TENANT_VIEWER);
  const testKey = await createKey(test, world.admin, { departmentId: world.a.childDepartmentId, environment: 'TEST' });
  const october = '2026-10-10T04:00:00Z';
  const result = await recordUsage(gateway, [
    ...Array.from({ length: 3 }, () => usageItem(world.a.apiKeyId, { occurredAt: october, endUserTag: 'user-1' })),
    ...Array.from({ length: 2 }, () => usageItem(world.a.apiKeyId, { occurredAt: october, model: PRICES.image.model, kind: 'IMAGE', imageCount: 2 })),
    // 2026-10-31T17:00Z is November 1st in Shanghai.
    usageItem(world.a.apiKeyId, { occurredAt: '2026-10-31T17:00:00Z' }),
    ...Array.from({ length: 2 }, () => usageItem(testKey.id, { occurredAt: october, model: PRICES.embed.model, kind: 'EMBEDDING', endUserTag: 'user-2' })),
  ]);
  expect(result.rejections).toEqual([]);
}, 60_000);
afterAll(() => test.stop());

type Group = UsageReportQuery['usageSummary'][number];

async function report(groupBy: UsageGroupBy[], options: { scope?: SpendScopeInput; rollUpDepartments?: boolean; client?: GraphQLClient } = {}) {
  const { scope = { tenantId: world.a.id }, rollUpDepartments, client = portal } = options;
  return (await client.data(UsageReportDocument, { scope, ...RANGE, groupBy, rollUpDepartments })).usageSummary;
}

/** Requests per value of one field. */
const requests = (groups: Group[], field: (group: Group) => unknown) => Object.fromEntries(groups.map((group) => [String(field(group)), group.requestCount]));

it('groups by key environment, model tier, kind, end-user tag and local month', async () => {
  expect(requests(await report(['ENVIRONMENT']), (group) => group.environment)).toEqual({ PRODUCTION: 6, TEST: 2 });
  expect(requests(await report(['TIER']), (group) => group.tier)).toEqual({ PREMIUM: 4, STANDARD: 2, ECONOMY: 2 });
  expect(requests(await report(['KIND']), (group) => group.kind)).toEqual({ CHAT: 4, IMAGE: 2, EMBEDDING: 2 });
  expect(requests(await report(['END_USER_TAG']), (group) => group.endUserTag)).toEqual({ 'user-1': 3, 'user-2': 2, null: 3 });
  expect(requests(await report(['MONTH']), (group) => group.month)).toEqual({ '2026-10': 7, '2026-11': 1 });
  // Two dimensions at once; fields not grouped by are null.
  const both = await report(['ENVIRONMENT', 'MONTH']);
  expect(both.map(({ environment, month, requestCount, model, department }) => ({ environment, month, requestCount, model, department }))).toEqual([
    { environment: 'PRODUCTION', month: '2026-10', requestCount: 5, model: null, department: null },
    { environment: 'PRODUCTION', month: '2026-11', requestCount: 1, model: null, department: null },
    { environment: 'TEST', month: '2026-10', requestCount: 2, model: null, department: null },
  ]);
});

it("rolls each department's figures up its subtree when asked, to the scope's top, and sums to the whole", async () => {
  const own = await report(['DEPARTMENT']);
  expect(requests(own, (group) => group.department!.id)).toEqual({ [world.a.grandchildDepartmentId]: 6, [world.a.childDepartmentId]: 2 });
  const rolled = await report(['DEPARTMENT'], { rollUpDepartments: true });
  expect(requests(rolled, (group) => group.department!.id)).toEqual({
    [world.a.rootDepartmentId]: 8,
    [world.a.childDepartmentId]: 8,
    [world.a.grandchildDepartmentId]: 6,
  });
  // The top's cost is the tenant's whole cost, to the last digit; the middle one's is its own plus the one below.
  const [total] = await report([]);
  const cost = (groups: Group[], departmentId: string) => toUnits(groups.find((group) => group.department!.id === departmentId)!.cost.amount);
  expect(fromUnits(cost(rolled, world.a.rootDepartmentId))).toBe(fromUnits(toUnits(total.cost.amount)));
  expect(cost(rolled, world.a.childDepartmentId)).toBe(cost(own, world.a.childDepartmentId) + cost(own, world.a.grandchildDepartmentId));
  // A department's scope rolls up to itself, not above it; other dimensions stay apart.
  const platform = await report(['DEPARTMENT', 'ENVIRONMENT'], { scope: { departmentId: world.a.childDepartmentId }, rollUpDepartments: true });
  expect(platform.map(({ department, environment, requestCount }) => [department!.id, environment, requestCount])).toEqual(
    expect.arrayContaining([
      [world.a.childDepartmentId, 'PRODUCTION', 6],
      [world.a.childDepartmentId, 'TEST', 2],
      [world.a.grandchildDepartmentId, 'PRODUCTION', 6],
    ]),
  );
  expect(platform).toHaveLength(3);
});

it('refuses rolling up without DEPARTMENT, naming the argument, and shows another tenant nothing', async () => {
  const refused = await portal.execute(UsageReportDocument, { scope: { tenantId: world.a.id }, ...RANGE, groupBy: ['MODEL'], rollUpDepartments: true });
  expect(refused.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: ['rollUpDepartments'] } });
  const other = await test.client(world.b.tokens.TENANT_ADMIN).execute(UsageReportDocument, { scope: { tenantId: world.a.id }, ...RANGE, groupBy: ['KIND'] });
  expect(other.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  expect(other.data).toBeNull();
  expect(await report(['KIND'], { scope: { tenantId: world.b.id }, client: test.client(world.b.tokens.TENANT_ADMIN) })).toEqual([]);
});

/** A report download with a token; the query as given. */
async function download(token: string, query: Record<string, string>) {
  const url = new URL(`/exports/usage-summary.${query.format ?? 'xlsx'}`, test.app.url);
  for (const [name, value] of Object.entries(query)) if (name !== 'format') url.searchParams.set(name, value);
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  return { response, body: Buffer.from(await response.arrayBuffer()) };
}

it('exports the same report as XLSX, opened by the library Excel files are read with, and as CSV', async () => {
  const query = { tenantId: world.a.id, ...RANGE, groupBy: 'DEPARTMENT,ENVIRONMENT', rollUpDepartments: 'true' };
  const { response, body } = await download(world.a.tokens.TENANT_VIEWER, query);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-disposition')).toBe('attachment; filename="usage-summary.xlsx"');
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(body as unknown as ArrayBuffer);
  const sheet = workbook.getWorksheet('usage')!;
  const header = (sheet.getRow(1).values as unknown[]).slice(1);
  expect(header).toEqual([
    'department.id',
    'department.name',
    'environment',
    'requestCount',
    'inputTokens',
    'outputTokens',
    'cachedInputTokens',
    'imageCount',
    'videoSeconds',
    'cost.amount',
    'cost.currency',
  ]);
  const cells: unknown[][] = [];
  sheet.eachRow((row, number) => number > 1 && cells.push((row.values as unknown[]).slice(1)));
  // Row for row what GraphQL answers for the same arguments: names, counts and exact costs.
  const groups = await report(['DEPARTMENT', 'ENVIRONMENT'], { rollUpDepartments: true });
  expect(cells.map((row) => [row[0], row[1], row[2], row[3], row[9], row[10]])).toEqual(
    groups.map((group) => [group.department!.id, group.department!.name, group.environment, group.requestCount, group.cost.amount, group.cost.currency]),
  );
  expect(cells).toHaveLength(5); // Research and Platform in both environments, Agents in PRODUCTION only

  const csv = await download(world.a.tokens.TENANT_VIEWER, { ...query, format: 'csv', groupBy: 'MONTH', rollUpDepartments: 'false' });
  expect(csv.response.status).toBe(200);
  const lines = csv.body
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .trim()
    .split('\n');
  expect(lines[0]).toBe('month,requestCount,inputTokens,outputTokens,cachedInputTokens,imageCount,videoSeconds,cost.amount,cost.currency');
  expect(lines.slice(1).map((line) => line.split(',').slice(0, 2))).toEqual([
    ['2026-10', '7'],
    ['2026-11', '1'],
  ]);
});

it('refuses a malformed report by the parameter and the rule, and shows it to no one who may not read it', async () => {
  const viewer = world.a.tokens.TENANT_VIEWER;
  const base = { tenantId: world.a.id, ...RANGE };
  const refusals: [Record<string, string>, string][] = [
    [{ ...base, groupBy: 'MODEL,COLOUR' }, 'groupBy'],
    [{ ...base, from: 'yesterday' }, 'from'],
    [{ from: RANGE.from, to: RANGE.to }, 'tenantId'],
    [{ ...base, groupBy: 'MODEL', rollUpDepartments: 'true' }, 'rollUpDepartments'],
    [{ ...base, to: RANGE.from }, 'to'],
  ];
  for (const [query, field] of refusals) {
    const { response, body } = await download(viewer, query);
    expect(response.status).toBe(400);
    expect(JSON.parse(body.toString())).toMatchObject({ error: { code: 'BAD_USER_INPUT', field } });
    expect(response.headers.get('content-disposition')).toBeNull();
  }
  expect((await download(world.b.tokens.TENANT_ADMIN, { ...base, groupBy: 'MODEL' })).response.status).toBe(404);
  expect((await download(world.a.tokens.ERP, { ...base, groupBy: 'MODEL' })).response.status).toBe(403);
});
