import { randomUUID } from 'node:crypto';
import {
  BalanceAdjustDocument,
  BalanceEntriesDocument,
  BalanceTopUpDocument,
  ContractCreateDocument,
  NodeDocument,
  RedemptionCodeRedeemDocument,
  RedemptionCodesCreateDocument,
  TenantBalanceDocument,
  TenantUpdateDocument,
  UsageAuthorizeDocument,
  type BalanceTopUpInput,
} from './generated/graphql.js';
import type { World } from './support/fixtures.js';
import type { GraphQLClient, TestApp } from './support/harness.js';
import { canonical, fromUnits, independentCost, PRICES, recordUsage, reserveUsage, startUsageTest, toUnits, usageItem } from './support/usage-fixtures.js';

let test: TestApp;
let world: World;
let gateway: GraphQLClient;

beforeAll(async () => {
  ({ test, world, gateway } = await startUsageTest());
  const { contractCreate } = await world.admin.data(ContractCreateDocument, {
    input: { tenantId: world.a.id, type: 'PAY_AS_YOU_GO', startPeriod: new Date().toISOString().slice(0, 7), terms: { billingMode: 'PREPAID' } },
  });
  expect(contractCreate.userErrors).toEqual([]);
});
afterAll(() => test.stop());

const topUp = async (input: Partial<BalanceTopUpInput> = {}) =>
  (
    await world.admin.data(BalanceTopUpDocument, {
      input: { tenantId: world.a.id, amount: '100.00', paymentMethod: 'BANK_TRANSFER', reference: 'slip-1', idempotencyKey: randomUUID(), ...input },
    })
  ).balanceTopUp;

const balance = async () => (await world.admin.data(TenantBalanceDocument, { id: world.a.id })).tenant!.balance!.amount;

/** Balance = sum of ledger entries, and the account row agrees. */
async function expectLedgerConsistent(): Promise<void> {
  const { rows } = await test.sql.query<{ sum: string; balance: string }>(
    `select coalesce((select sum(amount) from balance_entry where tenant_id = $1), 0)::text as sum,
            (select balance from balance_account where tenant_id = $1)::text as balance`,
    [world.a.id],
  );
  expect(canonical(rows[0].balance)).toBe(canonical(rows[0].sum));
  expect(canonical(await balance())).toBe(canonical(rows[0].sum));
}

describe('top-ups and adjustments', () => {
  it('books a top-up once per idempotency key and refuses the key with other input', async () => {
    const before = toUnits(await balance());
    const key = randomUUID();
    const first = await topUp({ idempotencyKey: key });
    expect(first.userErrors).toEqual([]);
    expect(first.balanceEntry).toMatchObject({ type: 'TOP_UP', amount: { amount: '100.00', currency: 'CNY' }, paymentMethod: 'BANK_TRANSFER' });
    const replay = await topUp({ idempotencyKey: key });
    expect(replay.balanceEntry?.id).toBe(first.balanceEntry?.id);
    const reused = await topUp({ idempotencyKey: key, amount: '99.00' });
    expect(reused.userErrors[0]).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', field: ['input', 'idempotencyKey'] });
    expect(toUnits(await balance()) - before).toBe(toUnits('100'));
    await expectLedgerConsistent();
  });

  it('refuses bad top-ups with a userError and writes nothing', async () => {
    const count = async () => (await test.sql.query('select count(*)::int as count from balance_entry')).rows[0].count;
    const before = await count();
    expect((await topUp({ amount: '-5' })).userErrors[0]).toMatchObject({ code: 'TOO_SMALL', field: ['input', 'amount'] });
    expect((await topUp({ tenantId: world.b.id })).userErrors[0]).toMatchObject({ code: 'INVALID_STATE', field: ['input', 'tenantId'] });
    expect((await topUp({ reference: ' ' })).userErrors[0]).toMatchObject({ code: 'BLANK', field: ['input', 'reference'] });
    expect(await count()).toBe(before);
    const asTenant = await test.client(world.a.tokens.TENANT_ADMIN).execute(BalanceTopUpDocument, {
      input: { tenantId: world.a.id, amount: '1', paymentMethod: 'ALIPAY', reference: 'x', idempotencyKey: randomUUID() },
    });
    expect(asTenant.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });

  it('adjusts with a reason, both ways', async () => {
    const before = toUnits(await balance());
    const debit = (
      await world.admin.data(BalanceAdjustDocument, {
        input: { tenantId: world.a.id, amount: '-0.5', reason: 'Goodwill reversal', idempotencyKey: randomUUID() },
      })
    ).balanceAdjust;
    expect(debit.balanceEntry).toMatchObject({ type: 'ADJUSTMENT', reason: 'Goodwill reversal' });
    expect(toUnits(await balance()) - before).toBe(toUnits('-0.5'));
    const zero = (await world.admin.data(BalanceAdjustDocument, { input: { tenantId: world.a.id, amount: '0', reason: 'x', idempotencyKey: randomUUID() } }))
      .balanceAdjust;
    expect(zero.userErrors[0]).toMatchObject({ code: 'INVALID', field: ['input', 'amount'] });
  });
});

describe('usage against the balance', () => {
  it('debits the balance in the transaction that records the usage, exactly', async () => {
    const before = toUnits(await balance());
    const records = [usageItem(world.a.apiKeyId), usageItem(world.a.apiKeyId, { inputTokens: 77_777 })];
    await recordUsage(gateway, records);
    const charged = records.reduce((sum, record) => sum + independentCost(PRICES.chat, record), 0n);
    expect(fromUnits(toUnits(await balance()) - before)).toBe(fromUnits(-charged));
    const [latest] = (await world.admin.data(BalanceEntriesDocument, { tenantId: world.a.id, first: 1 })).balanceEntries.nodes;
    expect(latest).toMatchObject({ type: 'USAGE' });
    expect(canonical(latest.amount.amount)).toBe(fromUnits(-charged));
    await expectLedgerConsistent();
  });

  it('keeps balance = sum of entries through a concurrent storm of top-ups and usage', async () => {
    await Promise.all([
      ...Array.from({ length: 20 }, (_unused, index) => topUp({ amount: `${index + 1}.01` })),
      ...Array.from({ length: 20 }, () =>
        recordUsage(
          gateway,
          Array.from({ length: 25 }, () => usageItem(world.a.apiKeyId)),
        ),
      ),
    ]);
    await expectLedgerConsistent();
    const { rows } = await test.sql.query<{ credits: string; usage: string; charged: string }>(
      `select (select sum(amount) from balance_entry where tenant_id = $1 and type = 'USAGE')::text as usage,
              (select sum(charged_amount) from usage_record where tenant_id = $1
                 and recorded_at >= (select min(created_at) from balance_entry where tenant_id = $1))::text as charged`,
      [world.a.id],
    );
    expect(canonical(rows[0].usage)).toBe(canonical(`-${rows[0].charged}`));
  });

  it('denies with BALANCE_INSUFFICIENT once the balance cannot cover the call, and raises BALANCE_LOW once per stretch', async () => {
    await world.admin.data(TenantUpdateDocument, { input: { tenantId: world.a.id, balanceLowLevel: '50' } });
    const current = toUnits(await balance());
    // Bring the balance to exactly 0.01 CNY.
    const squared = await world.admin.data(BalanceAdjustDocument, {
      input: { tenantId: world.a.id, amount: fromUnits(toUnits('0.01') - current), reason: 'test', idempotencyKey: randomUUID() },
    });
    expect(squared.balanceAdjust.userErrors).toEqual([]);
    const authorize = async (estimatedCost?: string) =>
      (
        await test
          .client(world.gatewayToken)
          .data(UsageAuthorizeDocument, { input: { apiKeySecret: world.a.apiKeySecret, model: PRICES.chat.model, estimatedCost } })
      ).usageAuthorize;
    expect((await authorize('0.01')).isAllowed).toBe(true);
    expect((await authorize('0.02')).denial).toMatchObject({ code: 'BALANCE_INSUFFICIENT', httpStatus: 402, scope: { type: 'TENANT', id: world.a.id } });

    await recordUsage(gateway, [usageItem(world.a.apiKeyId)]);
    await recordUsage(gateway, [usageItem(world.a.apiKeyId)]);
    expect((await authorize()).denial?.code).toBe('BALANCE_INSUFFICIENT');
    const lows = async () =>
      (await test.sql.query("select count(*)::int as count from alert where tenant_id = $1 and type = 'BALANCE_LOW'", [world.a.id])).rows[0].count;
    expect(await lows()).toBe(1);

    await topUp({ amount: '10' }); // still below 50: a new stretch starts with this credit
    await recordUsage(gateway, [usageItem(world.a.apiKeyId)]);
    expect(await lows()).toBe(2);
    expect((await authorize()).isAllowed).toBe(true);
  });
});

describe('reservations against the balance', () => {
  it('never takes the balance below zero under 50 concurrent reserve-then-record cycles whose estimates are their cost', async () => {
    const itemCost = independentCost(PRICES.chat, usageItem(world.a.apiKeyId));
    // Room for ten and a half calls.
    const room = itemCost * 10n + itemCost / 2n;
    const adjusted = await world.admin.data(BalanceAdjustDocument, {
      input: { tenantId: world.a.id, amount: fromUnits(room - toUnits(await balance())), reason: 'reservation test', idempotencyKey: randomUUID() },
    });
    expect(adjusted.balanceAdjust.userErrors).toEqual([]);
    const cycle = async () => {
      const item = usageItem(world.a.apiKeyId);
      const { isAllowed } = await reserveUsage(gateway, {
        apiKeySecret: world.a.apiKeySecret,
        model: PRICES.chat.model,
        estimatedCost: fromUnits(itemCost),
        requestId: item.requestId,
      });
      if (isAllowed) await recordUsage(gateway, [item]);
      return isAllowed;
    };
    const allowed = (await Promise.all(Array.from({ length: 50 }, cycle))).filter(Boolean).length;
    expect(allowed).toBe(10);
    expect(toUnits(await balance())).toBe(room - 10n * itemCost);
    await expectLedgerConsistent();
  });
});

describe('redemption codes', () => {
  const create = async (amount: string, currency: 'CNY' | 'USD', expiresAt = new Date(Date.now() + 86_400_000).toISOString()) =>
    (await world.admin.data(RedemptionCodesCreateDocument, { input: { count: 2, amount, currency, expiresAt } })).redemptionCodesCreate;
  const redeem = (code: string, token = world.a.tokens.TENANT_ADMIN) => test.client(token).data(RedemptionCodeRedeemDocument, { input: { code } });

  it('issues codes once, stores only hashes, and credits exactly once under concurrent redemption', async () => {
    const created = await create('25.00', 'CNY');
    expect(created.codes).toHaveLength(2);
    const [{ code }] = created.codes;
    expect(code).toMatch(/^rc_[0-9A-Za-z]{43}$/);
    expect((await test.sql.query('select count(*)::int as count from redemption_code where code_hash = $1 or code_prefix = $1', [code])).rows[0].count).toBe(0);
    const before = toUnits(await balance());

    const results = await Promise.all([redeem(code), redeem(code)]);

    const succeeded = results.filter((result) => result.redemptionCodeRedeem.balanceEntry);
    const refused = results.filter((result) => result.redemptionCodeRedeem.userErrors.length);
    expect(succeeded).toHaveLength(1);
    expect(refused[0].redemptionCodeRedeem.userErrors[0]).toMatchObject({ code: 'ALREADY_REDEEMED', field: ['input', 'code'] });
    expect(toUnits(await balance()) - before).toBe(toUnits('25'));
    await expectLedgerConsistent();
  });

  it('lets only the operator fetch a voucher by id', async () => {
    const [issued] = (await create('1', 'CNY')).codes;
    const id = issued.redemptionCode.id;
    expect((await world.admin.data(NodeDocument, { id })).node).toMatchObject({ id, __typename: 'RedemptionCode' });
    expect((await test.client(world.a.tokens.TENANT_ADMIN).execute(NodeDocument, { id })).errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });

  it('refuses expired, foreign-currency and unknown codes, naming the field', async () => {
    const usd = await create('5', 'USD');
    expect((await redeem(usd.codes[0].code)).redemptionCodeRedeem.userErrors[0]).toMatchObject({ code: 'CURRENCY_MISMATCH' });
    const cny = await create('5', 'CNY');
    await test.sql.query("update redemption_code set expires_at = now() - interval '1 second' where id = $1", [cny.codes[0].redemptionCode.id]);
    expect((await redeem(cny.codes[0].code)).redemptionCodeRedeem.userErrors[0]).toMatchObject({ code: 'EXPIRED', field: ['input', 'code'] });
    expect((await redeem('rc_not-a-code')).redemptionCodeRedeem.userErrors[0]).toMatchObject({ code: 'NOT_FOUND', field: ['input', 'code'] });
    // Tenant b is not prepaid: nothing to credit.
    expect((await redeem(cny.codes[1].code, world.b.tokens.TENANT_ADMIN)).redemptionCodeRedeem.userErrors[0]).toMatchObject({ code: 'INVALID_STATE' });
  });
});

describe('tenant isolation of balances', () => {
  it('answers NOT_FOUND to another tenant reading the ledger', async () => {
    const result = await test.client(world.b.tokens.TENANT_FINANCE).execute(BalanceEntriesDocument, { tenantId: world.a.id });
    expect(result.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });
});
