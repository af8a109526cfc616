import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { newId } from '../src/platform/ids.js';
import { print } from 'graphql';
import { markOverdueBills } from '../src/modules/bill/bill.service.js';
import { FixedClock } from '../src/platform/clock.js';
import { createLogger } from '../src/platform/logger.js';
import {
  BillDocument,
  BillingEventDocument,
  BillingPeriodSettleDocument,
  BillsDocument,
  BalanceTopUpDocument,
  BillVoidDocument,
  DepartmentCreateDocument,
  TenantBalanceDocument,
  ContractAmendDocument,
  ContractCreateDocument,
  ContractsDocument,
  ContractTerminateDocument,
  NodeDocument,
  PaymentRecordDocument,
  SettlementProgressDocument,
  SettlementRunDocument,
  TenantActiveContractDocument,
  TenantCreateDocument,
  TenantUpdateDocument,
  UsageAuthorizeDocument,
  type BillingEventSubscription,
  type BillQuery,
  type ContractCreateInput,
  type PaymentRecordInput,
  type SettlementProgressSubscription,
  type UsageRecordItemInput,
} from './generated/graphql.js';
import type { World } from './support/fixtures.js';
import type { GraphQLClient, TestApp } from './support/harness.js';
import { fen, fenText, roundDiv } from './support/integer-money.js';
import { pdfText, rasterizePdfPage } from './support/pdf-raster.js';
import { disposeSubscriptions, subscribe, type Subscription } from './support/subscriptions.js';
import { canonical, createKey, independentCost, PRICES, recordUsage, startUsageTest, usageItem } from './support/usage-fixtures.js';

const clock = new FixedClock(new Date('2026-10-20T04:00:00Z'));
let test: TestApp;
let world: World;
let gateway: GraphQLClient;

/** Usage the test recorded, with what the independent recomputation needs. */
interface Recorded {
  tenantId: string;
  departmentId: string;
  model: string;
  tier: string;
  /** Exact cost in 10^-16 units (usage-fixtures' integer arithmetic). */
  units: bigint;
  period: string;
}
const recorded: Recorded[] = [];
const MODELS = [PRICES.chat, PRICES.embed, PRICES.image, PRICES.audio];

// ---- the independent recomputation: integers only (fen, basis points), nothing from src ----

const UNITS_PER_FEN = 10n ** 14n;

interface Terms {
  discountBasisPoints: number;
  tierBasisPoints?: Record<string, number>;
  commitmentFen: bigint;
  taxBasisPoints: number;
  isInclusive: boolean;
}

interface ExpectedLine {
  kind: string;
  key: string;
  amount: bigint;
  net: bigint;
  tax: bigint;
  gross: bigint;
}

function expectedBill(records: Recorded[], terms: Terms): { lines: ExpectedLine[]; net: bigint; tax: bigint; gross: bigint } {
  const usage = new Map<string, { tier: string; units: bigint; kind: string }>();
  for (const record of records) {
    const kind = record.period === '2026-10' || !record.period.startsWith('late:') ? 'USAGE' : 'LATE_USAGE_ADJUSTMENT';
    const key = `${record.departmentId}|${record.model}`;
    const entry = usage.get(key) ?? { tier: record.tier, units: 0n, kind };
    entry.units += record.units;
    usage.set(key, entry);
  }
  const lines: Omit<ExpectedLine, 'net' | 'tax' | 'gross'>[] = [...usage].map(([key, entry]) => ({
    kind: entry.kind,
    key,
    amount: roundDiv(entry.units, UNITS_PER_FEN),
  }));
  const tierSums = new Map<string, bigint>();
  for (const [key, entry] of usage) tierSums.set(entry.tier, (tierSums.get(entry.tier) ?? 0n) + lines.find((line) => line.key === key)!.amount);
  for (const [tier, sum] of tierSums) {
    const basisPoints = BigInt(terms.tierBasisPoints?.[tier] ?? terms.discountBasisPoints);
    if (basisPoints > 0n) lines.push({ kind: 'DISCOUNT', key: tier, amount: -roundDiv(sum * basisPoints, 10_000n) });
  }
  const netUsage = lines.reduce((sum, line) => sum + line.amount, 0n);
  if (netUsage < terms.commitmentFen) lines.push({ kind: 'COMMITMENT_TRUE_UP', key: '', amount: terms.commitmentFen - netUsage });
  const rate = BigInt(terms.taxBasisPoints);
  const taxed = lines.map((line) => {
    if (!terms.isInclusive) {
      const tax = roundDiv(line.amount * rate, 10_000n);
      return { ...line, net: line.amount, tax, gross: line.amount + tax };
    }
    const net = roundDiv(line.amount * 10_000n, 10_000n + rate);
    return { ...line, net, tax: line.amount - net, gross: line.amount };
  });
  const sum = (pick: (line: ExpectedLine) => bigint) => taxed.reduce((total, line) => total + pick(line), 0n);
  return { lines: taxed, net: sum((line) => line.net), tax: sum((line) => line.tax), gross: sum((line) => line.gross) };
}

function actualLines(bill: NonNullable<BillQuery['bill']>): ExpectedLine[] {
  return bill.lines.map((line) => ({
    kind: line.kind,
    key: line.kind === 'DISCOUNT' ? line.modelTier! : line.kind === 'COMMITMENT_TRUE_UP' ? '' : `${line.department!.id}|${line.model}`,
    amount: fen(line.amount.amount),
    net: fen(line.total.net.amount),
    tax: fen(line.total.tax.amount),
    gross: fen(line.total.gross.amount),
  }));
}

const byKey = (left: ExpectedLine, right: ExpectedLine) => `${left.kind}${left.key}`.localeCompare(`${right.kind}${right.key}`);

// ---- helpers ----

async function record(tenantId: string, keys: { id: string; departmentId: string }[], count: number, occurredAt: () => string, period = '2026-10') {
  const items: UsageRecordItemInput[] = [];
  for (let index = 0; index < count; index += 1) {
    const key = keys[index % keys.length];
    const price = MODELS[(index * 7) % MODELS.length];
    const item = usageItem(key.id, {
      model: price.model,
      occurredAt: occurredAt(),
      inputTokens: 1 + ((index * 7919) % 250_000),
      outputTokens: (index * 104_729) % 90_000,
      cachedInputTokens: price === PRICES.chat ? (index * 31) % 5000 : 0,
      imageCount: price === PRICES.image ? 1 + (index % 3) : 0,
    });
    items.push(item);
    recorded.push({ tenantId, departmentId: key.departmentId, model: price.model, tier: price.tier, units: independentCost(price, item), period });
  }
  const result = await recordUsage(gateway, items);
  expect(result.rejections).toEqual([]);
}

async function settle(period: string, tenantIds: string[] | null, idempotencyKey = randomUUID()) {
  return (await world.admin.data(BillingPeriodSettleDocument, { input: { period, tenantIds, idempotencyKey } })).billingPeriodSettle;
}

async function billOf(tenantId: string, period: string) {
  const { bills } = await world.admin.data(BillsDocument, { filter: { tenantId, period, status: null }, first: 10 });
  const live = bills.nodes.filter((bill) => bill.status !== 'VOID');
  expect(live).toHaveLength(1);
  return (await world.admin.data(BillDocument, { id: live[0].id })).bill!;
}

async function createContract(input: Omit<ContractCreateInput, 'cancellationNoticeDays'> & { cancellationNoticeDays?: number }) {
  const result = (await world.admin.data(ContractCreateDocument, { input: { cancellationNoticeDays: 30, ...input } })).contractCreate;
  expect(result.userErrors).toEqual([]);
  return result.contract!;
}

const octoberInShanghai = () => {
  // Spread over October in Shanghai time, up to "now" on the test clock.
  const start = Date.parse('2026-09-30T16:00:00Z');
  return new Date(start + Math.floor(Math.random() * (clock.now().getTime() - start - 60_000))).toISOString();
};

let aKeys: { id: string; departmentId: string }[];
let bKeys: { id: string; departmentId: string }[];
let tenantUtc: string;

beforeAll(async () => {
  ({ test, world, gateway } = await startUsageTest({ clock }));
  await world.admin.data(TenantUpdateDocument, { input: { tenantId: world.a.id, buyerTaxProfile: { legalName: '北京甲子科技有限公司' } } });
  aKeys = [
    { id: world.a.apiKeyId, departmentId: world.a.grandchildDepartmentId },
    { id: (await createKey(test, world.admin, { departmentId: world.a.rootDepartmentId })).id, departmentId: world.a.rootDepartmentId },
    { id: (await createKey(test, world.admin, { departmentId: world.a.childDepartmentId })).id, departmentId: world.a.childDepartmentId },
  ];
  bKeys = [{ id: world.b.apiKeyId, departmentId: world.b.grandchildDepartmentId }];
  tenantUtc = (await world.admin.data(TenantCreateDocument, { input: { name: 'Utc 丁 Ltd', timezone: 'UTC' } })).tenantCreate.tenant!.id;
});
afterAll(async () => {
  await disposeSubscriptions();
  await test.stop();
});

describe('contracts', () => {
  it('creates, refuses overlaps, amends with history, and enforces the notice period', async () => {
    const contract = await createContract({
      tenantId: world.a.id,
      type: 'ANNUAL',
      startPeriod: '2026-10',
      terms: {
        billingMode: 'POSTPAID_MONTHLY',
        discountPercent: '10',
        tierDiscounts: [{ tier: 'ECONOMY', percent: '25' }],
        monthlyCommitment: '500',
        creditLimit: '100',
        paymentTermsDays: 15,
      },
    });
    expect(contract).toMatchObject({
      type: 'ANNUAL',
      startPeriod: '2026-10',
      endPeriod: '2027-09',
      terms: { version: 1, taxRate: '0.06', taxMode: 'TAX_EXCLUSIVE' },
    });

    const overlap = (
      await world.admin.data(ContractCreateDocument, {
        input: { tenantId: world.a.id, type: 'PAY_AS_YOU_GO', startPeriod: '2027-03', cancellationNoticeDays: 0, terms: { billingMode: 'PREPAID' } },
      })
    ).contractCreate;
    expect(overlap.userErrors).toEqual([expect.objectContaining({ code: 'OVERLAPPING_CONTRACT', field: ['input', 'startPeriod'] })]);
    const bad = (
      await world.admin.data(ContractCreateDocument, {
        input: {
          tenantId: world.b.id,
          type: 'PAY_AS_YOU_GO',
          startPeriod: '2026-13',
          cancellationNoticeDays: 0,
          terms: { billingMode: 'PREPAID', discountPercent: '101', creditLimit: '5' },
        },
      })
    ).contractCreate;
    expect(bad.userErrors.map((error) => error.field!.join('.')).sort()).toEqual([
      'input.startPeriod',
      'input.terms.creditLimit',
      'input.terms.discountPercent',
    ]);
    const prepaidCredit = (
      await world.admin.data(ContractCreateDocument, {
        input: {
          tenantId: world.b.id,
          type: 'PAY_AS_YOU_GO',
          startPeriod: '2026-10',
          cancellationNoticeDays: 0,
          terms: { billingMode: 'PREPAID', creditLimit: '5' },
        },
      })
    ).contractCreate;
    expect(prepaidCredit.userErrors).toEqual([expect.objectContaining({ code: 'INVALID', field: ['input', 'terms', 'creditLimit'] })]);

    const amended = (
      await world.admin.data(ContractAmendDocument, {
        input: { contractId: contract.id, effectivePeriod: '2027-01', terms: { discountPercent: '20' }, clearCreditLimit: false },
      })
    ).contractAmend;
    expect(amended.userErrors).toEqual([]);
    expect(amended.contract!.versions.map((version) => [version.version, version.effectivePeriod, version.discountPercent])).toEqual([
      [1, '2026-10', '10'],
      [2, '2027-01', '20'],
    ]);
    expect(amended.contract!.terms.discountPercent).toBe('10'); // still October on the clock

    const early = (await world.admin.data(ContractTerminateDocument, { input: { contractId: contract.id, lastPeriod: '2026-10', reason: 'moving' } }))
      .contractTerminate;
    expect(early.userErrors).toEqual([expect.objectContaining({ code: 'NOTICE_PERIOD', field: ['input', 'lastPeriod'] })]);

    await createContract({
      tenantId: world.b.id,
      type: 'PAY_AS_YOU_GO',
      startPeriod: '2026-10',
      terms: { billingMode: 'POSTPAID_MONTHLY', discountPercent: '5', taxMode: 'TAX_INCLUSIVE' },
    });
    const mine = await test.client(world.b.tokens.TENANT_VIEWER).data(ContractsDocument, { first: 10 });
    expect(mine.contracts.nodes.map((node) => node.terms.taxMode)).toEqual(['TAX_INCLUSIVE']);
    expect((await test.client(world.b.tokens.TENANT_VIEWER).data(NodeDocument, { id: contract.id })).node).toBeNull();
    const forbidden = await test.client(world.a.tokens.TENANT_ADMIN).execute(ContractCreateDocument, {
      input: { tenantId: world.a.id, type: 'ANNUAL', startPeriod: '2030-01', cancellationNoticeDays: 0, terms: { billingMode: 'PREPAID' } },
    });
    expect(forbidden.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect((await test.client(world.a.tokens.TENANT_VIEWER).data(TenantActiveContractDocument, { id: world.a.id })).tenant!.activeContract?.id).toBe(
      contract.id,
    );
  });
});

let aEvents: Subscription<BillingEventSubscription>;
let bEvents: Subscription<BillingEventSubscription>;

describe('settlement', () => {
  it("refuses a period that has not ended in the tenant's time zone", async () => {
    await record(world.a.id, aKeys, 60, octoberInShanghai);
    await record(world.b.id, bKeys, 25, octoberInShanghai);
    clock.set(new Date('2026-10-31T17:00:00Z')); // November in Shanghai, still October in UTC
    const refused = await settle('2026-10', [tenantUtc]);
    expect(refused.userErrors).toEqual([expect.objectContaining({ code: 'PERIOD_NOT_ENDED', field: ['input', 'tenantIds', '0'] })]);
    expect((await settle('2026-11', [world.a.id])).userErrors[0].code).toBe('PERIOD_NOT_ENDED');
  });

  it('makes one bill per tenant even when two settlements race, equal to a recomputation from the usage rows', async () => {
    aEvents = await subscribe<BillingEventSubscription>(test.app.wsUrl, world.a.tokens.ERP, print(BillingEventDocument));
    bEvents = await subscribe<BillingEventSubscription>(test.app.wsUrl, world.b.tokens.TENANT_VIEWER, print(BillingEventDocument));
    const [first, second] = await Promise.all([settle('2026-10', [world.a.id, world.b.id]), settle('2026-10', [world.b.id, world.a.id])]);
    for (const run of [first, second]) expect(run.settlementRun).toMatchObject({ status: 'COMPLETED', tenantCount: 2, failedCount: 0 });
    expect(first.settlementRun!.billedCount + second.settlementRun!.billedCount).toBe(2);
    const { rows } = await test.sql.query(`select tenant_id, count(*)::int as count from bill where period_start = '2026-10-01' group by 1`);
    expect(rows.map((row) => row.count)).toEqual([1, 1]);

    const aBill = await billOf(world.a.id, '2026-10');
    const aExpected = expectedBill(
      recorded.filter((item) => item.tenantId === world.a.id),
      {
        discountBasisPoints: 1000,
        tierBasisPoints: { ECONOMY: 2500 },
        commitmentFen: 50_000n,
        taxBasisPoints: 600,
        isInclusive: false,
      },
    );
    expect(actualLines(aBill).sort(byKey)).toEqual(aExpected.lines.sort(byKey));
    expect([fen(aBill.total.net.amount), fen(aBill.total.tax.amount), fen(aBill.total.gross.amount)]).toEqual([aExpected.net, aExpected.tax, aExpected.gross]);
    expect(aBill).toMatchObject({ status: 'FINALIZED', number: expect.stringMatching(/^2026-10-00000[12]$/), dueOn: '2026-11-16', taxMode: 'TAX_EXCLUSIVE' });

    const bBill = await billOf(world.b.id, '2026-10');
    const bExpected = expectedBill(
      recorded.filter((item) => item.tenantId === world.b.id),
      { discountBasisPoints: 500, commitmentFen: 0n, taxBasisPoints: 600, isInclusive: true },
    );
    expect(actualLines(bBill).sort(byKey)).toEqual(bExpected.lines.sort(byKey));
    expect([fen(bBill.total.net.amount), fen(bBill.total.tax.amount), fen(bBill.total.gross.amount)]).toEqual([bExpected.net, bExpected.tax, bExpected.gross]);
    expect(fen(bBill.subtotal.amount)).toBe(bBill.lines.reduce((sum, line) => sum + fen(line.amount.amount), 0n));

    expect(new Set([aBill.number, bBill.number])).toEqual(new Set(['2026-10-000001', '2026-10-000002']));
    expect((await aEvents.next()).data?.billingEvent).toMatchObject({ type: 'BILL_FINALIZED', bill: { id: aBill.id } });
    expect((await bEvents.next()).data?.billingEvent).toMatchObject({ type: 'BILL_FINALIZED', bill: { id: bBill.id } });
  });

  it('settles a prepaid tenant into a statement paid from its balance, which ends at top-ups minus the statement', async () => {
    const tenantId = (await world.admin.data(TenantCreateDocument, { input: { name: 'Prepaid 戊 Ltd' } })).tenantCreate.tenant!.id;
    const department = (await world.admin.data(DepartmentCreateDocument, { input: { tenantId, name: '研发部' } })).departmentCreate.department!;
    const key = await createKey(test, world.admin, { departmentId: department.id });
    await createContract({ tenantId, type: 'PAY_AS_YOU_GO', startPeriod: '2026-10', terms: { billingMode: 'PREPAID', discountPercent: '3' } });
    const topUp = (
      await world.admin.data(BalanceTopUpDocument, {
        input: { tenantId, amount: '1000.00', paymentMethod: 'BANK_TRANSFER', reference: 'slip', idempotencyKey: randomUUID() },
      })
    ).balanceTopUp;
    expect(topUp.userErrors).toEqual([]);
    await record(tenantId, [{ id: key.id, departmentId: department.id }], 12, () => '2026-10-20T00:00:00Z');

    expect((await settle('2026-10', [tenantId])).settlementRun).toMatchObject({ billedCount: 1 });
    const statement = await billOf(tenantId, '2026-10');
    const expected = expectedBill(
      recorded.filter((item) => item.tenantId === tenantId),
      { discountBasisPoints: 300, commitmentFen: 0n, taxBasisPoints: 600, isInclusive: false },
    );
    expect(fen(statement.total.gross.amount)).toBe(expected.gross);
    expect(statement).toMatchObject({
      billingMode: 'PREPAID',
      status: 'PAID',
      amountDue: { amount: '0.00' },
      amountPaid: { amount: statement.total.gross.amount },
    });
    expect(statement.payments).toEqual([expect.objectContaining({ method: 'BALANCE', amount: { amount: statement.total.gross.amount } })]);
    const balance = (await world.admin.data(TenantBalanceDocument, { id: tenantId })).tenant!.balance!.amount;
    expect(canonical(balance)).toBe(canonical(fenText(100_000n - expected.gross)));
  });

  it('denies usage once unpaid bills and unbilled spend reach the credit limit', async () => {
    const authorize = () => gateway.data(UsageAuthorizeDocument, { input: { apiKeySecret: world.a.apiKeySecret, model: PRICES.chat.model } });
    const denied = (await authorize()).usageAuthorize;
    expect(denied).toMatchObject({ isAllowed: false, denial: { code: 'CREDIT_LIMIT_EXCEEDED', httpStatus: 402 } });
  });

  it('takes payments up to what is due, idempotently, and then allows spending again', async () => {
    const bill = await billOf(world.a.id, '2026-10');
    const pay = async (input: Partial<PaymentRecordInput>) =>
      (
        await world.admin.data(PaymentRecordDocument, {
          input: {
            billId: bill.id,
            method: 'BANK_TRANSFER',
            amount: '100.00',
            reference: 'slip 1',
            receivedAt: clock.now().toISOString(),
            idempotencyKey: 'pay-1',
            ...input,
          },
        })
      ).paymentRecord;
    const first = await pay({});
    expect(first.bill).toMatchObject({ status: 'PARTIALLY_PAID', amountPaid: { amount: '100.00' } });
    expect((await pay({})).payment!.id).toBe(first.payment!.id);
    expect((await pay({ amount: '99.00' })).userErrors[0]).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
    const rest = first.bill!.amountDue.amount;
    expect((await pay({ idempotencyKey: 'pay-2', amount: fenText(fen(rest) + 1n) })).userErrors[0]).toMatchObject({
      code: 'OVERPAYMENT',
      field: ['input', 'amount'],
    });
    const paid = await pay({ idempotencyKey: 'pay-2', amount: rest, method: 'ALIPAY' });
    expect(paid.bill).toMatchObject({ status: 'PAID', amountDue: { amount: '0.00' } });
    expect((await aEvents.next()).data?.billingEvent).toMatchObject({ type: 'PAYMENT_RECORDED', payment: { id: first.payment!.id } });
    expect(
      (await gateway.data(UsageAuthorizeDocument, { input: { apiKeySecret: world.a.apiKeySecret, model: PRICES.chat.model } })).usageAuthorize.isAllowed,
    ).toBe(true);
    const voidPaid = (await world.admin.data(BillVoidDocument, { input: { billId: bill.id, reason: 'test' } })).billVoid;
    expect(voidPaid.userErrors[0]).toMatchObject({ code: 'INVALID_STATE' });
  });

  it('puts late usage of a settled period into the next bill as an adjustment, never into the settled bill', async () => {
    // The bill as it reads, but for its export links, which are signed afresh at each read.
    const content = async () => ({ ...(await billOf(world.a.id, '2026-10')), exportUrls: null });
    const before = await content();
    clock.set(new Date('2026-11-10T04:00:00Z'));
    await record(world.a.id, aKeys, 3, () => '2026-10-30T10:00:00Z', 'late:2026-10');
    await record(world.a.id, aKeys, 5, () => '2026-11-05T10:00:00Z', '2026-11');
    expect(await content()).toEqual(before);

    clock.set(new Date('2026-12-01T00:00:00Z'));
    expect((await settle('2026-11', [world.a.id])).settlementRun).toMatchObject({ billedCount: 1 });
    const november = await billOf(world.a.id, '2026-11');
    const late = november.lines.filter((line) => line.kind === 'LATE_USAGE_ADJUSTMENT');
    expect(late.length).toBeGreaterThan(0);
    expect(late.every((line) => line.adjustedPeriod === '2026-10' && line.description.includes('2026-10'))).toBe(true);
    const lateUnits = new Map<string, bigint>();
    for (const item of recorded.filter((entry) => entry.period === 'late:2026-10'))
      lateUnits.set(`${item.departmentId}|${item.model}`, (lateUnits.get(`${item.departmentId}|${item.model}`) ?? 0n) + item.units);
    expect(late.map((line) => [`${line.department!.id}|${line.model}`, fen(line.amount.amount)]).sort()).toEqual(
      [...lateUnits].map(([key, units]) => [key, roundDiv(units, UNITS_PER_FEN)]).sort(),
    );
    expect(november.number).toBe('2026-11-000001');
    expect(await content()).toEqual(before);
  });

  it('takes a payment from what is left of a prepaid balance as one ledger entry, and refuses it without cover', async () => {
    const bill = await billOf(world.a.id, '2026-11');
    const fromBalance = async (idempotencyKey: string) =>
      (
        await world.admin.data(PaymentRecordDocument, {
          input: { billId: bill.id, method: 'BALANCE', amount: '1.00', receivedAt: clock.now().toISOString(), idempotencyKey },
        })
      ).paymentRecord;
    expect((await fromBalance('balance-1')).userErrors).toEqual([expect.objectContaining({ code: 'INSUFFICIENT_BALANCE', field: ['input', 'amount'] })]);
    // Balance left from a prepaid contract the tenant had before: an account and its one entry.
    await test.sql.query('insert into balance_account (tenant_id, balance, updated_at) values ($1, 5, now())', [world.a.id]);
    await test.sql.query(
      `insert into balance_entry (id, tenant_id, type, amount, currency, balance_after, reason, created_at) values ($1, $2, 'ADJUSTMENT', 5, 'CNY', 5, 'left over', now())`,
      [newId('BalanceEntry'), world.a.id],
    );
    const paid = await fromBalance('balance-2');
    expect(paid.userErrors).toEqual([]);
    expect(paid.bill!.amountPaid.amount).toBe(fenText(fen(bill.amountPaid.amount) + 100n));
    const { rows } = await test.sql.query<{ balance: string; entries: string }>(
      `select (select balance::text from balance_account where tenant_id = $1) as balance,
              (select sum(amount)::text from balance_entry where tenant_id = $1) as entries`,
      [world.a.id],
    );
    expect(fen(rows[0].balance)).toBe(400n);
    expect(fen(rows[0].entries)).toBe(400n);
  });

  it('marks unpaid bills overdue after their due date, and voids an unpaid bill so the period can be settled again', async () => {
    clock.set(new Date('2026-12-05T00:00:00Z'));
    const logger = createLogger('silent');
    expect(await markOverdueBills({ pool: test.sql, clock, logger })).toBeGreaterThanOrEqual(1);
    const overdue = await billOf(world.b.id, '2026-10');
    expect(overdue.status).toBe('OVERDUE');
    expect((await bEvents.next()).data?.billingEvent).toMatchObject({ type: 'BILL_OVERDUE', bill: { id: overdue.id } });

    const voided = (await world.admin.data(BillVoidDocument, { input: { billId: overdue.id, reason: 'wrong terms' } })).billVoid;
    expect(voided.bill).toMatchObject({ status: 'VOID', voidReason: 'wrong terms' });
    const again = await settle('2026-10', [world.b.id]);
    expect(again.settlementRun).toMatchObject({ billedCount: 1 });
    const replacement = await billOf(world.b.id, '2026-10');
    expect(replacement.id).not.toBe(overdue.id);
    expect(replacement.total).toEqual(overdue.total);
    const { rows } = await test.sql.query<{ number: string }>(`select number from bill where period_start = '2026-10-01' order by number`);
    expect(rows.map((row) => row.number)).toEqual(['2026-10-000001', '2026-10-000002', '2026-10-000003', '2026-10-000004']);
  });

  it('replays a settlement by its idempotency key and refuses the key with other input', async () => {
    const key = randomUUID();
    const first = await settle('2026-11', [world.b.id], key);
    expect((await settle('2026-11', [world.b.id], key)).settlementRun!.id).toBe(first.settlementRun!.id);
    expect((await settle('2026-11', [world.a.id], key)).userErrors[0]).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
  });

  it("gives 8 concurrent settlements with one key the first one's run, and no error", async () => {
    const key = randomUUID();
    const answers = await Promise.all(
      Array.from({ length: 8 }, () =>
        world.admin.execute(BillingPeriodSettleDocument, { input: { period: '2026-11', tenantIds: [world.b.id], idempotencyKey: key } }),
      ),
    );
    expect(answers.flatMap((answer) => answer.errors ?? [])).toEqual([]);
    expect(new Set(answers.map((answer) => answer.data!.billingPeriodSettle.settlementRun!.id)).size).toBe(1);
    const { rows } = await test.sql.query('select count(*)::int as count from settlement_run where idempotency_key = $1', [key]);
    expect(rows[0].count).toBe(1);
  });
});

describe('bad input and other roles', () => {
  it('names the field and the rule, and leaves settlement, runs and payments to the operator', async () => {
    const refused = (
      await world.admin.data(BillingPeriodSettleDocument, { input: { period: '2026-13', tenantIds: ['nope'], idempotencyKey: 'k'.repeat(300) } })
    ).billingPeriodSettle;
    expect(refused.userErrors.map((error) => [error.code, error.field!.join('.')]).sort()).toEqual([
      ['INVALID', 'input.period'],
      ['TOO_LONG', 'input.idempotencyKey'],
    ]);
    const unknownTenant = await settle('2026-10', ['ten_01M85PCPGCQFH1HAJAEVD1VAKW']);
    expect(unknownTenant.userErrors).toEqual([expect.objectContaining({ code: 'NOT_FOUND', field: ['input', 'tenantIds', '0'] })]);

    const bill = await billOf(world.a.id, '2026-11');
    const future = (
      await world.admin.data(PaymentRecordDocument, {
        input: { billId: bill.id, method: 'WECHAT_PAY', amount: '1.001', receivedAt: '2030-01-01T00:00:00Z', idempotencyKey: randomUUID() },
      })
    ).paymentRecord;
    expect(future.userErrors.map((error) => error.field!.join('.')).sort()).toEqual(['input.amount', 'input.receivedAt']);
    expect((await world.admin.data(BillVoidDocument, { input: { billId: bill.id, reason: '  ' } })).billVoid.userErrors[0]).toMatchObject({
      code: 'BLANK',
      field: ['input', 'reason'],
    });
    expect((await billOf(world.a.id, '2026-11')).status).toBe(bill.status);

    const tenantAdmin = test.client(world.a.tokens.TENANT_ADMIN);
    for (const result of [
      await tenantAdmin.execute(BillingPeriodSettleDocument, { input: { period: '2026-10', tenantIds: [world.a.id], idempotencyKey: randomUUID() } }),
      await tenantAdmin.execute(PaymentRecordDocument, {
        input: { billId: bill.id, method: 'ALIPAY', amount: '1.00', receivedAt: clock.now().toISOString(), idempotencyKey: randomUUID() },
      }),
      await tenantAdmin.execute(BillVoidDocument, { input: { billId: bill.id, reason: 'mine' } }),
      await tenantAdmin.execute(SettlementRunDocument, { id: 'srn_01M85PCPGCQFH1HAJAEVD1VAKW' }),
    ]) {
      expect(result.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    }
    const progress = await subscribe<SettlementProgressSubscription>(test.app.wsUrl, world.a.tokens.TENANT_ADMIN, print(SettlementProgressDocument), {
      runId: 'srn_01M85PCPGCQFH1HAJAEVD1VAKW',
    });
    expect((await progress.next()).errors?.[0]).toMatchObject({ extensions: { code: 'FORBIDDEN' } });
  });
});

describe('exports', () => {
  const download = (billId: string, format: string, token?: string) =>
    fetch(new URL(`/exports/bills/${billId}.${format}`, test.app.url), { headers: token ? { authorization: `Bearer ${token}` } : {} });

  it("exports CSV and JSON named as GraphQL's fields, and a PDF with the tenant's Chinese name that renders", async () => {
    const bill = await billOf(world.a.id, '2026-10');
    const csv = Buffer.from(await (await download(bill.id, 'csv', world.a.tokens.ERP)).arrayBuffer());
    expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // the byte-order mark Excel needs
    const [header, ...rows] = csv.subarray(3).toString('utf8').trim().split('\n');
    expect(header.split(',').slice(0, 5)).toEqual(['bill.id', 'bill.number', 'tenant.id', 'tenant.externalId', 'tenant.name']);
    expect(header.split(',')).toEqual(expect.arrayContaining(['unitPrice.id', 'exactAmount', 'amount.amount', 'total.gross.amount']));
    expect(rows).toHaveLength(bill.lines.length);

    const json = (await (await download(bill.id, 'json', world.a.tokens.ERP)).json()) as {
      total: { gross: { amount: string } };
      subtotal: { amount: string };
      lines: unknown[];
      payments: unknown[];
    };
    expect(json.total.gross.amount).toBe(bill.total.gross.amount);
    expect(json.subtotal.amount).toBe(bill.subtotal.amount);
    expect(json.lines).toHaveLength(bill.lines.length);
    expect(json.payments).toHaveLength(2);

    const response = await download(bill.id, 'pdf', world.a.tokens.TENANT_VIEWER);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    const pdf = Buffer.from(await response.arrayBuffer());
    const page = await rasterizePdfPage(pdf, 1);
    await writeFile(path.join(os.tmpdir(), 'bill-export-page-1.png'), page.png);
    expect(page.darkPixelRatio).toBeGreaterThan(0.01);
    expect(page.darkPixelRatio).toBeLessThan(0.5);
    expect(await pdfText(pdf, 1)).toContain('北京甲子科技有限公司');
  });

  it('renders at most two exports of one token at once; the rest are told to retry (429, Retry-After)', async () => {
    const bill = await billOf(world.a.id, '2026-10');
    const responses = await Promise.all(Array.from({ length: 6 }, () => download(bill.id, 'pdf', world.a.tokens.TENANT_FINANCE)));
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 200).length).toBeGreaterThanOrEqual(2);
    const refused = responses.filter((response) => response.status === 429);
    expect(refused.length).toBeGreaterThan(0);
    expect(statuses.every((status) => status === 200 || status === 429)).toBe(true);
    expect(refused[0].headers.get('retry-after')).toBe('1');
    expect(await refused[0].json()).toMatchObject({ error: { code: 'RATE_LIMITED' } });
    // Another token of the same tenant is not held up by the first one's renders.
    expect((await download(bill.id, 'pdf', world.a.tokens.TENANT_VIEWER)).status).toBe(200);
  });

  it('gives another tenant nothing: no bill, no export, no events', async () => {
    const bill = await billOf(world.a.id, '2026-10');
    const foreign = test.client(world.b.tokens.TENANT_VIEWER);
    expect((await foreign.data(BillDocument, { id: bill.id })).bill).toBeNull();
    expect((await foreign.data(NodeDocument, { id: bill.id })).node).toBeNull();
    const listed = await foreign.data(BillsDocument, { filter: { tenantId: null, period: null, status: null }, first: 50 });
    expect(listed.bills.nodes.every((node) => node.tenant.id === world.b.id)).toBe(true);
    expect((await foreign.execute(BillsDocument, { filter: { tenantId: world.a.id }, first: 5 })).errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect((await download(bill.id, 'pdf', world.b.tokens.ERP)).status).toBe(404);
    expect((await download(bill.id, 'csv')).status).toBe(401);
    // B's subscriber saw only B's events, up to and including B's December bill, settled together with A's.
    clock.set(new Date('2027-01-02T00:00:00Z'));
    await record(world.b.id, bKeys, 2, () => '2026-12-20T00:00:00Z', '2026-12');
    await settle('2026-12', [world.b.id, world.a.id]);
    const bDecember = (await billOf(world.b.id, '2026-12')).id;
    const { rows } = await test.sql.query<{ id: string }>('select id from bill where tenant_id = $1', [world.a.id]);
    const aBills = new Set(rows.map((row) => row.id));
    expect(aBills.size).toBe(3);
    for (;;) {
      const event = (await bEvents.next()).data!.billingEvent;
      expect(aBills.has(event.bill!.id)).toBe(false);
      if (event.bill!.id === bDecember) break;
    }
  });
});
