import { randomUUID } from 'node:crypto';
import {
  ModelPriceSetDocument,
  ModelPricesDocument,
  SpendDocument,
  UsageRecordsDocument,
  UsageSummaryDocument,
  type ModelPriceSetInput,
  type ModelPricesQuery,
  type UsageGroupBy,
  type UsageRecordFilter,
  type UsageRecordItemInput,
  type UsageRecordsQuery,
  type UsageSummaryQuery,
} from './generated/graphql.js';
import type { World } from './support/fixtures.js';
import type { GraphQLClient, TestApp } from './support/harness.js';
import { canonical, createKey, fromUnits, independentCost, PRICES, recordUsage, setPrice, startUsageTest, usageItem } from './support/usage-fixtures.js';

let test: TestApp;
let world: World;
let gateway: GraphQLClient;

beforeAll(async () => {
  ({ test, world, gateway } = await startUsageTest());
});
afterAll(() => test.stop());

const codeOf = (result: { errors?: readonly { extensions?: Record<string, unknown> }[] }) => result.errors?.[0]?.extensions?.code;
const iso = (value: string | null) => (value === null ? null : new Date(value).toISOString());
const uniqueModel = (name: string) => `${name}-${randomUUID().slice(0, 8)}`;

async function priceRows(): Promise<number> {
  return (await test.sql.query('select count(*)::int as count from model_price')).rows[0].count;
}

async function auditRows(): Promise<number> {
  return (await test.sql.query('select count(*)::int as count from audit_entry')).rows[0].count;
}

/** A new key on the department, backdated so historic usage falls within its life. */
const freshKey = async (departmentId: string) => (await createKey(test, world.admin, { departmentId })).id;

async function recordAll(records: UsageRecordItemInput[]): Promise<void> {
  const result = await recordUsage(gateway, records);
  expect(result.rejections).toEqual([]);
  expect(result.acceptedCount).toBe(records.length);
}

function priceInput(model: string, overrides: Partial<ModelPriceSetInput> = {}): ModelPriceSetInput {
  return { model, tier: 'STANDARD', currency: 'CNY', inputPerMillionTokens: '3', outputPerMillionTokens: '9', ...overrides };
}

type PriceNode = ModelPricesQuery['modelPrices']['nodes'][number];

async function pricesAt(model: string, asOf: string): Promise<PriceNode[]> {
  return (await world.admin.data(ModelPricesDocument, { asOf, filter: { models: [model] } })).modelPrices.nodes;
}

type RecordNode = UsageRecordsQuery['usageRecords']['nodes'][number];

async function listRecords(client: GraphQLClient, filter: UsageRecordFilter, first = 100): Promise<RecordNode[]> {
  return (await client.data(UsageRecordsDocument, { filter, first })).usageRecords.nodes;
}

const requestIds = (nodes: { requestId: string }[]) => nodes.map((node) => node.requestId);

describe('modelPriceSet', () => {
  it('lets the operator add a version and nobody else', async () => {
    const model = uniqueModel('set');
    const before = await priceRows();
    for (const token of [world.a.tokens.TENANT_ADMIN, world.a.tokens.ERP, world.gatewayToken]) {
      const refused = await test.client(token).execute(ModelPriceSetDocument, { input: priceInput(model) });
      expect(codeOf(refused)).toBe('FORBIDDEN');
      expect(refused.data ?? null).toBeNull();
    }
    expect(await priceRows()).toBe(before);

    const result = await world.admin.data(ModelPriceSetDocument, {
      input: priceInput(model, { tier: 'PREMIUM', perRequest: '0.0001234567', effectiveFrom: '2026-02-01T00:00:00Z' }),
    });

    expect(result.modelPriceSet.userErrors).toEqual([]);
    const price = result.modelPriceSet.modelPrice!;
    expect(price).toMatchObject({ model, tier: 'PREMIUM', currency: 'CNY', effectiveTo: null });
    expect(price.id).toMatch(/^[a-z]+_[0-9A-Z]{26}$/);
    expect(iso(price.effectiveFrom)).toBe('2026-02-01T00:00:00.000Z');
    expect(canonical(price.inputPerMillionTokens.amount)).toBe('3');
    expect(canonical(price.perRequest.amount)).toBe('0.0001234567');
    expect(canonical(price.perImage.amount)).toBe('0');
    expect(await priceRows()).toBe(before + 1);
  });

  it.each([
    ['a negative rate', { inputPerMillionTokens: '-0.01' }, 'TOO_SMALL', 'inputPerMillionTokens'],
    ['a rate with 11 decimal places', { outputPerMillionTokens: '0.00000000001' }, 'INVALID', 'outputPerMillionTokens'],
    ['a negative per-image rate', { perImage: '-1' }, 'TOO_SMALL', 'perImage'],
    ['a model name with spaces', { model: 'chat pro!' }, 'INVALID', 'model'],
  ] as const)('refuses %s, naming the field and rule, and writes nothing', async (_case, overrides, code, field) => {
    const [prices, audits] = [await priceRows(), await auditRows()];

    const result = await world.admin.data(ModelPriceSetDocument, {
      input: priceInput(uniqueModel('refused'), { ...overrides, effectiveFrom: '2026-02-01T00:00:00Z' }),
    });

    expect(result.modelPriceSet.modelPrice).toBeNull();
    expect(result.modelPriceSet.userErrors.map((error) => [error.code, error.field])).toEqual([[code, ['input', field]]]);
    expect(result.modelPriceSet.userErrors[0].message.startsWith(`${field} `)).toBe(true);
    expect([await priceRows(), await auditRows()]).toEqual([prices, audits]);
  });

  it('refuses a second version of a model and currency at the same instant with TAKEN', async () => {
    const model = uniqueModel('taken');
    const effectiveFrom = '2026-02-01T00:00:00Z';
    await setPrice(world.admin, priceInput(model, { effectiveFrom }));
    const before = await priceRows();

    const again = await world.admin.data(ModelPriceSetDocument, { input: priceInput(model, { inputPerMillionTokens: '4', effectiveFrom }) });

    expect(again.modelPriceSet.modelPrice).toBeNull();
    expect(again.modelPriceSet.userErrors).toEqual([expect.objectContaining({ code: 'TAKEN', field: ['input', 'effectiveFrom'] })]);
    expect(await priceRows()).toBe(before);
    // Another currency is another price line.
    const usd = await world.admin.data(ModelPriceSetDocument, { input: priceInput(model, { currency: 'USD', effectiveFrom }) });
    expect(usd.modelPriceSet.userErrors).toEqual([]);
  });

  it('lets exactly one of several concurrent versions at the same instant through', async () => {
    const model = uniqueModel('race');
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, index) =>
        world.admin.data(ModelPriceSetDocument, {
          input: priceInput(model, { inputPerMillionTokens: String(index + 1), effectiveFrom: '2026-02-01T00:00:00Z' }),
        }),
      ),
    );
    expect(results.filter((result) => result.modelPriceSet.modelPrice)).toHaveLength(1);
    for (const result of results.filter((each) => !each.modelPriceSet.modelPrice)) {
      expect(result.modelPriceSet.userErrors).toEqual([expect.objectContaining({ code: 'TAKEN', field: ['input', 'effectiveFrom'] })]);
    }
  });
});

describe('price versions', () => {
  it('slots a version in by effectiveFrom and ends the one before it there', async () => {
    const model = uniqueModel('versioned');
    const v1 = await setPrice(world.admin, priceInput(model, { inputPerMillionTokens: '1', effectiveFrom: '2026-03-01T00:00:00Z' }));
    const v2 = await setPrice(world.admin, priceInput(model, { inputPerMillionTokens: '2', effectiveFrom: '2026-03-15T00:00:00Z' }));
    expect(iso(v2.effectiveTo)).toBeNull();

    expect(await pricesAt(model, '2026-02-28T23:59:59.999Z')).toEqual([]);
    const march10 = await pricesAt(model, '2026-03-10T00:00:00Z');
    expect(march10.map((price) => [price.id, iso(price.effectiveTo)])).toEqual([[v1.id, '2026-03-15T00:00:00.000Z']]);
    expect(iso(march10[0].effectiveTo)).toBe(iso(v2.effectiveFrom));
    const march20 = await pricesAt(model, '2026-03-20T00:00:00Z');
    expect(march20.map((price) => [price.id, iso(price.effectiveTo)])).toEqual([[v2.id, null]]);
    expect(canonical(march20[0].inputPerMillionTokens.amount)).toBe('2');

    const v15 = await setPrice(world.admin, priceInput(model, { inputPerMillionTokens: '1.5', effectiveFrom: '2026-03-10T00:00:00Z' }));

    expect(iso(v15.effectiveTo)).toBe('2026-03-15T00:00:00.000Z');
    const at = async (asOf: string) => (await pricesAt(model, asOf)).map((price) => [price.id, iso(price.effectiveFrom), iso(price.effectiveTo)]);
    expect(await at('2026-03-09T23:59:59.999Z')).toEqual([[v1.id, '2026-03-01T00:00:00.000Z', '2026-03-10T00:00:00.000Z']]);
    expect(await at('2026-03-10T00:00:00Z')).toEqual([[v15.id, '2026-03-10T00:00:00.000Z', '2026-03-15T00:00:00.000Z']]);
    expect(await at('2026-03-14T23:59:59.999Z')).toEqual([[v15.id, '2026-03-10T00:00:00.000Z', '2026-03-15T00:00:00.000Z']]);
    expect(await at('2026-03-15T00:00:00Z')).toEqual([[v2.id, '2026-03-15T00:00:00.000Z', null]]);
  });

  it('keeps the versions one unbroken chain when they are added concurrently, in any order', async () => {
    const model = uniqueModel('chain');
    const days = ['2026-02-05', '2026-02-01', '2026-02-09', '2026-02-03', '2026-02-07', '2026-02-02'];
    const results = await Promise.all(
      days.map((day, index) =>
        world.admin.data(ModelPriceSetDocument, { input: priceInput(model, { inputPerMillionTokens: String(index + 1), effectiveFrom: `${day}T00:00:00Z` }) }),
      ),
    );
    expect(results.flatMap((result) => result.modelPriceSet.userErrors)).toEqual([]);

    const { rows } = await test.sql.query<{ from: Date; to: Date | null }>(
      `select effective_from as "from", effective_to as "to" from model_price where model = $1 order by effective_from`,
      [model],
    );
    const starts = [...days].sort().map((day) => `${day}T00:00:00.000Z`);
    expect(rows.map((row) => [row.from.toISOString(), row.to?.toISOString() ?? null])).toEqual(
      starts.map((start, index) => [start, starts[index + 1] ?? null]),
    );
  });

  it('never reprices recorded usage: refuses a version that would supersede priced usage, accepts one after it', async () => {
    const model = uniqueModel('reprice');
    const v1Rates = { inputPerMillionTokens: '3', outputPerMillionTokens: '9' };
    const v2Rates = { inputPerMillionTokens: '4.5', outputPerMillionTokens: '12' };
    const v1 = await setPrice(world.admin, priceInput(model, { ...v1Rates, effectiveFrom: '2026-03-01T00:00:00Z' }));
    const april10 = usageItem(world.a.apiKeyId, { model, occurredAt: '2026-04-10T08:00:00.000Z' });
    await recordAll([april10]);
    const [priced] = await listRecords(world.admin, { model });
    expect(priced).toMatchObject({ requestId: april10.requestId, price: { id: v1.id } });
    expect(canonical(priced.cost.amount)).toBe(fromUnits(independentCost(v1Rates, april10)));

    const [prices, audits] = [await priceRows(), await auditRows()];
    for (const effectiveFrom of ['2026-04-01T00:00:00Z', april10.occurredAt]) {
      const refused = await world.admin.data(ModelPriceSetDocument, { input: priceInput(model, { ...v2Rates, effectiveFrom }) });
      expect(refused.modelPriceSet.modelPrice).toBeNull();
      expect(refused.modelPriceSet.userErrors).toEqual([expect.objectContaining({ code: 'PRICED_USAGE_EXISTS', field: ['input', 'effectiveFrom'] })]);
    }
    expect([await priceRows(), await auditRows()]).toEqual([prices, audits]);
    expect((await pricesAt(model, '2026-04-10T00:00:00Z')).map((price) => [price.id, price.effectiveTo])).toEqual([[v1.id, null]]);
    // The check is per currency: no usage was priced in USD.
    const usd = await world.admin.data(ModelPriceSetDocument, { input: priceInput(model, { currency: 'USD', effectiveFrom: '2026-04-01T00:00:00Z' }) });
    expect(usd.modelPriceSet.userErrors).toEqual([]);

    const v2 = await setPrice(world.admin, priceInput(model, { ...v2Rates, effectiveFrom: '2026-04-20T00:00:00Z' }));
    const april25 = usageItem(world.a.apiKeyId, { model, occurredAt: '2026-04-25T08:00:00.000Z' });
    await recordAll([april25]);

    const records = await listRecords(world.admin, { model });
    expect(records.map((record) => [record.requestId, record.price.id])).toEqual([
      [april25.requestId, v2.id],
      [april10.requestId, v1.id],
    ]);
    const [newCost, oldCost] = records.map((record) => canonical(record.cost.amount));
    expect(newCost).toBe(fromUnits(independentCost(v2Rates, april25)));
    expect(oldCost).toBe(fromUnits(independentCost(v1Rates, april10)));
    expect(newCost).not.toBe(oldCost);
    expect(iso((await pricesAt(model, '2026-04-10T00:00:00Z'))[0].effectiveTo)).toBe('2026-04-20T00:00:00.000Z');
  });
});

describe('usageRecords', () => {
  const window = { occurredFrom: '2026-05-01T00:00:00Z', occurredTo: '2026-05-04T00:00:00Z' };

  it('filters by key, department subtree, model, status and time, newest first', async () => {
    const grandchildKey = await freshKey(world.a.grandchildDepartmentId);
    const childKey = await freshKey(world.a.childDepartmentId);
    const a1 = usageItem(grandchildKey, { occurredAt: '2026-05-01T01:00:00.000Z' });
    const a2 = usageItem(grandchildKey, { model: PRICES.embed.model, kind: 'EMBEDDING', outputTokens: 0, occurredAt: '2026-05-02T01:00:00.000Z' });
    const a3 = usageItem(grandchildKey, { status: 'FAILED', occurredAt: '2026-05-03T01:00:00.000Z' });
    const c1 = usageItem(childKey, { occurredAt: '2026-05-02T12:00:00.000Z' });
    const b1 = usageItem(world.b.apiKeyId, { occurredAt: '2026-05-02T06:00:00.000Z' });
    await recordAll([a1, a2, a3, c1, b1]);
    const finance = test.client(world.a.tokens.TENANT_FINANCE);

    const byKey = await listRecords(finance, { ...window, apiKeyId: grandchildKey });
    expect(requestIds(byKey)).toEqual([a3.requestId, a2.requestId, a1.requestId]);
    expect(byKey[0]).toMatchObject({ apiKey: { id: grandchildKey }, department: { id: world.a.grandchildDepartmentId }, status: 'FAILED', isCharged: false });
    expect(canonical(byKey[1].cost.amount)).toBe(fromUnits(independentCost(PRICES.embed, a2)));

    expect(requestIds(await listRecords(finance, { ...window, departmentId: world.a.grandchildDepartmentId }))).toEqual([
      a3.requestId,
      a2.requestId,
      a1.requestId,
    ]);
    for (const departmentId of [world.a.rootDepartmentId, world.a.childDepartmentId]) {
      expect(requestIds(await listRecords(finance, { ...window, departmentId }))).toEqual([a3.requestId, c1.requestId, a2.requestId, a1.requestId]);
    }
    expect(requestIds(await listRecords(finance, { ...window, departmentId: world.a.rootDepartmentId, model: PRICES.embed.model }))).toEqual([a2.requestId]);
    expect(requestIds(await listRecords(finance, { ...window, departmentId: world.a.rootDepartmentId, status: 'FAILED' }))).toEqual([a3.requestId]);
    // occurredFrom is inclusive, occurredTo exclusive.
    expect(requestIds(await listRecords(finance, { departmentId: world.a.rootDepartmentId, occurredFrom: a2.occurredAt, occurredTo: a3.occurredAt }))).toEqual([
      c1.requestId,
      a2.requestId,
    ]);

    expect(requestIds(await listRecords(world.admin, { ...window, tenantId: world.b.id }))).toEqual([b1.requestId]);
    expect(requestIds(await listRecords(world.admin, window))).toEqual([a3.requestId, c1.requestId, b1.requestId, a2.requestId, a1.requestId]);
    expect(requestIds(await listRecords(finance, window))).toEqual([a3.requestId, c1.requestId, a2.requestId, a1.requestId]);
  });

  it('pages newest first with cursors, also through records that occurred at the same instant', async () => {
    const key = await freshKey(world.a.grandchildDepartmentId);
    const same = '2026-05-10T01:00:00.000Z';
    const records = [
      usageItem(key, { occurredAt: '2026-05-09T01:00:00.000Z' }),
      usageItem(key, { occurredAt: same }),
      usageItem(key, { occurredAt: same }),
      usageItem(key, { occurredAt: same }),
      usageItem(key, { occurredAt: '2026-05-11T01:00:00.000Z' }),
    ];
    await recordAll(records);
    const finance = test.client(world.a.tokens.TENANT_FINANCE);
    const all = (await finance.data(UsageRecordsDocument, { filter: { apiKeyId: key }, first: 100 })).usageRecords;

    const paged: RecordNode[] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page += 1) {
      const { usageRecords }: UsageRecordsQuery = await finance.data(UsageRecordsDocument, { filter: { apiKeyId: key }, first: 2, after });
      expect(usageRecords.totalCount).toBe(5);
      paged.push(...usageRecords.nodes);
      if (!usageRecords.pageInfo.hasNextPage) break;
      after = usageRecords.pageInfo.endCursor;
    }

    expect(all.totalCount).toBe(5);
    expect(requestIds(paged)).toEqual(requestIds(all.nodes));
    expect(new Set(requestIds(paged))).toEqual(new Set(requestIds(records)));
    expect(paged.map((node) => iso(node.occurredAt))).toEqual(['2026-05-11T01:00:00.000Z', same, same, same, '2026-05-09T01:00:00.000Z']);
    expect(codeOf(await finance.execute(UsageRecordsDocument, { filter: { apiKeyId: key }, first: 101 }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await finance.execute(UsageRecordsDocument, { filter: { apiKeyId: key }, after: 'not-a-cursor' }))).toBe('BAD_USER_INPUT');
  });

  it("answers NOT_FOUND to a tenant user filtering by another tenant's tenant, department or key", async () => {
    const finance = test.client(world.a.tokens.TENANT_FINANCE);
    const filters: UsageRecordFilter[] = [{ tenantId: world.b.id }, { departmentId: world.b.rootDepartmentId }, { apiKeyId: world.b.apiKeyId }];
    for (const filter of filters) {
      const result = await finance.execute(UsageRecordsDocument, { filter });
      expect(codeOf(result)).toBe('NOT_FOUND');
      expect(result.data ?? null).toBeNull();
    }
    expect((await finance.execute(UsageRecordsDocument, { filter: { tenantId: world.a.id } })).errors).toBeUndefined();
  });

  it("shows a tenant user only its own tenant's records when it names no filter", async () => {
    const ours = usageItem(world.a.apiKeyId);
    const theirs = usageItem(world.b.apiKeyId);
    await recordAll([ours, theirs]);

    for (const [tenant, own, other] of [
      [world.a, ours, theirs],
      [world.b, theirs, ours],
    ] as const) {
      const { usageRecords } = await test.client(tenant.tokens.TENANT_FINANCE).data(UsageRecordsDocument, { first: 100 });
      const { rows } = await test.sql.query('select count(*)::int as count from usage_record where tenant_id = $1', [tenant.id]);
      expect(usageRecords.totalCount).toBe(rows[0].count);
      expect(requestIds(usageRecords.nodes)).toContain(own.requestId);
      expect(requestIds(usageRecords.nodes)).not.toContain(other.requestId);
    }
    const { rows } = await test.sql.query('select count(*)::int as count from usage_record');
    expect((await world.admin.data(UsageRecordsDocument, { first: 1 })).usageRecords.totalCount).toBe(rows[0].count);
  });
});

describe('usageSummary', () => {
  // Local days 2026-06-10 and 2026-06-11 in Asia/Shanghai (UTC+8).
  const from = '2026-06-09T16:00:00.000Z';
  const to = '2026-06-11T16:00:00.000Z';

  type Group = UsageSummaryQuery['usageSummary'][number];

  async function summary(scope: { apiKeyId?: string; departmentId?: string }, groupBy: UsageGroupBy[]): Promise<Group[]> {
    return (await test.client(world.a.tokens.TENANT_FINANCE).data(UsageSummaryDocument, { scope, from, to, groupBy })).usageSummary;
  }

  /** What a group of records should add up to: every record counted, only charged ones costed. */
  function totals(records: UsageRecordItemInput[]) {
    return {
      requestCount: records.length,
      inputTokens: records.reduce((sum, record) => sum + (record.inputTokens ?? 0), 0),
      outputTokens: records.reduce((sum, record) => sum + (record.outputTokens ?? 0), 0),
      cachedInputTokens: records.reduce((sum, record) => sum + (record.cachedInputTokens ?? 0), 0),
      imageCount: 0,
      videoSeconds: 0,
      cost: fromUnits(
        records
          .filter((record) => record.status === 'SUCCEEDED')
          .reduce((sum, record) => sum + independentCost(record.model === PRICES.embed.model ? PRICES.embed : PRICES.chat, record), 0n),
      ),
    };
  }

  const figures = (group: Group) => ({
    requestCount: group.requestCount,
    inputTokens: group.inputTokens,
    outputTokens: group.outputTokens,
    cachedInputTokens: group.cachedInputTokens,
    imageCount: group.imageCount,
    videoSeconds: group.videoSeconds,
    cost: canonical(group.cost.amount),
  });

  let key: string;
  let childKey: string;
  let r1: UsageRecordItemInput;
  let r2: UsageRecordItemInput;
  let r3: UsageRecordItemInput;
  let r4: UsageRecordItemInput;
  let c1: UsageRecordItemInput;

  beforeAll(async () => {
    key = await freshKey(world.a.grandchildDepartmentId);
    childKey = await freshKey(world.a.childDepartmentId);
    r1 = usageItem(key, { occurredAt: '2026-06-10T02:00:00.000Z', inputTokens: 1000, outputTokens: 500, cachedInputTokens: 200 });
    r2 = usageItem(key, { model: PRICES.embed.model, kind: 'EMBEDDING', occurredAt: '2026-06-10T15:59:59.999Z', inputTokens: 2_000_001, outputTokens: 0 });
    r3 = usageItem(key, { occurredAt: '2026-06-10T16:00:00.000Z', inputTokens: 300, outputTokens: 700 });
    r4 = usageItem(key, { status: 'FAILED', occurredAt: '2026-06-11T03:00:00.000Z', inputTokens: 5000, outputTokens: 0 });
    c1 = usageItem(childKey, { occurredAt: '2026-06-11T05:00:00.000Z', inputTokens: 100, outputTokens: 100 });
    // Just outside [from, to) on each side.
    const before = usageItem(key, { occurredAt: '2026-06-09T15:59:59.999Z' });
    const after = usageItem(key, { occurredAt: to });
    await recordAll([r1, r2, r3, r4, c1, before, after]);
  });

  it("totals a key's usage in the range with no grouping", async () => {
    const groups = await summary({ apiKeyId: key }, []);
    expect(groups).toHaveLength(1);
    expect(groups[0]).toMatchObject({ model: null, day: null, hour: null, department: null, apiKey: null, cost: { currency: 'CNY' } });
    expect(figures(groups[0])).toEqual(totals([r1, r2, r3, r4]));
  });

  it('groups by model and by local day, counting failed requests but costing only charged ones', async () => {
    const byModel = await summary({ apiKeyId: key }, ['MODEL']);
    expect(byModel.map((group) => group.model)).toEqual([PRICES.chat.model, PRICES.embed.model]);
    expect(byModel.map(figures)).toEqual([totals([r1, r3, r4]), totals([r2])]);

    const byDay = await summary({ apiKeyId: key }, ['DAY']);
    expect(byDay.map((group) => group.day)).toEqual(['2026-06-10', '2026-06-11']);
    expect(byDay.map(figures)).toEqual([totals([r1, r2]), totals([r3, r4])]);

    const byHour = await summary({ apiKeyId: key }, ['HOUR']);
    expect(byHour.map((group) => iso(group.hour))).toEqual([
      '2026-06-10T02:00:00.000Z',
      '2026-06-10T15:00:00.000Z',
      '2026-06-10T16:00:00.000Z',
      '2026-06-11T03:00:00.000Z',
    ]);
    expect(byHour.map(figures)).toEqual([totals([r1]), totals([r2]), totals([r3]), totals([r4])]);

    const byDayAndModel = await summary({ apiKeyId: key }, ['DAY', 'MODEL']);
    expect(byDayAndModel.map((group) => [group.day, group.model])).toEqual([
      ['2026-06-10', PRICES.chat.model],
      ['2026-06-10', PRICES.embed.model],
      ['2026-06-11', PRICES.chat.model],
    ]);
    expect(byDayAndModel.map(figures)).toEqual([totals([r1]), totals([r2]), totals([r3, r4])]);
  });

  it("groups a department's subtree by the departments the keys belong to", async () => {
    const groups = await summary({ departmentId: world.a.rootDepartmentId }, ['DEPARTMENT']);
    const byDepartment = new Map(groups.map((group) => [group.department?.id, figures(group)]));
    expect([...byDepartment.keys()].sort()).toEqual([world.a.childDepartmentId, world.a.grandchildDepartmentId].sort());
    expect(byDepartment.get(world.a.grandchildDepartmentId)).toEqual(totals([r1, r2, r3, r4]));
    expect(byDepartment.get(world.a.childDepartmentId)).toEqual(totals([c1]));

    const grandchild = await summary({ departmentId: world.a.grandchildDepartmentId }, []);
    expect(grandchild.map(figures)).toEqual([totals([r1, r2, r3, r4])]);
  });

  it("answers NOT_FOUND for another tenant's scope and BAD_USER_INPUT for an empty or too long range", async () => {
    const finance = test.client(world.a.tokens.TENANT_FINANCE);
    for (const scope of [{ tenantId: world.b.id }, { departmentId: world.b.rootDepartmentId }, { apiKeyId: world.b.apiKeyId }]) {
      const result = await finance.execute(UsageSummaryDocument, { scope, from, to });
      expect(codeOf(result)).toBe('NOT_FOUND');
      expect(result.data ?? null).toBeNull();
    }
    for (const range of [
      { from, to: from },
      { from: to, to: from },
      { from: '2026-01-01T00:00:00Z', to: '2027-01-03T00:00:00Z' },
    ]) {
      const result = await finance.execute(UsageSummaryDocument, { scope: { apiKeyId: key }, ...range });
      expect(result.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: ['to'] });
    }
  });
});

describe('spend', () => {
  it('equals the charged usage of the key in the local month containing `at`', async () => {
    const key = await freshKey(world.a.grandchildDepartmentId);
    const june30 = usageItem(key, { occurredAt: '2026-06-30T15:59:59.999Z' });
    const july1 = usageItem(key, { occurredAt: '2026-06-30T16:00:00.000Z' });
    const mid = usageItem(key, { model: PRICES.embed.model, kind: 'EMBEDDING', occurredAt: '2026-07-15T08:00:00.000Z', inputTokens: 777_777, outputTokens: 0 });
    const failed = usageItem(key, { status: 'FAILED', occurredAt: '2026-07-20T08:00:00.000Z' });
    const july31 = usageItem(key, { occurredAt: '2026-07-31T15:59:59.999Z' });
    const august1 = usageItem(key, { occurredAt: '2026-07-31T16:00:00.000Z' });
    await recordAll([june30, july1, mid, failed, july31, august1]);
    const finance = test.client(world.a.tokens.TENANT_FINANCE);

    const july = independentCost(PRICES.chat, july1) + independentCost(PRICES.embed, mid) + independentCost(PRICES.chat, july31);
    for (const at of ['2026-06-30T16:00:00.000Z', '2026-07-10T00:00:00Z', '2026-07-31T15:59:59.999Z']) {
      const { spend } = await finance.data(SpendDocument, { scope: { apiKeyId: key }, period: 'MONTHLY', at });
      expect(spend).toMatchObject({
        scope: { type: 'API_KEY', id: key, tenantId: world.a.id },
        period: 'MONTHLY',
        periodStart: '2026-07-01',
        requestCount: 4,
        limit: null,
        remaining: null,
        percentUsed: null,
      });
      expect(spend.spent.currency).toBe('CNY');
      expect(canonical(spend.spent.amount)).toBe(fromUnits(july));
    }
    const { rows } = await test.sql.query(
      `select sum(charged_amount)::text as spent from usage_record where api_key_id = $1 and occurred_at >= '2026-06-30T16:00:00Z' and occurred_at < '2026-07-31T16:00:00Z'`,
      [key],
    );
    expect(canonical(rows[0].spent)).toBe(fromUnits(july));

    const june = (await finance.data(SpendDocument, { scope: { apiKeyId: key }, period: 'MONTHLY', at: '2026-06-30T15:59:59.999Z' })).spend;
    expect(june).toMatchObject({ periodStart: '2026-06-01', requestCount: 1 });
    expect(canonical(june.spent.amount)).toBe(fromUnits(independentCost(PRICES.chat, june30)));
    const daily = (await finance.data(SpendDocument, { scope: { apiKeyId: key }, period: 'DAILY', at: '2026-07-31T10:00:00Z' })).spend;
    expect(daily).toMatchObject({ periodStart: '2026-07-31', requestCount: 1 });
    expect(canonical(daily.spent.amount)).toBe(fromUnits(independentCost(PRICES.chat, july31)));
  });

  it("refuses a scope naming two things or none, another tenant's scope, and the gateway", async () => {
    const finance = test.client(world.a.tokens.TENANT_FINANCE);
    for (const scope of [{ apiKeyId: world.a.apiKeyId, departmentId: world.a.rootDepartmentId }, { tenantId: world.a.id, apiKeyId: world.a.apiKeyId }, {}]) {
      const result = await finance.execute(SpendDocument, { scope });
      expect(result.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: ['scope'] });
    }
    const wrongType = await finance.execute(SpendDocument, { scope: { apiKeyId: world.a.rootDepartmentId } });
    expect(wrongType.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: ['scope.apiKeyId'] });
    for (const scope of [{ tenantId: world.b.id }, { departmentId: world.b.rootDepartmentId }, { apiKeyId: world.b.apiKeyId }]) {
      const result = await finance.execute(SpendDocument, { scope });
      expect(codeOf(result)).toBe('NOT_FOUND');
      expect(result.data ?? null).toBeNull();
    }
    const gatewayResult = await gateway.execute(SpendDocument, { scope: { apiKeyId: world.a.apiKeyId } });
    expect(codeOf(gatewayResult)).toBe('FORBIDDEN');
    expect(gatewayResult.data ?? null).toBeNull();
  });
});
