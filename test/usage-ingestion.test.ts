import {
  ApiKeyCreateDocument,
  ApiKeyRevokeDocument,
  DepartmentCreateDocument,
  SpendDocument,
  TenantCreateDocument,
  TenantUpdateDocument,
  UsageRecordDocument,
  type UsageRecordItemInput,
} from './generated/graphql.js';
import type { World } from './support/fixtures.js';
import type { GraphQLClient, TestApp } from './support/harness.js';
import { actualCounters, actualRollups, expectedCounters, expectedRollups } from './support/spend-ledger.js';
import {
  canonical,
  createKey,
  fromUnits,
  independentCost,
  PRICES,
  recordUsage,
  setPrice,
  startUsageTest,
  toUnits,
  usageItem,
} from './support/usage-fixtures.js';

let test: TestApp;
let world: World;
let gateway: GraphQLClient;

beforeAll(async () => {
  ({ test, world, gateway } = await startUsageTest());
});
afterAll(() => test.stop());

async function storedRecords(requestIds: string[]) {
  const { rows } = await test.sql.query<{
    request_id: string;
    tenant_id: string;
    department_id: string;
    price_id: string;
    cost: string;
    charged_amount: string;
    is_charged: boolean;
    charge_reason: string;
  }>(
    `select request_id, tenant_id, department_id, price_id, cost::text, charged_amount::text, is_charged, charge_reason
       from usage_record where request_id = any($1)`,
    [requestIds],
  );
  return new Map(rows.map((row) => [row.request_id, row]));
}

async function counterSnapshot(): Promise<string> {
  const { rows } = await test.sql.query('select scope_id, period, period_start::text, spent::text, request_count from spend_counter order by 1, 2, 3');
  return JSON.stringify(rows);
}

const freshKey = async (departmentId: string) => (await createKey(test, world.admin, { departmentId })).id;

async function monthlySpend(apiKeyId: string, at?: string): Promise<string> {
  return (await world.admin.data(SpendDocument, { scope: { apiKeyId }, period: 'MONTHLY', at })).spend.spent.amount;
}

describe('pricing', () => {
  it('prices a mixed batch exactly, equal to an independent computation to the last decimal', async () => {
    const key = world.a.apiKeyId;
    const records: [UsageRecordItemInput, Record<string, string>][] = [
      [usageItem(key, { inputTokens: 123_457, outputTokens: 98_765, cachedInputTokens: 54_321 }), PRICES.chat],
      [usageItem(key, { model: PRICES.embed.model, kind: 'EMBEDDING', inputTokens: 1_000_001, outputTokens: 0 }), PRICES.embed],
      [usageItem(key, { model: PRICES.image.model, kind: 'IMAGE', inputTokens: 0, outputTokens: 0, imageCount: 3 }), PRICES.image],
      [usageItem(key, { model: PRICES.video.model, kind: 'VIDEO', inputTokens: 0, outputTokens: 0, videoSeconds: 7 }), PRICES.video],
      [usageItem(key, { model: PRICES.audio.model, kind: 'AUDIO', inputTokens: 333, outputTokens: 777 }), PRICES.audio],
      [usageItem(key, { status: 'FAILED', inputTokens: 4_000, outputTokens: 0 }), PRICES.chat],
    ];
    const before = await monthlySpend(key);

    const result = await recordUsage(
      gateway,
      records.map(([record]) => record),
    );

    expect(result).toMatchObject({ acceptedCount: 6, duplicateCount: 0, rejectedCount: 0, rejections: [] });
    const stored = await storedRecords(records.map(([record]) => record.requestId));
    let expectedCharged = 0n;
    for (const [record, rates] of records) {
      const row = stored.get(record.requestId)!;
      const cost = independentCost(rates, record);
      expect(canonical(row.cost)).toBe(fromUnits(cost));
      if (record.status === 'FAILED') {
        expect(row).toMatchObject({ is_charged: false, charge_reason: 'FAILED_NOT_CHARGED_BY_POLICY' });
        expect(canonical(row.charged_amount)).toBe('0');
      } else {
        expect(row).toMatchObject({ is_charged: true, charge_reason: 'SUCCEEDED' });
        expectedCharged += cost;
      }
      // Tenant and department come from the key, never from the record.
      expect(row).toMatchObject({ tenant_id: world.a.id, department_id: world.a.grandchildDepartmentId });
    }
    const after = await monthlySpend(key);
    expect(fromUnits(toUnits(after) - toUnits(before))).toBe(fromUnits(expectedCharged));
  });

  it("charges failed requests when the tenant's policy says so, and says why", async () => {
    const update = await world.admin.data(TenantUpdateDocument, { input: { tenantId: world.b.id, failedRequestPolicy: 'CHARGED' } });
    expect(update.tenantUpdate.userErrors).toEqual([]);
    const failed = usageItem(world.b.apiKeyId, { status: 'FAILED' });

    await recordUsage(gateway, [failed]);

    const row = (await storedRecords([failed.requestId])).get(failed.requestId)!;
    expect(row).toMatchObject({ is_charged: true, charge_reason: 'FAILED_CHARGED_BY_POLICY' });
    expect(canonical(row.charged_amount)).toBe(fromUnits(independentCost(PRICES.chat, failed)));
  });

  it('prices each side of a mid-month price change with the version in force', async () => {
    const model = 'midmonth-model';
    const october = await setPrice(world.admin, {
      model,
      tier: 'STANDARD',
      currency: 'CNY',
      inputPerMillionTokens: '3',
      outputPerMillionTokens: '9',
      effectiveFrom: '2026-10-01T00:00:00Z',
    });
    const changed = await setPrice(world.admin, {
      model,
      tier: 'STANDARD',
      currency: 'CNY',
      inputPerMillionTokens: '4',
      outputPerMillionTokens: '12',
      effectiveFrom: '2026-10-15T16:00:00Z',
    });
    const before = usageItem(world.a.apiKeyId, { model, occurredAt: '2026-10-15T15:59:59.999Z' });
    const atChange = usageItem(world.a.apiKeyId, { model, occurredAt: '2026-10-15T16:00:00.000Z' });

    expect((await recordUsage(gateway, [before, atChange])).acceptedCount).toBe(2);

    const stored = await storedRecords([before.requestId, atChange.requestId]);
    expect(stored.get(before.requestId)!.price_id).toBe(october.id);
    expect(canonical(stored.get(before.requestId)!.cost)).toBe(fromUnits(independentCost({ inputPerMillionTokens: '3', outputPerMillionTokens: '9' }, before)));
    expect(stored.get(atChange.requestId)!.price_id).toBe(changed.id);
    expect(canonical(stored.get(atChange.requestId)!.cost)).toBe(
      fromUnits(independentCost({ inputPerMillionTokens: '4', outputPerMillionTokens: '12' }, atChange)),
    );
  });
});

describe("periods in the tenant's time zone", () => {
  it('counts 2026-10-31T16:30Z in November for Asia/Shanghai and in October for UTC', async () => {
    const utcTenant = (await world.admin.data(TenantCreateDocument, { input: { name: 'Greenwich Ltd', timezone: 'UTC', billingCurrency: 'CNY' } })).tenantCreate
      .tenant!;
    const utcDepartment = (await world.admin.data(DepartmentCreateDocument, { input: { tenantId: utcTenant.id, name: 'Everyone' } })).departmentCreate
      .department!;
    const [shanghaiKey, utcKey] = [await freshKey(world.a.childDepartmentId), await freshKey(utcDepartment.id)];
    const occurredAt = '2026-10-31T16:30:00.000Z';
    const shanghai = usageItem(shanghaiKey, { occurredAt });
    const utc = usageItem(utcKey, { occurredAt });

    await recordUsage(gateway, [shanghai, utc]);

    const { rows } = await test.sql.query<{ scope_id: string; counter: string }>(
      `select scope_id, period || ' ' || to_char(period_start, 'YYYY-MM-DD') as counter from spend_counter where scope_id = any($1) order by 2`,
      [[shanghaiKey, utcKey]],
    );
    const countersOf = (scope: string) => rows.filter((row) => row.scope_id === scope).map((row) => row.counter);
    expect(countersOf(shanghaiKey)).toEqual(['DAILY 2026-11-01', 'MONTHLY 2026-11-01']);
    expect(countersOf(utcKey)).toEqual(['DAILY 2026-10-31', 'MONTHLY 2026-10-01']);
    const cost = fromUnits(independentCost(PRICES.chat, shanghai));
    expect(canonical(await monthlySpend(shanghaiKey, '2026-11-10T00:00:00Z'))).toBe(cost);
    expect(canonical(await monthlySpend(shanghaiKey, '2026-10-10T00:00:00Z'))).toBe('0');
    expect(canonical(await monthlySpend(utcKey, '2026-10-10T00:00:00Z'))).toBe(cost);
    expect(canonical(await monthlySpend(utcKey, '2026-11-10T00:00:00Z'))).toBe('0');
  });
});

describe('tenant settings that cut spend', () => {
  it('refuses to change the time zone or billing currency of a tenant with usage, naming each field, and writes nothing', async () => {
    await recordUsage(gateway, [usageItem(world.a.apiKeyId)]);
    const result = await world.admin.data(TenantUpdateDocument, { input: { tenantId: world.a.id, timezone: 'UTC', billingCurrency: 'USD', name: 'Renamed' } });
    expect(result.tenantUpdate.userErrors.map((error) => [error.code, error.field])).toEqual([
      ['INVALID_STATE', ['input', 'timezone']],
      ['INVALID_STATE', ['input', 'billingCurrency']],
    ]);
    const { rows } = await test.sql.query('select name, timezone, billing_currency from tenant where id = $1', [world.a.id]);
    expect(rows[0]).toEqual({ name: 'Acme 甲 Ltd', timezone: 'Asia/Shanghai', billing_currency: 'CNY' });
  });
});

describe('deduplication', () => {
  it('reports a replayed batch as duplicates and changes nothing', async () => {
    const batch = Array.from({ length: 10 }, () => usageItem(world.a.apiKeyId));
    expect((await recordUsage(gateway, batch)).acceptedCount).toBe(10);
    const counters = await counterSnapshot();
    const rows = (await test.sql.query('select count(*)::int as count from usage_record')).rows[0].count;

    const replay = await recordUsage(gateway, batch);

    expect(replay).toMatchObject({ acceptedCount: 0, duplicateCount: 10, rejectedCount: 0 });
    expect(replay.duplicates.map((duplicate) => duplicate.index)).toEqual([...batch.keys()]);
    expect(await counterSnapshot()).toBe(counters);
    expect((await test.sql.query('select count(*)::int as count from usage_record')).rows[0].count).toBe(rows);
  });

  it('keeps only the new half of a batch mixing replayed and new records', async () => {
    const old = Array.from({ length: 6 }, () => usageItem(world.a.apiKeyId));
    await recordUsage(gateway, old);
    const fresh = Array.from({ length: 6 }, () => usageItem(world.a.apiKeyId));
    const mixed = old.flatMap((record, index) => [record, fresh[index]]);
    const before = await monthlySpend(world.a.apiKeyId);

    const result = await recordUsage(gateway, mixed);

    expect(result).toMatchObject({ acceptedCount: 6, duplicateCount: 6 });
    expect(result.duplicates.map((duplicate) => duplicate.requestId)).toEqual(old.map((record) => record.requestId));
    const added = fresh.reduce((sum, record) => sum + independentCost(PRICES.chat, record), 0n);
    expect(fromUnits(toUnits(await monthlySpend(world.a.apiKeyId)) - toUnits(before))).toBe(fromUnits(added));
  });

  it('counts a requestId repeated inside one batch once', async () => {
    const record = usageItem(world.a.apiKeyId);
    const result = await recordUsage(gateway, [record, { ...record, inputTokens: 999 }]);
    expect(result).toMatchObject({ acceptedCount: 1, duplicateCount: 1, duplicates: [{ index: 1, requestId: record.requestId }] });
  });

  it('dedupes per tenant: two tenants may use the same requestId', async () => {
    const requestId = `shared-${Date.now()}`;
    const result = await recordUsage(gateway, [usageItem(world.a.apiKeyId, { requestId }), usageItem(world.b.apiKeyId, { requestId })]);
    expect(result.acceptedCount).toBe(2);
  });
});

describe('concurrency', () => {
  it('leaves every counter and daily rollup equal to the sum of its usage rows after 20 concurrent batches on one key', async () => {
    const shared = Array.from({ length: 5 }, () => usageItem(world.a.apiKeyId));
    const batches = Array.from({ length: 20 }, () => [...Array.from({ length: 50 }, () => usageItem(world.a.apiKeyId)), ...shared]);

    const results = await Promise.all(batches.map((batch) => recordUsage(gateway, batch)));

    expect(results.reduce((sum, result) => sum + result.acceptedCount, 0)).toBe(20 * 50 + 5);
    expect(results.reduce((sum, result) => sum + result.duplicateCount, 0)).toBe(19 * 5);
    const [expected, actual] = await Promise.all([expectedCounters(test), actualCounters(test)]);
    expect(Object.fromEntries(actual)).toEqual(Object.fromEntries(expected));
    const [expectedDays, actualDays] = await Promise.all([expectedRollups(test), actualRollups(test)]);
    expect(Object.fromEntries(actualDays)).toEqual(Object.fromEntries(expectedDays));
  });
});

describe('bad records', () => {
  it('keeps the good records of a batch and names each bad one by index, code and field', async () => {
    const revoked = (
      await world.admin.data(ApiKeyCreateDocument, { input: { departmentId: world.a.rootDepartmentId, name: 'to revoke', environment: 'PRODUCTION' } })
    ).apiKeyCreate.apiKey!.id;
    await world.admin.data(ApiKeyRevokeDocument, { input: { apiKeyId: revoked } });
    await setPrice(world.admin, {
      model: 'usd-only',
      tier: 'STANDARD',
      currency: 'USD',
      inputPerMillionTokens: '1',
      outputPerMillionTokens: '1',
      effectiveFrom: '2026-01-01T00:00:00Z',
    });
    const key = world.a.apiKeyId;
    const batch = [
      usageItem(key),
      usageItem('key_01JZZZZZZZZZZZZZZZZZZZZZZZ'),
      usageItem('not-a-key'),
      usageItem(key, { model: 'no-such-model' }),
      usageItem(key, { inputTokens: -1 }),
      usageItem(key, { outputTokens: 1.5 }),
      usageItem(key, { occurredAt: new Date(Date.now() + 10 * 60_000).toISOString() }),
      usageItem(key, { occurredAt: '2025-12-31T23:59:59Z' }),
      usageItem(revoked, { occurredAt: new Date().toISOString() }),
      usageItem(key, { model: 'usd-only' }),
      usageItem(key, { requestId: '  ' }),
      usageItem(key, { taskId: 'x'.repeat(129) }),
      usageItem(key),
    ];

    const result = await recordUsage(gateway, batch);

    expect(result).toMatchObject({ acceptedCount: 2, duplicateCount: 0, rejectedCount: 11 });
    expect(result.rejections.map(({ index, code, field }) => [index, code, field.slice(3).join('.')])).toEqual([
      [1, 'UNKNOWN_API_KEY', 'apiKeyId'],
      [2, 'UNKNOWN_API_KEY', 'apiKeyId'],
      [3, 'UNKNOWN_MODEL', 'model'],
      [4, 'INVALID_QUANTITY', 'inputTokens'],
      [5, 'INVALID_QUANTITY', 'outputTokens'],
      [6, 'OCCURRED_IN_FUTURE', 'occurredAt'],
      [7, 'OCCURRED_BEFORE_KEY_CREATED', 'occurredAt'],
      [8, 'KEY_REVOKED', 'apiKeyId'],
      [9, 'NO_PRICE_IN_FORCE', 'model'],
      [10, 'INVALID_REQUEST_ID', 'requestId'],
      [11, 'INVALID_TEXT', 'taskId'],
    ]);
    expect(result.rejections[0]).toMatchObject({ requestId: batch[1].requestId, field: ['input', 'records', '1', 'apiKeyId'] });
    expect(result.rejections.every((rejection) => rejection.message.length > 0)).toBe(true);
    expect([...(await storedRecords(batch.map((record) => record.requestId))).keys()].sort()).toEqual([batch[0].requestId, batch[12].requestId].sort());
  });

  it('rejects a record that would cost 10^12 or more instead of overflowing the batch', async () => {
    await setPrice(world.admin, {
      model: 'gold-plated',
      tier: 'PREMIUM',
      currency: 'CNY',
      inputPerMillionTokens: '0',
      outputPerMillionTokens: '0',
      perImage: '99999999999',
      effectiveFrom: '2026-01-01T00:00:00Z',
    });
    const result = await recordUsage(gateway, [
      usageItem(world.a.apiKeyId, { model: 'gold-plated', kind: 'IMAGE', imageCount: 11 }),
      usageItem(world.a.apiKeyId),
    ]);
    expect(result).toMatchObject({ acceptedCount: 1, rejections: [{ index: 0, code: 'COST_OUT_OF_RANGE' }] });
  });

  it(`rejects records past the cap of 1000 by index and keeps the first 1000`, async () => {
    const batch = Array.from({ length: 1001 }, () => usageItem(world.b.apiKeyId));
    const result = await recordUsage(gateway, batch);
    expect(result).toMatchObject({ acceptedCount: 1000, rejectedCount: 1, rejections: [{ index: 1000, code: 'BATCH_LIMIT_EXCEEDED' }] });
  });

  it('refuses a count that is not a number at all for the whole call, naming the field', async () => {
    const result = await gateway.execute(UsageRecordDocument, {
      input: { records: [{ ...usageItem(world.a.apiKeyId), inputTokens: 'many' as unknown as number }] },
    });
    expect(result.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0].message).toContain('inputTokens');
  });
});

describe('who may record usage', () => {
  it.each(['TENANT_ADMIN', 'TENANT_FINANCE', 'TENANT_VIEWER', 'ERP'] as const)('refuses %s', async (role) => {
    const result = await test.client(world.a.tokens[role]).execute(UsageRecordDocument, { input: { records: [usageItem(world.a.apiKeyId)] } });
    expect(result.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });

  it('lets the operator record usage', async () => {
    expect((await recordUsage(world.admin, [usageItem(world.a.apiKeyId)])).acceptedCount).toBe(1);
  });
});

describe('calls of a few records each, as a gateway reporting call by call sends them', () => {
  it('are stored together, each answered as if alone', async () => {
    const keyId = await freshKey(world.a.grandchildDepartmentId);
    const replayed = usageItem(keyId);
    await recordUsage(gateway, [replayed]);
    // 40 calls at once: fresh records, a replay of an earlier call, the same new requestId in two
    // calls, and a key no tenant has.
    const shared = usageItem(keyId);
    const calls: UsageRecordItemInput[][] = Array.from({ length: 40 }, (_unused, call) =>
      call === 0 ? [usageItem(keyId), replayed] : call === 1 ? [usageItem('key_01K0000000000000000000000X'), usageItem(keyId)] : [usageItem(keyId)],
    );
    calls.push([shared], [shared]);
    const answers = await Promise.all(calls.map((records) => recordUsage(gateway, records)));

    expect(answers[0]).toMatchObject({ acceptedCount: 1, duplicateCount: 1, rejectedCount: 0, duplicates: [{ index: 1, requestId: replayed.requestId }] });
    expect(answers[1]).toMatchObject({ acceptedCount: 1, duplicateCount: 0, rejectedCount: 1, rejections: [{ index: 0, code: 'UNKNOWN_API_KEY' }] });
    expect(answers.slice(2, 40).every((answer) => answer.acceptedCount === 1 && answer.duplicateCount === 0 && answer.rejectedCount === 0)).toBe(true);
    const sharedAnswers = answers.slice(40).map((answer) => [answer.acceptedCount, answer.duplicateCount]);
    expect(sharedAnswers.sort()).toEqual([
      [0, 1],
      [1, 0],
    ]);

    const { rows } = await test.sql.query<{ records: number; commits: number; spent: string }>(
      `select count(*)::int as records, count(distinct recorded_at)::int as commits, sum(charged_amount)::text as spent
         from usage_record where api_key_id = $1`,
      [keyId],
    );
    expect(rows[0].records).toBe(1 + 40 + 1); // the first call's, one from each of the 40 calls, the shared one
    expect(rows[0].commits).toBeLessThanOrEqual(20); // calls that arrived while a batch was stored shared the next one (alone: 41)
    const counter = await test.sql.query<{ spent: string; request_count: number }>(
      `select spent::text, request_count::int from spend_counter where scope_id = $1 and period = 'MONTHLY'`,
      [keyId],
    );
    expect(counter.rows[0]).toEqual({ spent: rows[0].spent, request_count: 42 });
  });
});
