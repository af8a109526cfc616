import { randomBytes, randomUUID } from 'node:crypto';
import {
  ApiKeyCreateDocument,
  ApiKeyRevokeDocument,
  ApiKeyRotateDocument,
  ApiKeyUpdateDocument,
  DepartmentCreateDocument,
  TenantCreateDocument,
  TenantReactivateDocument,
  TenantSuspendDocument,
  UsageAuthorizeDocument,
  type ApiKeyCreateInput,
  type UsageAuthorizeQuery,
} from './generated/graphql.js';
import type { World } from './support/fixtures.js';
import type { GraphQLClient, TestApp } from './support/harness.js';
import {
  canonical,
  createKey,
  fromUnits,
  independentCost,
  PRICE_BOOK_START,
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

/** One CNY per million input tokens: costs that land exactly on a limit. */
const FLAT = { model: 'flat-rate', inputPerMillionTokens: '1', outputPerMillionTokens: '0' } as const;

beforeAll(async () => {
  ({ test, world, gateway } = await startUsageTest());
  await setPrice(world.admin, { ...FLAT, tier: 'ECONOMY', currency: 'CNY', effectiveFrom: PRICE_BOOK_START });
});
afterAll(() => test.stop());

type Authorization = UsageAuthorizeQuery['usageAuthorize'];

async function authorize(apiKeySecret: string, model: string = PRICES.chat.model, estimatedCost?: string): Promise<Authorization> {
  return (await gateway.data(UsageAuthorizeDocument, { input: { apiKeySecret, model, estimatedCost } })).usageAuthorize;
}

function tenantAdmin(): GraphQLClient {
  return test.client(world.a.tokens.TENANT_ADMIN);
}

/** A new key of tenant a on the grandchild department, backdated so usage a minute ago is within its life. */
const freshKey = (input: Partial<Omit<ApiKeyCreateInput, 'departmentId'>> = {}) =>
  createKey(test, tenantAdmin(), { departmentId: world.a.grandchildDepartmentId, ...input });

async function setDailyLimit(apiKeyId: string, amount: string): Promise<void> {
  const result = await tenantAdmin().data(ApiKeyUpdateDocument, { input: { apiKeyId, spendLimit: { amount, period: 'DAILY' } } });
  expect(result.apiKeyUpdate.userErrors).toEqual([]);
  expect(result.apiKeyUpdate.apiKey?.spendLimit).toMatchObject({ period: 'DAILY' });
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function randomSecret(prefix: string): string {
  return prefix + Array.from(randomBytes(43), (byte) => BASE62[byte % 62]).join('');
}

/** Today's date in Asia/Shanghai, the tenant's zone: the DAILY period the limit is read in. */
function localToday(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
}

/** Spent as a percentage of the limit, half-up to 2 places, in integers. */
function percentUsed(spent: bigint, limit: bigint): string {
  const hundredths = (spent * 20_000n + limit) / (2n * limit);
  return `${hundredths / 100n}.${(hundredths % 100n).toString().padStart(2, '0')}`;
}

function expectDenied(result: Authorization, code: string, httpStatus: number): void {
  expect(result.isAllowed).toBe(false);
  expect(result.denial).toMatchObject({ code, httpStatus });
  expect(result.denial!.message.length).toBeGreaterThan(0);
}

describe('the key and the model', () => {
  it('allows an active key to call a priced model and names its key, tenant and department', async () => {
    const result = await authorize(world.a.apiKeySecret);
    expect(result).toEqual({
      isAllowed: true,
      denial: null,
      apiKeyId: world.a.apiKeyId,
      tenantId: world.a.id,
      departmentId: world.a.grandchildDepartmentId,
      remainingSpend: null,
      limits: [],
    });
    const other = await authorize(world.b.apiKeySecret, PRICES.embed.model);
    expect(other).toMatchObject({ isAllowed: true, apiKeyId: world.b.apiKeyId, tenantId: world.b.id, departmentId: world.b.grandchildDepartmentId });
  });

  it('allows a TEST key as well as a PRODUCTION one', async () => {
    const key = await freshKey({ environment: 'TEST' });
    expect(key.secret.startsWith('sk-test-')).toBe(true);
    expect(await authorize(key.secret)).toMatchObject({ isAllowed: true, denial: null, apiKeyId: key.id });
  });

  it('answers KEY_INVALID 401 for a secret no key has, and names no key', async () => {
    const secrets = [randomSecret('sk-live-'), randomSecret('sk-test-'), 'not-a-key-at-all', `${world.a.apiKeySecret} `, world.a.apiKeySecret.toUpperCase()];
    for (const secret of secrets) {
      const result = await authorize(secret);
      expectDenied(result, 'KEY_INVALID', 401);
      expect(result).toMatchObject({ apiKeyId: null, tenantId: null, departmentId: null, remainingSpend: null, limits: [] });
      expect(result.denial!.scope).toBeNull();
    }
    // No secret at all is the gateway's own mistake, not a key: bad input, like NUL in it.
    const blank = await gateway.execute(UsageAuthorizeDocument, { input: { apiKeySecret: '', model: PRICES.chat.model } });
    expect(blank.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: ['input', 'apiKeySecret'], reason: 'BLANK' });
  });

  it('answers KEY_REVOKED 401 for a revoked key', async () => {
    const key = await freshKey();
    const revoked = await tenantAdmin().data(ApiKeyRevokeDocument, { input: { apiKeyId: key.id } });
    expect(revoked.apiKeyRevoke.apiKey?.status).toBe('REVOKED');

    const result = await authorize(key.secret);

    expectDenied(result, 'KEY_REVOKED', 401);
    expect(result.apiKeyId).toBe(key.id);
  });

  it('answers KEY_EXPIRED 401 for a key past its expiry', async () => {
    const expiresAt = Date.now() + 1_500;
    const key = await freshKey({ expiresAt: new Date(expiresAt).toISOString() });
    expect((await authorize(key.secret)).isAllowed).toBe(true);
    // No event announces an expiry: the facts this server keeps must be checked against the time.
    await new Promise((resolve) => setTimeout(resolve, expiresAt - Date.now() + 50));

    const result = await authorize(key.secret);

    expectDenied(result, 'KEY_EXPIRED', 401);
    expect(result.apiKeyId).toBe(key.id);
  });

  it('answers KEY_INVALID for the secret a rotation replaced and allows the new one', async () => {
    const key = await freshKey();
    const rotated = (await tenantAdmin().data(ApiKeyRotateDocument, { input: { apiKeyId: key.id } })).apiKeyRotate;
    expect(rotated.userErrors).toEqual([]);

    const old = await authorize(key.secret);
    expectDenied(old, 'KEY_INVALID', 401);
    expect(old.apiKeyId).toBeNull();
    expect(await authorize(rotated.secret!)).toMatchObject({ isAllowed: true, denial: null, apiKeyId: key.id });
  });

  it("answers MODEL_NOT_ALLOWED 403 for a model outside the key's allowed models", async () => {
    const key = await freshKey();
    const update = await tenantAdmin().data(ApiKeyUpdateDocument, { input: { apiKeyId: key.id, allowedModels: [PRICES.embed.model] } });
    expect(update.apiKeyUpdate.apiKey?.allowedModels).toEqual([PRICES.embed.model]);

    const refused = await authorize(key.secret, PRICES.chat.model);

    expectDenied(refused, 'MODEL_NOT_ALLOWED', 403);
    expect(refused.denial!.message).toContain(PRICES.chat.model);
    expect(refused.apiKeyId).toBe(key.id);
    expect(await authorize(key.secret, PRICES.embed.model)).toMatchObject({ isAllowed: true, denial: null });
  });

  it("answers MODEL_NOT_ALLOWED 403 for a model with no price in the tenant's currency", async () => {
    expectDenied(await authorize(world.a.apiKeySecret, 'no-such-model'), 'MODEL_NOT_ALLOWED', 403);
    // Priced in USD only: tenant a bills in CNY.
    await setPrice(world.admin, {
      model: 'usd-only-model',
      tier: 'STANDARD',
      currency: 'USD',
      inputPerMillionTokens: '1',
      outputPerMillionTokens: '1',
      effectiveFrom: PRICE_BOOK_START,
    });
    expectDenied(await authorize(world.a.apiKeySecret, 'usd-only-model'), 'MODEL_NOT_ALLOWED', 403);
    // Priced only from next year: not in force now.
    await setPrice(world.admin, {
      model: 'future-model',
      tier: 'STANDARD',
      currency: 'CNY',
      inputPerMillionTokens: '1',
      outputPerMillionTokens: '1',
      effectiveFrom: '2099-01-01T00:00:00Z',
    });
    expectDenied(await authorize(world.a.apiKeySecret, 'future-model'), 'MODEL_NOT_ALLOWED', 403);
  });

  it('answers TENANT_SUSPENDED 403 while the tenant is suspended, and allows again after reactivation', async () => {
    const tenant = (await world.admin.data(TenantCreateDocument, { input: { name: `Dormant 丁 ${randomUUID()}` } })).tenantCreate.tenant!;
    const department = (await world.admin.data(DepartmentCreateDocument, { input: { tenantId: tenant.id, name: 'Ops' } })).departmentCreate.department!;
    const key = (await world.admin.data(ApiKeyCreateDocument, { input: { departmentId: department.id, name: 'ops', environment: 'PRODUCTION' } })).apiKeyCreate;
    expect((await authorize(key.secret!)).isAllowed).toBe(true);

    const suspended = await world.admin.data(TenantSuspendDocument, { input: { tenantId: tenant.id, reason: 'unpaid invoices' } });
    expect(suspended.tenantSuspend.tenant?.status).toBe('SUSPENDED');
    const refused = await authorize(key.secret!);
    expectDenied(refused, 'TENANT_SUSPENDED', 403);
    expect(refused).toMatchObject({ apiKeyId: key.apiKey!.id, tenantId: tenant.id, departmentId: department.id });

    const reactivated = await world.admin.data(TenantReactivateDocument, { input: { tenantId: tenant.id } });
    expect(reactivated.tenantReactivate.tenant?.status).toBe('ACTIVE');
    expect(await authorize(key.secret!)).toMatchObject({ isAllowed: true, denial: null });
  });
});

describe("the key's spend limit", () => {
  it('allows spend under the limit and reports exactly what remains, refusing an estimate that would pass it', async () => {
    const key = await freshKey();
    await setDailyLimit(key.id, '1.00');
    const limit = toUnits('1.00');

    const untouched = await authorize(key.secret);
    expect(untouched).toMatchObject({ isAllowed: true, denial: null });
    expect(canonical(untouched.remainingSpend!.amount)).toBe('1');
    expect(untouched.limits).toHaveLength(1);
    expect(untouched.limits[0]).toMatchObject({ requestCount: 0, percentUsed: '0.00' });

    const record = usageItem(key.id);
    expect((await recordUsage(gateway, [record])).acceptedCount).toBe(1);
    const spent = independentCost(PRICES.chat, record);
    const remaining = limit - spent;

    const result = await authorize(key.secret);
    expect(result).toMatchObject({ isAllowed: true, denial: null, apiKeyId: key.id, tenantId: world.a.id });
    expect(result.remainingSpend).toEqual({ amount: expect.any(String), currency: 'CNY' });
    expect(canonical(result.remainingSpend!.amount)).toBe(fromUnits(remaining));
    expect(result.limits).toHaveLength(1);
    const [spend] = result.limits;
    expect(spend).toMatchObject({
      scope: { type: 'API_KEY', id: key.id, tenantId: world.a.id },
      period: 'DAILY',
      periodStart: localToday(),
      requestCount: 1,
      percentUsed: percentUsed(spent, limit),
    });
    expect(canonical(spend.spent.amount)).toBe(fromUnits(spent));
    expect(canonical(spend.limit!.amount)).toBe('1');
    expect(canonical(spend.remaining!.amount)).toBe(fromUnits(remaining));

    // An estimate of exactly what remains still fits; one unit more does not.
    expect((await authorize(key.secret, PRICES.chat.model, fromUnits(remaining))).isAllowed).toBe(true);
    const tooDear = await authorize(key.secret, PRICES.chat.model, fromUnits(remaining + 1n));
    expectDenied(tooDear, 'KEY_LIMIT_EXCEEDED', 402);
    expect(tooDear.denial!.scope).toEqual({ type: 'API_KEY', id: key.id, tenantId: world.a.id });
    expect(canonical(tooDear.remainingSpend!.amount)).toBe(fromUnits(remaining));
    const wayTooDear = await authorize(key.secret, PRICES.chat.model, '5');
    expectDenied(wayTooDear, 'KEY_LIMIT_EXCEEDED', 402);
  });

  it("refuses once the day's usage reaches the limit, counting only today", async () => {
    const key = await freshKey();
    await setDailyLimit(key.id, '1.00');
    const at = (tokens: number, occurredAt?: string) =>
      usageItem(key.id, { model: FLAT.model, inputTokens: tokens, outputTokens: 0, ...(occurredAt ? { occurredAt } : {}) });

    // Two days ago is another DAILY period: it does not count against today.
    const earlier = at(5_000_000, new Date(Date.now() - 2 * 86_400_000).toISOString());
    const half = at(500_000);
    expect((await recordUsage(gateway, [earlier, half])).acceptedCount).toBe(2);
    const afterHalf = await authorize(key.secret);
    expect(afterHalf.isAllowed).toBe(true);
    expect(canonical(afterHalf.remainingSpend!.amount)).toBe(fromUnits(toUnits('1') - independentCost(FLAT, half)));

    // Spent equal to the limit: used up.
    const otherHalf = at(500_000);
    expect((await recordUsage(gateway, [otherHalf])).acceptedCount).toBe(1);
    const usedUp = await authorize(key.secret);
    expectDenied(usedUp, 'KEY_LIMIT_EXCEEDED', 402);
    expect(usedUp.denial!.scope).toEqual({ type: 'API_KEY', id: key.id, tenantId: world.a.id });
    expect(canonical(usedUp.remainingSpend!.amount)).toBe('0');

    // Past the limit: still refused, remaining never below zero.
    const over = at(250_000);
    expect((await recordUsage(gateway, [over])).acceptedCount).toBe(1);
    const spent = independentCost(FLAT, half) + independentCost(FLAT, otherHalf) + independentCost(FLAT, over);
    const refused = await authorize(key.secret);
    expectDenied(refused, 'KEY_LIMIT_EXCEEDED', 402);
    expect(canonical(refused.remainingSpend!.amount)).toBe('0');
    expect(refused.limits[0]).toMatchObject({ requestCount: 3, percentUsed: percentUsed(spent, toUnits('1')) });
    expect(refused.limits[0].percentUsed).toBe('125.00');
    expect(canonical(refused.limits[0].spent.amount)).toBe(fromUnits(spent));
    expect(canonical(refused.limits[0].remaining!.amount)).toBe('0');

    // Raising the limit lets the key through again.
    await setDailyLimit(key.id, '2.00');
    const raised = await authorize(key.secret);
    expect(raised.isAllowed).toBe(true);
    expect(canonical(raised.remainingSpend!.amount)).toBe(fromUnits(toUnits('2') - spent));
  });

  it('refuses a negative estimatedCost for the whole call, naming the field', async () => {
    for (const estimatedCost of ['-0.01', '-5']) {
      const result = await gateway.execute(UsageAuthorizeDocument, {
        input: { apiKeySecret: world.a.apiKeySecret, model: PRICES.chat.model, estimatedCost },
      });
      expect(result.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: ['input', 'estimatedCost'] });
      expect(result.data ?? null).toBeNull();
    }
    const float = await gateway.raw(
      'query($secret: String!) { usageAuthorize(input: { apiKeySecret: $secret, model: "chat-pro", estimatedCost: 0.5 }) { isAllowed } }',
      {
        secret: world.a.apiKeySecret,
      },
    );
    expect(float.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});

describe('who may ask', () => {
  it('refuses every role but the gateway with FORBIDDEN', async () => {
    const tokens = [world.adminToken, world.a.tokens.TENANT_ADMIN, world.a.tokens.TENANT_FINANCE, world.a.tokens.TENANT_VIEWER, world.a.tokens.ERP];
    for (const token of tokens) {
      const result = await test.client(token).execute(UsageAuthorizeDocument, { input: { apiKeySecret: world.a.apiKeySecret, model: PRICES.chat.model } });
      expect(result.errors?.[0].extensions?.code).toBe('FORBIDDEN');
      expect(result.data ?? null).toBeNull();
    }
  });

  it('refuses a caller without a token with 401 UNAUTHENTICATED', async () => {
    const result = await test.client().execute(UsageAuthorizeDocument, { input: { apiKeySecret: world.a.apiKeySecret, model: PRICES.chat.model } });
    expect(result.status).toBe(401);
    expect(result.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect(result.data ?? null).toBeNull();
  });
});
