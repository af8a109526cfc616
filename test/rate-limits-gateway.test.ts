import { randomUUID } from 'node:crypto';
import {
  DepartmentCreateDocument,
  RateLimitDeleteDocument,
  RateLimitsDocument,
  RateLimitSetDocument,
  TenantCreateDocument,
  TenantRateLimitCeilingDocument,
  TenantRateLimitCeilingSetDocument,
  UsageAuthorizeDocument,
  type RateLimitSetInput,
} from './generated/graphql.js';
import { Role } from '../src/platform/auth/roles.js';
import { FixedClock } from '../src/platform/clock.js';
import type { World } from './support/fixtures.js';
import { GraphQLClient, type TestApp } from './support/harness.js';
import { startServerProcess, type ServerProcess } from './support/server-process.js';
import { createKey, PRICES, recordUsage, reserveUsage, startUsageTest, usageItem, type CreatedKey } from './support/usage-fixtures.js';

/**
 * Requests- and tokens-per-minute limits on the gateway path, on the real database: counted
 * across two server processes (as behind a load balancer), refused with RATE_LIMITED (429).
 */

let test: TestApp;
let world: World;
let otherProcess: ServerProcess;
/** The in-process server's clock; the other process runs on the system clock. */
const clock = new FixedClock(new Date());
let gateway: GraphQLClient;
let otherGateway: GraphQLClient;

beforeAll(async () => {
  ({ test, world, gateway } = await startUsageTest({ clock }));
  otherProcess = await startServerProcess(test.databaseUrl);
  otherGateway = new GraphQLClient(otherProcess.url, world.gatewayToken);
}, 60_000);
afterAll(async () => {
  expect(await otherProcess.stop()).toBe(0);
  await test.stop();
});

/**
 * Puts both processes in the same minute with time to spare: a test that counts across the two
 * must not straddle a minute boundary, where the sliding estimate weighs the earlier minute by less than 1.
 */
async function atFreshMinute(): Promise<void> {
  const secondsIntoMinute = (Date.now() / 1000) % 60;
  if (secondsIntoMinute > 45) await new Promise((resolve) => setTimeout(resolve, (61 - secondsIntoMinute) * 1000));
  clock.set(new Date());
}

interface Tree {
  tenantId: string;
  rootDepartmentId: string;
  childDepartmentId: string;
  otherDepartmentId: string;
  key: CreatedKey;
}

/** A tenant of its own: root -> child (with a key), and a second root department. */
async function tenantWithKey(): Promise<Tree> {
  const tenant = (await world.admin.data(TenantCreateDocument, { input: { name: `Rate limits ${randomUUID()}` } })).tenantCreate.tenant!;
  const department = async (name: string, parentId?: string) =>
    (await world.admin.data(DepartmentCreateDocument, { input: { tenantId: tenant.id, parentId, name } })).departmentCreate.department!.id;
  const rootDepartmentId = await department('Research');
  const childDepartmentId = await department('Agents', rootDepartmentId);
  const otherDepartmentId = await department('Sales');
  return {
    tenantId: tenant.id,
    rootDepartmentId,
    childDepartmentId,
    otherDepartmentId,
    key: await createKey(test, world.admin, { departmentId: childDepartmentId }),
  };
}

async function setLimit(client: GraphQLClient, input: RateLimitSetInput) {
  return (await client.data(RateLimitSetDocument, { input })).rateLimitSet;
}

async function setLimitOrFail(input: RateLimitSetInput): Promise<void> {
  expect((await setLimit(world.admin, input)).userErrors).toEqual([]);
}

function reserve(client: GraphQLClient, key: CreatedKey, estimate: { estimatedCost?: string; tokens?: number } = { estimatedCost: '0.01' }) {
  return reserveUsage(client, {
    apiKeySecret: key.secret,
    model: PRICES.chat.model,
    requestId: `req-${randomUUID()}`,
    ...(estimate.tokens === undefined
      ? { estimatedCost: estimate.estimatedCost }
      : { estimatedUsage: { inputTokens: estimate.tokens / 2, outputTokens: estimate.tokens / 2 } }),
  });
}

async function windowOf(scopeId: string): Promise<{ requests: number; tokens: number }> {
  const { rows } = await test.sql.query<{ requests: string; tokens: string }>(
    'select coalesce(sum(requests), 0)::text as requests, coalesce(sum(tokens), 0)::text as tokens from rate_window where scope_id = $1',
    [scopeId],
  );
  return { requests: Number(rows[0].requests), tokens: Number(rows[0].tokens) };
}

describe('usageReserve on two server processes', () => {
  it('allows exactly the requests-per-minute limit of a key among concurrent calls, and refuses the rest with 429', async () => {
    await atFreshMinute();
    const { key } = await tenantWithKey();
    await setLimitOrFail({ scope: { apiKeyId: key.id }, requestsPerMinute: 10 });
    const answers = await Promise.all(Array.from({ length: 30 }, (_, index) => reserve(index % 2 ? otherGateway : gateway, key)));
    const denials = answers.filter((answer) => !answer.isAllowed).map((answer) => answer.denial!);
    expect(answers.filter((answer) => answer.isAllowed)).toHaveLength(10);
    expect(denials).toHaveLength(20);
    for (const denial of denials) {
      expect(denial).toMatchObject({ code: 'RATE_LIMITED', httpStatus: 429, scope: { type: 'API_KEY', id: key.id } });
      expect(denial.retryAfterSeconds).toBeGreaterThan(0);
      expect(denial.message).toContain(`The requests-per-minute limit of api key ${key.id} (10)`);
    }
    expect(await windowOf(key.id)).toEqual({ requests: 10, tokens: 0 });
  }, 30_000);

  it('counts estimated tokens against a tokens-per-minute limit, and trues them up when the usage is recorded', async () => {
    await atFreshMinute();
    const { key } = await tenantWithKey();
    await setLimitOrFail({ scope: { apiKeyId: key.id }, tokensPerMinute: 10_000 });
    const first = await reserve(gateway, key, { tokens: 4_000 });
    const second = await reserve(otherGateway, key, { tokens: 4_000 });
    expect([first.isAllowed, second.isAllowed]).toEqual([true, true]);
    const third = await reserve(gateway, key, { tokens: 4_000 });
    expect(third.denial).toMatchObject({ code: 'RATE_LIMITED', httpStatus: 429 });
    expect(third.denial!.message).toContain('tokens-per-minute limit');
    expect(third.denial!.retryAfterSeconds).toBeGreaterThan(0);
    // Each call used 1,500 tokens (usageItem: 1,000 in, 500 out), not the 4,000 reserved.
    const occurredAt = clock.now().toISOString();
    const recorded = await recordUsage(gateway, [
      usageItem(key.id, { requestId: first.reservation!.requestId, occurredAt }),
      usageItem(key.id, { requestId: second.reservation!.requestId, occurredAt }),
    ]);
    expect(recorded.acceptedCount).toBe(2);
    expect(await windowOf(key.id)).toEqual({ requests: 2, tokens: 3_000 });
    expect((await reserve(otherGateway, key, { tokens: 4_000 })).isAllowed).toBe(true);
    // A record that was not reserved counts as a request and its tokens.
    await recordUsage(gateway, [usageItem(key.id, { occurredAt })]);
    expect(await windowOf(key.id)).toEqual({ requests: 4, tokens: 8_500 });
  }, 30_000);

  it('applies a department limit to every key below it, and to no other', async () => {
    await atFreshMinute();
    const tree = await tenantWithKey();
    const outside = await createKey(test, world.admin, { departmentId: tree.otherDepartmentId });
    await setLimitOrFail({ scope: { departmentId: tree.rootDepartmentId }, requestsPerMinute: 3 });
    const allowed = [];
    for (let call = 0; call < 3; call++) allowed.push((await reserve(call % 2 ? otherGateway : gateway, tree.key)).isAllowed);
    expect(allowed).toEqual([true, true, true]);
    const denied = await reserve(otherGateway, tree.key);
    expect(denied.denial).toMatchObject({ code: 'RATE_LIMITED', scope: { type: 'DEPARTMENT', id: tree.rootDepartmentId, tenantId: tree.tenantId } });
    expect(denied.denial!.message).toContain(`The requests-per-minute limit of department ${tree.rootDepartmentId} (3)`);
    expect((await reserve(gateway, outside)).isAllowed).toBe(true);
  }, 30_000);
});

describe('the sliding window', () => {
  it('still counts the previous minute just after it ends, and allows again once it has slid past', async () => {
    const { key } = await tenantWithKey();
    await setLimitOrFail({ scope: { apiKeyId: key.id }, requestsPerMinute: 10 });
    const minute = Math.floor(Date.now() / 60_000) * 60_000;
    clock.set(new Date(minute + 50_000));
    for (let call = 0; call < 10; call++) expect((await reserve(gateway, key)).isAllowed).toBe(true);
    const full = await reserve(gateway, key);
    expect(full.denial).toMatchObject({ code: 'RATE_LIMITED' });
    // 10 s left in this minute, then 6 s until the previous minute weighs 9 of its 10.
    expect(full.denial!.retryAfterSeconds).toBe(17);
    // 1 s into the next minute, the previous one still weighs 59/60 of 10: no burst of twice the limit.
    clock.set(new Date(minute + 61_000));
    expect((await reserve(gateway, key)).denial).toMatchObject({ code: 'RATE_LIMITED' });
    clock.set(new Date(minute + 67_000));
    expect((await reserve(gateway, key)).isAllowed).toBe(true);
    clock.set(new Date(minute + 181_000));
    for (let call = 0; call < 10; call++) expect((await reserve(gateway, key)).isAllowed).toBe(true);
    // Windows too old to count are dropped as the scope is written.
    const { rows } = await test.sql.query<{ count: number }>('select count(*)::int as count from rate_window where scope_id = $1', [key.id]);
    expect(rows[0].count).toBeLessThanOrEqual(2);
  }, 30_000);
});

describe('usageAuthorize', () => {
  it('denies once recorded usage fills the window, on the process that recorded it and on the other', async () => {
    await atFreshMinute();
    const { key } = await tenantWithKey();
    await setLimitOrFail({ scope: { apiKeyId: key.id }, requestsPerMinute: 5 });
    const authorize = async (client: GraphQLClient) =>
      (await client.data(UsageAuthorizeDocument, { input: { apiKeySecret: key.secret, model: PRICES.chat.model } })).usageAuthorize;
    // Both processes keep the key's facts first, so only the event can tell the other one.
    expect((await authorize(gateway)).isAllowed).toBe(true);
    expect((await authorize(otherGateway)).isAllowed).toBe(true);
    expect((await authorize(otherGateway)).isAllowed).toBe(true);
    const occurredAt = clock.now().toISOString();
    await recordUsage(
      gateway,
      Array.from({ length: 5 }, () => usageItem(key.id, { occurredAt })),
    );
    expect((await authorize(gateway)).denial).toMatchObject({ code: 'RATE_LIMITED', httpStatus: 429, scope: { id: key.id } });
    const deadline = Date.now() + 5_000;
    let answer = await authorize(otherGateway);
    while (answer.isAllowed && Date.now() < deadline) answer = await authorize(otherGateway);
    expect(answer.denial).toMatchObject({ code: 'RATE_LIMITED', httpStatus: 429 });
    expect(answer.denial!.retryAfterSeconds).toBeGreaterThan(0);
  }, 30_000);
});

describe('setting rate limits', () => {
  it('refuses a tenant admin a limit above the ceiling, naming the field, and writes nothing', async () => {
    const tree = await tenantWithKey();
    const tenantAdmin = test.client(await test.tokenFor(Role.TENANT_ADMIN, tree.tenantId));
    const audits = async () =>
      (await test.sql.query<{ count: number }>('select count(*)::int as count from audit_entry where tenant_id = $1', [tree.tenantId])).rows[0].count;
    const auditsBefore = await audits();
    const refused = await setLimit(tenantAdmin, { scope: { departmentId: tree.rootDepartmentId }, requestsPerMinute: 5_001, tokensPerMinute: 5_000_001 });
    expect(refused.rateLimit).toBeNull();
    expect(refused.userErrors).toEqual([
      {
        code: 'TOO_LARGE',
        field: ['input', 'requestsPerMinute'],
        message: "requestsPerMinute must be at most the tenant's ceiling of 5000, which the operator sets",
      },
      {
        code: 'TOO_LARGE',
        field: ['input', 'tokensPerMinute'],
        message: "tokensPerMinute must be at most the tenant's ceiling of 5000000, which the operator sets",
      },
    ]);
    expect(await audits()).toBe(auditsBefore);
    expect((await test.sql.query('select 1 from rate_limit where tenant_id = $1', [tree.tenantId])).rowCount).toBe(0);

    // The operator raises the ceiling; the same limit is then allowed, and the ceiling cannot drop below it.
    const raised = (
      await world.admin.data(TenantRateLimitCeilingSetDocument, { input: { tenantId: tree.tenantId, requestsPerMinute: 8_000, tokensPerMinute: 9_000_000 } })
    ).tenantRateLimitCeilingSet;
    expect(raised.rateLimitCeiling).toEqual({ tenantId: tree.tenantId, requestsPerMinute: 8_000, tokensPerMinute: 9_000_000, isSet: true });
    const set = await setLimit(tenantAdmin, { scope: { departmentId: tree.rootDepartmentId }, requestsPerMinute: 5_001 });
    expect(set.userErrors).toEqual([]);
    expect(set.rateLimit).toMatchObject({ scope: { type: 'DEPARTMENT', id: tree.rootDepartmentId }, requestsPerMinute: 5_001, tokensPerMinute: null });
    const lowered = (
      await world.admin.data(TenantRateLimitCeilingSetDocument, { input: { tenantId: tree.tenantId, requestsPerMinute: 5_000, tokensPerMinute: 9_000_000 } })
    ).tenantRateLimitCeilingSet;
    expect(lowered.userErrors).toMatchObject([{ code: 'TOO_SMALL', field: ['input', 'requestsPerMinute'] }]);
    const { tenant } = await tenantAdmin.data(TenantRateLimitCeilingDocument, { id: tree.tenantId });
    expect(tenant!.rateLimitCeiling).toMatchObject({ requestsPerMinute: 8_000, isSet: true });
    // A tenant admin cannot set the ceiling.
    const forbidden = await tenantAdmin.raw(
      'mutation { tenantRateLimitCeilingSet(input: { tenantId: "' + tree.tenantId + '", requestsPerMinute: 1, tokensPerMinute: 1 }) { userErrors { code } } }',
    );
    expect(forbidden.errors?.[0].extensions?.code).toBe('FORBIDDEN');

    const listed = await tenantAdmin.data(RateLimitsDocument, {});
    expect(listed.rateLimits.nodes.map((limit) => limit.scope.id)).toEqual([tree.rootDepartmentId]);
    const deleted = (await tenantAdmin.data(RateLimitDeleteDocument, { input: { scope: { departmentId: tree.rootDepartmentId } } })).rateLimitDelete;
    expect(deleted.userErrors).toEqual([]);
    expect((await tenantAdmin.data(RateLimitsDocument, {})).rateLimits.totalCount).toBe(0);
    expect(await audits()).toBe(auditsBefore + 3);
  });

  it("answers NOT_FOUND for another tenant's scope", async () => {
    const tenantAdminOfB = test.client(world.b.tokens.TENANT_ADMIN);
    const refused = await setLimit(tenantAdminOfB, { scope: { departmentId: world.a.rootDepartmentId }, requestsPerMinute: 10 });
    expect(refused.userErrors).toMatchObject([{ code: 'NOT_FOUND', field: ['input', 'scope', 'departmentId'] }]);
    const deleted = (await tenantAdminOfB.data(RateLimitDeleteDocument, { input: { scope: { apiKeyId: world.a.apiKeyId } } })).rateLimitDelete;
    expect(deleted.userErrors).toMatchObject([{ code: 'NOT_FOUND', field: ['input', 'scope', 'apiKeyId'] }]);
    const listed = await tenantAdminOfB.raw('query ($id: ID) { rateLimits(filter: { tenantId: $id }) { totalCount } }', { id: world.a.id });
    expect(listed.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });

  it.each([
    [{ requestsPerMinute: 0 }, 'requestsPerMinute', 'TOO_SMALL'],
    [{ requestsPerMinute: -5 }, 'requestsPerMinute', 'TOO_SMALL'],
    [{ tokensPerMinute: 1_000_000_001 }, 'tokensPerMinute', 'TOO_LARGE'],
    [{ requestsPerMinute: null, tokensPerMinute: null }, 'requestsPerMinute', 'BLANK'],
  ])('refuses %j with a userError on %s', async (values, field, code) => {
    const result = await setLimit(world.admin, { scope: { apiKeyId: world.a.apiKeyId }, ...values });
    expect(result.rateLimit).toBeNull();
    expect(result.userErrors).toMatchObject([{ code, field: ['input', field] }]);
    expect(result.userErrors[0].message).toMatch(new RegExp(`^(${field}|give requestsPerMinute)`));
  });
});
