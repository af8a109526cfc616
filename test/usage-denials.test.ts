import { randomUUID } from 'node:crypto';
import { FixedClock } from '../src/platform/clock.js';
import { createLogger } from '../src/platform/logger.js';
import { UsageDenialLog } from '../src/modules/usage/usage-denials.js';
import { BudgetSetDocument, NodeDocument, RateLimitSetDocument, UsageAuthorizeDocument, UsageDenialsDocument } from './generated/graphql.js';
import type { World } from './support/fixtures.js';
import type { GraphQLClient, TestApp } from './support/harness.js';
import { createKey, PRICES, reserveUsage, startUsageTest, type CreatedKey } from './support/usage-fixtures.js';

/*
 * Refusals of the gateway's checks on record (issue 17, item 2): a support agent answers "which
 * limit refused this key at 10:32?" after the fact, and a flood of refusals is a bounded number of
 * rows. The clock stands at 10:32:10 in Shanghai (02:32:10 UTC), so every refusal falls in one minute.
 */
const clock = new FixedClock(new Date('2026-11-30T02:32:10.000Z'));
const MINUTE = '2026-11-30T02:32:00.000Z';
let test: TestApp;
let world: World;
let gateway: GraphQLClient;
/** A key of tenant a under a department whose hard daily budget is 0.01 CNY. */
let budgeted: CreatedKey;

beforeAll(async () => {
  ({ test, world, gateway } = await startUsageTest({ clock }));
  const budget = await world.admin.data(BudgetSetDocument, {
    input: { scope: { departmentId: world.a.childDepartmentId }, period: 'DAILY', limit: '0.01', isHard: true },
  });
  expect(budget.budgetSet.userErrors).toEqual([]);
  budgeted = await createKey(test, world.admin, { departmentId: world.a.grandchildDepartmentId });
});
afterAll(() => test.stop());

/** The rows on record for a key, once the server has written `total` refusals of it (it writes each second). */
async function rowsOnRecord(apiKeyId: string, total: number) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const { rows } = await test.sql.query<{ check: string; code: string; count: number }>(
      `select "check", code, count::int as count from usage_denial where api_key_id = $1 order by "check", code`,
      [apiKeyId],
    );
    if (rows.reduce((sum, row) => sum + row.count, 0) >= total || Date.now() > deadline) return rows;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

it('puts 10,000 refusals of one key in one minute on record as one row', async () => {
  let next = 0;
  const codes = new Map<string, number>();
  await Promise.all(
    Array.from({ length: 50 }, async () => {
      while (next++ < 10_000) {
        const { usageAuthorize } = await gateway.data(UsageAuthorizeDocument, {
          input: { apiKeySecret: budgeted.secret, model: PRICES.chat.model, estimatedCost: '1.00' },
        });
        codes.set(usageAuthorize.denial!.code, (codes.get(usageAuthorize.denial!.code) ?? 0) + 1);
      }
    }),
  );
  expect(Object.fromEntries(codes)).toEqual({ BUDGET_EXCEEDED: 10_000 });
  expect(await rowsOnRecord(budgeted.id, 10_000)).toEqual([{ check: 'AUTHORIZE', code: 'BUDGET_EXCEEDED', count: 10_000 }]);
}, 60_000);

it('answers which limit refused the key at 10:32, to the tenant and to the operator', async () => {
  const filter = { apiKeyId: budgeted.id, from: '2026-11-30T02:32:00.000Z', to: '2026-11-30T02:33:00.000Z' };
  for (const client of [test.client(world.a.tokens.TENANT_FINANCE), world.admin]) {
    const { usageDenials } = await client.data(UsageDenialsDocument, { filter, first: 10 });
    expect(usageDenials.totalCount).toBe(1);
    const [entry] = usageDenials.nodes;
    expect(entry).toMatchObject({
      minute: MINUTE,
      check: 'AUTHORIZE',
      code: 'BUDGET_EXCEEDED',
      httpStatus: 402,
      model: PRICES.chat.model,
      count: 10_000,
      scope: { type: 'DEPARTMENT', id: world.a.childDepartmentId, tenantId: world.a.id },
      apiKey: { id: budgeted.id },
      tenant: { id: world.a.id },
    });
    // The message names the limit: the department's daily budget.
    expect(entry.message).toContain(world.a.childDepartmentId);
    expect(entry.message.toLowerCase()).toContain('daily budget');
    // The key shows by its prefix, never its secret.
    expect(budgeted.secret.startsWith(entry.apiKey.secretPrefix)).toBe(true);
    expect(JSON.stringify(usageDenials)).not.toContain(budgeted.secret);
    expect(entry.firstAt <= entry.lastAt).toBe(true);
  }
  // Nothing for the minute after.
  const later = await world.admin.data(UsageDenialsDocument, { filter: { ...filter, from: '2026-11-30T02:33:00.000Z', to: '2026-11-30T02:40:00.000Z' } });
  expect(later.usageDenials.totalCount).toBe(0);
});

it("keeps usageReserve's refusals apart from usageAuthorize's, and none of a secret no key has", async () => {
  const limited = await createKey(test, world.admin, { departmentId: world.a.rootDepartmentId });
  const limit = await world.admin.data(RateLimitSetDocument, { input: { scope: { apiKeyId: limited.id }, requestsPerMinute: 1 } });
  expect(limit.rateLimitSet.userErrors).toEqual([]);
  const reserve = () =>
    reserveUsage(gateway, { apiKeySecret: limited.secret, model: PRICES.chat.model, requestId: `req-${randomUUID()}`, estimatedCost: '0.01' });
  expect((await reserve()).isAllowed).toBe(true);
  expect((await reserve()).denial).toMatchObject({ code: 'RATE_LIMITED', httpStatus: 429 });
  const unknown = await gateway.data(UsageAuthorizeDocument, { input: { apiKeySecret: `sk-live-${'x'.repeat(43)}`, model: PRICES.chat.model } });
  expect(unknown.usageAuthorize.denial!.code).toBe('KEY_INVALID');

  expect(await rowsOnRecord(limited.id, 1)).toEqual([{ check: 'RESERVE', code: 'RATE_LIMITED', count: 1 }]);
  const { rows } = await test.sql.query(`select count(*)::int as count from usage_denial where code = 'KEY_INVALID'`);
  expect(rows[0].count).toBe(0);
  const { usageDenials } = await world.admin.data(UsageDenialsDocument, { filter: { apiKeyId: limited.id } });
  expect(usageDenials.nodes).toEqual([
    expect.objectContaining({
      check: 'RESERVE',
      code: 'RATE_LIMITED',
      httpStatus: 429,
      count: 1,
      scope: { type: 'API_KEY', id: limited.id, tenantId: world.a.id },
    }),
  ]);
});

it("shows another tenant's refusals to no one but the operator", async () => {
  const [entry] = (await world.admin.data(UsageDenialsDocument, { filter: { apiKeyId: budgeted.id } })).usageDenials.nodes;
  const otherAdmin = test.client(world.b.tokens.TENANT_ADMIN);
  // Tenant b lists its own refusals only: none.
  expect((await otherAdmin.data(UsageDenialsDocument, {})).usageDenials.totalCount).toBe(0);
  // Naming a's key or a's tenant is NOT_FOUND, and a's entry by id is null.
  for (const filter of [{ apiKeyId: budgeted.id }, { tenantId: world.a.id }]) {
    const answer = await otherAdmin.execute(UsageDenialsDocument, { filter });
    expect(answer.data).toBeNull();
    expect(answer.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  }
  expect((await otherAdmin.data(NodeDocument, { id: entry.id })).node).toBeNull();
  // The ERP and the gateway read no refusals at all.
  for (const token of [world.a.tokens.ERP, world.gatewayToken]) {
    const answer = await test.client(token).execute(UsageDenialsDocument, {});
    expect(answer.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  }
});

it('deletes refusals past the retention when a server starts, and keeps the rest', async () => {
  const old = new Date(clock.now().getTime() - 31 * 86_400_000);
  await test.sql.query(
    `insert into usage_denial (id, tenant_id, api_key_id, minute, "check", code, model, http_status, message, count, first_at, last_at)
     values ('den_01KB0000000000000000000001', $1, $2, $3, 'AUTHORIZE', 'KEY_REVOKED', 'gpt-4o', 401, 'This API key has been revoked.', 3, $3, $3)`,
    [world.a.id, budgeted.id, old],
  );
  const log = new UsageDenialLog(test.sql, clock, createLogger('silent'), 30 * 86_400_000);
  await log.start();
  await log.stop();
  const { rows } = await test.sql.query<{ minute: Date }>(`select minute from usage_denial where api_key_id = $1`, [budgeted.id]);
  expect(rows.map((row) => row.minute.toISOString())).toEqual([MINUTE]);
});
