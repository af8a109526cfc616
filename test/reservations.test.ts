import { randomUUID } from 'node:crypto';
import {
  BalanceTopUpDocument,
  BudgetSetDocument,
  ContractCreateDocument,
  DepartmentCreateDocument,
  TenantCreateDocument,
  UsageReleaseDocument,
  UsageReserveDocument,
  type ContractTermsInput,
} from './generated/graphql.js';
import type { World } from './support/fixtures.js';
import { GraphQLClient, type TestApp } from './support/harness.js';
import { startServerProcess, type ServerProcess } from './support/server-process.js';
import {
  createKey,
  fromUnits,
  independentCost,
  PRICE_BOOK_START,
  PRICES,
  recordUsage,
  reserveUsage,
  setPrice,
  startUsageTest,
  toUnits,
  usageItem,
  type CreatedKey,
} from './support/usage-fixtures.js';

/**
 * Reserve-then-record cycles of the gateway against every kind of limit, spread over two server
 * processes on one database (as behind a load balancer): with estimates at least the real cost no
 * limit is passed; with estimates short of it, by at most what they fell short.
 */

let test: TestApp;
let world: World;
let otherProcess: ServerProcess;
/** Gateway clients of both processes; cycles alternate between them. */
let gateways: GraphQLClient[];

const ITEM_COST = independentCost(PRICES.chat, usageItem('key_x'));
const CALLERS = 60;
/** Room for ten calls and part of one more, in whole fen (limits, top-ups): the eleventh must be refused. */
const FEN = 10n ** 14n;
const ROOM = ((ITEM_COST * 21n) / 2n / FEN) * FEN;

beforeAll(async () => {
  ({ test, world } = await startUsageTest());
  otherProcess = await startServerProcess(test.databaseUrl);
  gateways = [test.client(world.gatewayToken), new GraphQLClient(otherProcess.url, world.gatewayToken)];
}, 60_000);
afterAll(async () => {
  expect(await otherProcess.stop()).toBe(0);
  await test.stop();
});

/** A tenant of its own with one department, a contract in force this month and a key (backdated). */
async function tenantWithKey(terms: ContractTermsInput): Promise<{ tenantId: string; departmentId: string; key: CreatedKey }> {
  const tenant = (await world.admin.data(TenantCreateDocument, { input: { name: `Reservations ${randomUUID()}` } })).tenantCreate.tenant!;
  const department = (await world.admin.data(DepartmentCreateDocument, { input: { tenantId: tenant.id, name: 'Gateway users' } })).departmentCreate.department!;
  const { contractCreate } = await world.admin.data(ContractCreateDocument, {
    input: { tenantId: tenant.id, type: 'PAY_AS_YOU_GO', startPeriod: new Date().toISOString().slice(0, 7), terms },
  });
  expect(contractCreate.userErrors).toEqual([]);
  return { tenantId: tenant.id, departmentId: department.id, key: await createKey(test, world.admin, { departmentId: department.id }) };
}

/** CALLERS concurrent cycles: reserve `estimate`, and record the call (costing ITEM_COST) when allowed. */
async function cycles(key: CreatedKey, estimate: bigint): Promise<{ allowed: number; denials: string[]; spent: bigint }> {
  const denials: string[] = [];
  const cycle = async (index: number) => {
    const gateway = gateways[index % gateways.length];
    const item = usageItem(key.id);
    const { isAllowed, denial } = await reserveUsage(gateway, {
      apiKeySecret: key.secret,
      model: PRICES.chat.model,
      estimatedCost: fromUnits(estimate),
      requestId: item.requestId,
    });
    if (!isAllowed) {
      denials.push(denial!.code);
      return false;
    }
    await recordUsage(gateway, [item]);
    return true;
  };
  const allowed = (await Promise.all(Array.from({ length: CALLERS }, (_, index) => cycle(index)))).filter(Boolean).length;
  const { rows } = await test.sql.query<{ spent: string; holds: number }>(
    `select coalesce(sum(charged_amount), 0)::text as spent, (select count(*)::int from spend_hold where api_key_id = $1) as holds
       from usage_record where api_key_id = $1`,
    [key.id],
  );
  expect(rows[0].holds).toBe(0); // every hold ended with its record
  return { allowed, denials, spent: toUnits(rows[0].spent) };
}

describe('reserve-then-record on two server processes, estimates equal to the cost', () => {
  it('stays at or under a hard budget', async () => {
    const { departmentId, key } = await tenantWithKey({ billingMode: 'POSTPAID_MONTHLY' });
    const { budgetSet } = await world.admin.data(BudgetSetDocument, {
      input: { scope: { departmentId }, period: 'MONTHLY', limit: fromUnits(ROOM), isHard: true },
    });
    expect(budgetSet.userErrors).toEqual([]);
    const { allowed, denials, spent } = await cycles(key, ITEM_COST);
    expect({ allowed, spent }).toEqual({ allowed: 10, spent: 10n * ITEM_COST });
    expect(new Set(denials)).toEqual(new Set(['BUDGET_EXCEEDED']));
  });

  it('stays at or under a key limit', async () => {
    const { departmentId } = await tenantWithKey({ billingMode: 'POSTPAID_MONTHLY' });
    const key = await createKey(test, world.admin, { departmentId, spendLimit: { amount: fromUnits(ROOM), period: 'DAILY' } });
    const { allowed, denials, spent } = await cycles(key, ITEM_COST);
    expect({ allowed, spent }).toEqual({ allowed: 10, spent: 10n * ITEM_COST });
    expect(new Set(denials)).toEqual(new Set(['KEY_LIMIT_EXCEEDED']));
  });

  it('never takes a prepaid balance below zero', async () => {
    const { tenantId, key } = await tenantWithKey({ billingMode: 'PREPAID' });
    const { balanceTopUp } = await world.admin.data(BalanceTopUpDocument, {
      input: { tenantId, amount: fromUnits(ROOM), paymentMethod: 'BANK_TRANSFER', reference: 'reservations', idempotencyKey: randomUUID() },
    });
    expect(balanceTopUp.userErrors).toEqual([]);
    const { allowed, denials, spent } = await cycles(key, ITEM_COST);
    expect({ allowed, spent }).toEqual({ allowed: 10, spent: 10n * ITEM_COST });
    expect(new Set(denials)).toEqual(new Set(['BALANCE_INSUFFICIENT']));
    const { rows } = await test.sql.query<{ balance: string }>('select balance::text from balance_account where tenant_id = $1', [tenantId]);
    expect(toUnits(rows[0].balance)).toBe(ROOM - 10n * ITEM_COST);
  });

  it('stays at or under a credit limit', async () => {
    const { key } = await tenantWithKey({ billingMode: 'POSTPAID_MONTHLY', creditLimit: fromUnits(ROOM) });
    const { allowed, denials, spent } = await cycles(key, ITEM_COST);
    expect({ allowed, spent }).toEqual({ allowed: 10, spent: 10n * ITEM_COST });
    expect(new Set(denials)).toEqual(new Set(['CREDIT_LIMIT_EXCEEDED']));
  });
});

describe('reserve-then-record with estimates short of the cost', () => {
  it('passes a limit by at most what the allowed calls fell short', async () => {
    const { departmentId } = await tenantWithKey({ billingMode: 'POSTPAID_MONTHLY' });
    const key = await createKey(test, world.admin, { departmentId, spendLimit: { amount: fromUnits(ROOM), period: 'DAILY' } });
    const estimate = ITEM_COST / 2n;
    const { allowed, spent } = await cycles(key, estimate);
    // Held at half their cost, about twice as many fit; each then costs twice what it held.
    expect(allowed).toBeGreaterThan(10);
    expect(spent).toBe(BigInt(allowed) * ITEM_COST);
    expect(spent - ROOM).toBeLessThanOrEqual(BigInt(allowed) * (ITEM_COST - estimate));
  });
});

describe('estimates', () => {
  it("holds the model's default estimate from the price book when the gateway sends none, and asks for one when the book has none", async () => {
    const { key } = await tenantWithKey({ billingMode: 'POSTPAID_MONTHLY' });
    await setPrice(world.admin, {
      model: 'estimated-chat',
      tier: 'STANDARD',
      currency: 'CNY',
      inputPerMillionTokens: '1',
      outputPerMillionTokens: '2',
      defaultEstimate: '0.25',
      effectiveFrom: PRICE_BOOK_START,
    });
    const reserved = await reserveUsage(gateways[1], { apiKeySecret: key.secret, model: 'estimated-chat', requestId: randomUUID() });
    expect(reserved.reservation?.amount).toEqual({ amount: '0.25', currency: 'CNY' });

    const usage = await reserveUsage(gateways[0], {
      apiKeySecret: key.secret,
      model: 'estimated-chat',
      requestId: randomUUID(),
      estimatedUsage: { inputTokens: 1_000_000, outputTokens: 500_000 },
    });
    expect(usage.reservation?.amount).toEqual({ amount: '2.00', currency: 'CNY' });

    const { usageReserve } = await gateways[0].data(UsageReserveDocument, {
      input: { apiKeySecret: key.secret, model: PRICES.chat.model, requestId: randomUUID() },
    });
    expect(usageReserve).toMatchObject({ authorization: null, reservation: null, userErrors: [{ code: 'BLANK', field: ['input', 'estimatedCost'] }] });
  });
});

describe('release', () => {
  it("frees only a hold of the key's own tenant: another tenant's requestId stays held", async () => {
    const first = await tenantWithKey({ billingMode: 'POSTPAID_MONTHLY' });
    const second = await tenantWithKey({ billingMode: 'POSTPAID_MONTHLY' });
    const requestId = randomUUID();
    expect((await reserveUsage(gateways[0], { apiKeySecret: second.key.secret, model: PRICES.chat.model, requestId, estimatedCost: '0.01' })).isAllowed).toBe(
      true,
    );
    const release = (secret: string) => gateways[1].data(UsageReleaseDocument, { input: { apiKeySecret: secret, requestId } });
    expect((await release(first.key.secret)).usageRelease).toEqual({ isReleased: false, userErrors: [] });
    expect((await test.sql.query('select count(*)::int as count from spend_hold where request_id = $1', [requestId])).rows[0].count).toBe(1);
    expect((await release('sk-live-unknown')).usageRelease.userErrors).toEqual([
      expect.objectContaining({ code: 'NOT_FOUND', field: ['input', 'apiKeySecret'] }),
    ]);
    expect((await release(second.key.secret)).usageRelease).toEqual({ isReleased: true, userErrors: [] });
  });
});
