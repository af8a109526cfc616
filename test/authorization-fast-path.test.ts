import { randomUUID } from 'node:crypto';
import {
  ApiKeyRevokeDocument,
  BudgetSetDocument,
  DepartmentCreateDocument,
  TenantCreateDocument,
  TenantSuspendDocument,
  UsageAuthorizeDocument,
  type UsageAuthorizeQuery,
} from './generated/graphql.js';
import type { World } from './support/fixtures.js';
import { GraphQLClient, type TestApp } from './support/harness.js';
import { startServerProcess, type ServerProcess } from './support/server-process.js';
import { createKey, fromUnits, independentCost, PRICES, recordUsage, startUsageTest, toUnits, usageItem, type CreatedKey } from './support/usage-fixtures.js';

/**
 * usageAuthorize answers from what each server process keeps of its keys, budgets and spend,
 * kept current by the events every process receives. A change made through one process must
 * reach the other's answers within 100 ms; while the event connection is down, answers come
 * from the database.
 */

type Authorization = UsageAuthorizeQuery['usageAuthorize'];

let test: TestApp;
let world: World;
let otherProcess: ServerProcess;
/** The gateway on the other process: the one whose kept facts are under test. */
let otherGateway: GraphQLClient;

const ITEM_COST = independentCost(PRICES.chat, usageItem('key_x'));
const PROPAGATION_MS = 100;

beforeAll(async () => {
  ({ test, world } = await startUsageTest());
  otherProcess = await startServerProcess(test.databaseUrl);
  otherGateway = new GraphQLClient(otherProcess.url, world.gatewayToken);
  // The other process compiles its hot paths first, so the timings below are of events, not of the JIT.
  for (let call = 0; call < 50; call++) await authorize({ id: world.a.apiKeyId, secret: world.a.apiKeySecret });
}, 60_000);
afterAll(async () => {
  expect(await otherProcess.stop()).toBe(0);
  await test.stop();
});

async function authorize(key: CreatedKey, estimatedCost?: string): Promise<Authorization> {
  return (await otherGateway.data(UsageAuthorizeDocument, { input: { apiKeySecret: key.secret, model: PRICES.chat.model, estimatedCost } })).usageAuthorize;
}

/**
 * Asks the other process until `isSeen` holds of its answer: how long after the change (made just
 * before the call) the first request that saw it was sent, in ms.
 */
async function timeUntilSeen(key: CreatedKey, isSeen: (answer: Authorization) => boolean, estimatedCost?: string): Promise<number> {
  const changed = performance.now();
  while (performance.now() - changed < 5_000) {
    const sent = performance.now();
    if (isSeen(await authorize(key, estimatedCost))) return sent - changed;
  }
  throw new Error('the other process never saw the change');
}

/** A tenant of its own with one department and a key, answered once by the other process so it keeps the key's facts. */
async function warmKey(): Promise<{ tenantId: string; departmentId: string; key: CreatedKey }> {
  const tenant = (await world.admin.data(TenantCreateDocument, { input: { name: `Fast path ${randomUUID()}` } })).tenantCreate.tenant!;
  const department = (await world.admin.data(DepartmentCreateDocument, { input: { tenantId: tenant.id, name: 'Gateway users' } })).departmentCreate.department!;
  const key = await createKey(test, world.admin, { departmentId: department.id });
  expect(await authorize(key)).toMatchObject({ isAllowed: true });
  return { tenantId: tenant.id, departmentId: department.id, key };
}

describe('the other process sees changes within 100 ms', () => {
  it('a revoked key', async () => {
    const { key } = await warmKey();
    const { apiKeyRevoke } = await world.admin.data(ApiKeyRevokeDocument, { input: { apiKeyId: key.id } });
    expect(apiKeyRevoke.userErrors).toEqual([]);
    expect(await timeUntilSeen(key, (answer) => answer.denial?.code === 'KEY_REVOKED')).toBeLessThan(PROPAGATION_MS);
  });

  it('a lowered hard budget', async () => {
    const { departmentId, key } = await warmKey();
    const budget = { scope: { departmentId }, period: 'MONTHLY' as const, isHard: true };
    expect((await world.admin.data(BudgetSetDocument, { input: { ...budget, limit: '100' } })).budgetSet.userErrors).toEqual([]);
    expect(await timeUntilSeen(key, (answer) => answer.limits.length === 1, '10')).toBeLessThan(PROPAGATION_MS);
    expect(await authorize(key, '10')).toMatchObject({ isAllowed: true });

    expect((await world.admin.data(BudgetSetDocument, { input: { ...budget, limit: '5' } })).budgetSet.userErrors).toEqual([]);
    expect(await timeUntilSeen(key, (answer) => answer.denial?.code === 'BUDGET_EXCEEDED', '10')).toBeLessThan(PROPAGATION_MS);
  });

  it('a suspended tenant', async () => {
    const { tenantId, key } = await warmKey();
    const { tenantSuspend } = await world.admin.data(TenantSuspendDocument, { input: { tenantId, reason: 'Unpaid invoices' } });
    expect(tenantSuspend.userErrors).toEqual([]);
    expect(await timeUntilSeen(key, (answer) => answer.denial?.code === 'TENANT_SUSPENDED')).toBeLessThan(PROPAGATION_MS);
  });

  it('spend recorded through the first process, to the fen', async () => {
    const { departmentId, key } = await warmKey();
    const limit = '1.00';
    const { budgetSet } = await world.admin.data(BudgetSetDocument, { input: { scope: { departmentId }, period: 'MONTHLY', limit, isHard: true } });
    expect(budgetSet.userErrors).toEqual([]);
    await timeUntilSeen(key, (answer) => answer.limits.length === 1);

    await recordUsage(test.client(world.gatewayToken), [usageItem(key.id), usageItem(key.id)]);
    const remaining = toUnits(limit) - 2n * ITEM_COST;
    expect(await timeUntilSeen(key, (answer) => toUnits(answer.remainingSpend!.amount) === remaining)).toBeLessThan(PROPAGATION_MS);
    const answer = await authorize(key, fromUnits(remaining + 1n));
    expect(answer).toMatchObject({ isAllowed: false, denial: { code: 'BUDGET_EXCEEDED' } });
    expect(answer.limits[0]).toMatchObject({ requestCount: 2 });
    expect(toUnits(answer.limits[0].spent.amount)).toBe(2n * ITEM_COST);
  });
});

describe('what the other process answers from', () => {
  it('answers a key it keeps without the database, and reads a cold one from it', async () => {
    const { key } = await warmKey();
    const cold = await createKey(test, world.admin, { departmentId: world.a.grandchildDepartmentId });
    const lock = await test.sql.connect();
    try {
      // With api_key locked against every read, only an answer that needs no database comes back.
      await lock.query('begin');
      await lock.query('lock table api_key in access exclusive mode');
      const settled = await Promise.race([
        authorize(key).then((answer) => answer.isAllowed),
        new Promise((resolve) => setTimeout(() => resolve('timed out'), 2_000)),
      ]);
      expect(settled).toBe(true);
      const coldAnswer = authorize(cold);
      const coldSettled = await Promise.race([coldAnswer.then(() => 'answered'), new Promise((resolve) => setTimeout(() => resolve('waiting'), 300))]);
      expect(coldSettled).toBe('waiting');
      await lock.query('rollback');
      expect(await coldAnswer).toMatchObject({ isAllowed: true, apiKeyId: cold.id });
    } finally {
      lock.release();
    }
  });

  it('reads the database while its event connection is down, and drops what it kept when it is back', async () => {
    const [asked, unasked] = [await warmKey(), await warmKey()];
    // Cut this database's LISTEN connections; changes made behind the processes' backs announce nothing.
    await test.sql.query(`select pg_terminate_backend(pid) from pg_stat_activity
                           where datname = current_database() and query like 'listen %' and pid <> pg_backend_pid()`);
    await new Promise((resolve) => setTimeout(resolve, 20)); // the processes notice; the first reconnect waits 100 ms
    await test.sql.query(`update api_key set status = 'REVOKED', revoked_at = now() where id = any($1)`, [[asked.key.id, unasked.key.id]]);
    expect(await authorize(asked.key)).toMatchObject({ isAllowed: false, denial: { code: 'KEY_REVOKED' } });
    // Reconnected, it no longer trusts what it kept from before: the key not asked about meanwhile is read afresh.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await authorize(unasked.key)).toMatchObject({ isAllowed: false, denial: { code: 'KEY_REVOKED' } });
  });
});
