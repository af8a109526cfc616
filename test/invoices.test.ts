import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { print } from 'graphql';
import { FixedClock } from '../src/platform/clock.js';
import {
  BillDocument,
  BillingEventDocument,
  BillingPeriodSettleDocument,
  BillsDocument,
  BillVoidDocument,
  ContractCreateDocument,
  DepartmentCreateDocument,
  NodeDocument,
  OperatorProfileDocument,
  OperatorProfileSetDocument,
  TenantCreateDocument,
  TenantUpdateDocument,
  VatInvoiceDocument,
  VatInvoiceIssueDocument,
  VatInvoiceReverseDocument,
  VatInvoicesDocument,
  type BillingEventSubscription,
  type BillQuery,
  type VatInvoiceFieldsFragment,
  type VatInvoiceIssueInput,
  type VatInvoicesQuery,
} from './generated/graphql.js';
import { TEST_SELLER, type World } from './support/fixtures.js';
import type { GraphQLClient, TestApp } from './support/harness.js';
import { fen, fenText, roundDiv } from './support/integer-money.js';
import { pdfText, rasterizePdfPage } from './support/pdf-raster.js';
import { disposeSubscriptions, subscribe, type Subscription } from './support/subscriptions.js';
import { createKey, PRICES, recordUsage, startUsageTest, usageItem } from './support/usage-fixtures.js';

const clock = new FixedClock(new Date('2026-10-20T04:00:00Z'));
let test: TestApp;
let world: World;
let gateway: GraphQLClient;
let aFinance: GraphQLClient;
let bFinance: GraphQLClient;
type Bill = NonNullable<BillQuery['bill']>;
let aBill: Bill; // tax-exclusive: 10 % discount, 25 % on ECONOMY, a commitment true-up
let bBill: Bill; // tax-inclusive: 5 % discount

const A_BUYER = { legalName: '北京百度网讯科技有限公司', taxpayerId: '91110000802100433B', address: '北京市海淀区上地十街 10 号', phone: '010-59928888' };

// ---- the independent computation: integers only (fen, basis points), from the bill's lines ----

const TAX_BASIS_POINTS = 600n;

function itemOf(line: Bill['lines'][number]): string {
  return line.kind === 'COMMITMENT_TRUE_UP' ? 'COMMITMENT_TRUE_UP' : `AI_API_${line.modelTier}`;
}

/** A line's net, tax and gross from its amount (fen) per DESIGN 3, in the bill's tax mode. */
function lineFigures(amount: bigint, isInclusive: boolean): [net: bigint, tax: bigint, gross: bigint] {
  if (!isInclusive) {
    const tax = roundDiv(amount * TAX_BASIS_POINTS, 10_000n);
    return [amount, tax, amount + tax];
  }
  const net = roundDiv(amount * 10_000n, 10_000n + TAX_BASIS_POINTS);
  return [net, amount - net, amount];
}

function billItems(bill: Bill): Map<string, bigint> {
  return new Map([...billItemFigures(bill)].map(([item, [amount]]) => [item, amount]));
}

/** Per item, the sums of the bill's lines: amount, net, tax, gross. A whole-bill invoice has these lines. */
function billItemFigures(bill: Bill): Map<string, [amount: bigint, net: bigint, tax: bigint, gross: bigint]> {
  const items = new Map<string, [bigint, bigint, bigint, bigint]>();
  for (const line of bill.lines) {
    const [amount, net, tax, gross] = items.get(itemOf(line)) ?? [0n, 0n, 0n, 0n];
    items.set(itemOf(line), [
      amount + fen(line.amount.amount),
      net + fen(line.total.net.amount),
      tax + fen(line.total.tax.amount),
      gross + fen(line.total.gross.amount),
    ]);
  }
  return items;
}

function invoiceFigures(invoice: VatInvoiceFieldsFragment) {
  return invoice.lines.map(
    (line) => [line.item, fen(line.amount.amount), fen(line.total.net.amount), fen(line.total.tax.amount), fen(line.total.gross.amount)] as const,
  );
}

/**
 * A part of an item has the VAT of its amount (DESIGN 3); the line that uses an item up has what
 * is left of the item's VAT on the bill, within the fapiao system's 0.06 of net x rate.
 */
function expectConsistent(invoice: VatInvoiceFieldsFragment, isInclusive: boolean, usesUp: string[] = []) {
  for (const [item, amount, net, tax, gross] of invoiceFigures(invoice)) {
    if (!usesUp.includes(item)) expect([net, tax, gross]).toEqual(lineFigures(amount, isInclusive));
    expect(net + tax).toBe(gross);
    const difference = net * TAX_BASIS_POINTS - tax * 10_000n; // in fen x 10,000
    expect(difference < 0n ? -difference : difference).toBeLessThanOrEqual(usesUp.includes(item) ? 60_000n : 10_000n);
  }
  const sum = (index: 1 | 2 | 3 | 4) => invoiceFigures(invoice).reduce((total, line) => total + line[index], 0n);
  expect([fen(invoice.amount.amount), fen(invoice.total.net.amount), fen(invoice.total.tax.amount), fen(invoice.total.gross.amount)]).toEqual([
    sum(1),
    sum(2),
    sum(3),
    sum(4),
  ]);
}

// ---- helpers ----

async function issue(client: GraphQLClient, input: Partial<VatInvoiceIssueInput> & Pick<VatInvoiceIssueInput, 'billId'>) {
  return (await client.data(VatInvoiceIssueDocument, { input: { type: 'NORMAL', idempotencyKey: randomUUID(), ...input } })).vatInvoiceIssue;
}

async function reverse(client: GraphQLClient, invoiceId: string, idempotencyKey: string = randomUUID(), reason = '开票信息有误') {
  return (await client.data(VatInvoiceReverseDocument, { input: { invoiceId, reason, idempotencyKey } })).vatInvoiceReverse;
}

async function billNow(id: string): Promise<Bill> {
  return (await world.admin.data(BillDocument, { id })).bill!;
}

async function invoiceNumbers(): Promise<bigint[]> {
  const { rows } = await test.sql.query<{ number: string }>(`select number from vat_invoice order by number`);
  return rows.map((row) => BigInt(row.number));
}

function expectContiguous(numbers: bigint[]) {
  expect(numbers.length).toBeGreaterThan(0);
  numbers.forEach((number, index) => expect(number).toBe(numbers[0] + BigInt(index)));
}

const exportOf = (invoiceId: string, format: string, token?: string) =>
  fetch(new URL(`/exports/invoices/${invoiceId}.${format}`, test.app.url), { headers: token ? { authorization: `Bearer ${token}` } : {} });

let aEvents: Subscription<BillingEventSubscription>;
let bEvents: Subscription<BillingEventSubscription>;

beforeAll(async () => {
  ({ test, world, gateway } = await startUsageTest({ clock }));
  aFinance = test.client(world.a.tokens.TENANT_FINANCE);
  bFinance = test.client(world.b.tokens.TENANT_FINANCE);
  const contract = async (tenantId: string, terms: Record<string, unknown>) => {
    const result = (
      await world.admin.data(ContractCreateDocument, {
        input: { tenantId, type: 'ANNUAL', startPeriod: '2026-10', cancellationNoticeDays: 30, terms: { billingMode: 'POSTPAID_MONTHLY', ...terms } },
      })
    ).contractCreate;
    expect(result.userErrors).toEqual([]);
  };
  await contract(world.a.id, { discountPercent: '10', tierDiscounts: [{ tier: 'ECONOMY', percent: '25' }], monthlyCommitment: '900' });
  await contract(world.b.id, { discountPercent: '5', taxMode: 'TAX_INCLUSIVE' });
  await world.admin.data(TenantUpdateDocument, { input: { tenantId: world.b.id, buyerTaxProfile: { legalName: '乙方科技（深圳）有限公司' } } });
  const models = [PRICES.chat, PRICES.embed, PRICES.image, PRICES.audio];
  for (const [tenant, count] of [
    [world.a, 45],
    [world.b, 30],
  ] as const) {
    const items = Array.from({ length: count }, (_, index) => {
      const price = models[(index * 7) % models.length];
      return usageItem(tenant.apiKeyId, {
        model: price.model,
        occurredAt: new Date(Date.parse('2026-10-02T00:00:00Z') + index * 3_600_000).toISOString(),
        inputTokens: 1 + ((index * 7919) % 250_000),
        outputTokens: (index * 104_729) % 90_000,
        imageCount: price === PRICES.image ? 1 + (index % 3) : 0,
      });
    });
    expect((await recordUsage(gateway, items)).rejections).toEqual([]);
  }
  clock.set(new Date('2026-11-02T02:00:00Z'));
  const run = (
    await world.admin.data(BillingPeriodSettleDocument, { input: { period: '2026-10', tenantIds: [world.a.id, world.b.id], idempotencyKey: randomUUID() } })
  ).billingPeriodSettle;
  expect(run.settlementRun).toMatchObject({ status: 'COMPLETED', billedCount: 2 });
  const bills = await world.admin.data(BillsDocument, { filter: { period: '2026-10' }, first: 10 });
  const billOf = (tenantId: string) => billNow(bills.bills.nodes.find((bill) => bill.tenant.id === tenantId)!.id);
  [aBill, bBill] = [await billOf(world.a.id), await billOf(world.b.id)];
  expect(aBill.lines.map((line) => line.kind)).toEqual(expect.arrayContaining(['USAGE', 'DISCOUNT', 'COMMITMENT_TRUE_UP']));
  aEvents = await subscribe<BillingEventSubscription>(test.app.wsUrl, world.a.tokens.TENANT_FINANCE, print(BillingEventDocument));
  bEvents = await subscribe<BillingEventSubscription>(test.app.wsUrl, world.b.tokens.TENANT_VIEWER, print(BillingEventDocument));
});
afterAll(async () => {
  await disposeSubscriptions();
  await test.stop();
});

describe('operator profile', () => {
  it('must be set before the first invoice', async () => {
    const refused = await issue(aFinance, { billId: aBill.id, buyer: A_BUYER });
    expect(refused.userErrors).toEqual([
      expect.objectContaining({ code: 'INVALID_STATE', field: null, message: expect.stringContaining('operatorProfileSet') }),
    ]);
  });

  it('is set by the operator only, with every field and a valid taxpayer id', async () => {
    const bad = (await world.admin.data(OperatorProfileSetDocument, { input: { ...TEST_SELLER, taxpayerId: '91330106673959654Q', bankAccount: '' } }))
      .operatorProfileSet;
    expect(bad.userErrors.map((error) => [error.code, error.field])).toEqual([
      ['INVALID_TAXPAYER_ID', ['input', 'taxpayerId']],
      ['BLANK', ['input', 'bankAccount']],
    ]);
    const forbidden = await aFinance.execute(OperatorProfileSetDocument, { input: TEST_SELLER });
    expect(forbidden.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const set = (await world.admin.data(OperatorProfileSetDocument, { input: TEST_SELLER })).operatorProfileSet;
    expect(set.userErrors).toEqual([]);
    expect((await aFinance.data(OperatorProfileDocument)).operatorProfile?.seller).toEqual(TEST_SELLER);
  });
});

let aInvoice: VatInvoiceFieldsFragment;

describe('issuing', () => {
  it('refuses a buyer that does not qualify, naming the field', async () => {
    const cases: [Partial<VatInvoiceIssueInput>, string, string[]][] = [
      [{ type: 'SPECIAL', buyer: { ...A_BUYER, taxpayerId: '91110000802100433C' } }, 'INVALID_TAXPAYER_ID', ['input', 'buyer', 'taxpayerId']], // check digit
      [{ type: 'SPECIAL', buyer: { ...A_BUYER, taxpayerId: '91110000802100433' } }, 'INVALID_TAXPAYER_ID', ['input', 'buyer', 'taxpayerId']], // 17 characters
      [{ type: 'SPECIAL', buyer: { ...A_BUYER, taxpayerId: '9111000080210O433B' } }, 'INVALID_TAXPAYER_ID', ['input', 'buyer', 'taxpayerId']], // letter O
      [{ type: 'SPECIAL', buyer: { legalName: A_BUYER.legalName } }, 'BLANK', ['input', 'buyer', 'taxpayerId']],
      [{ type: 'NORMAL', buyer: { legalName: ' ' } }, 'BLANK', ['input', 'buyer', 'legalName']],
      [{ type: 'NORMAL', buyer: { legalName: '张三', taxpayerId: 'not-a-code' } }, 'INVALID_TAXPAYER_ID', ['input', 'buyer', 'taxpayerId']],
      [{ type: 'NORMAL', buyer: { legalName: '张三', address: '北京市'.repeat(15), phone: '13800138000' } }, 'TOO_LONG', ['input', 'buyer', 'address']],
      [
        {
          type: 'NORMAL',
          buyer: { legalName: '张三', bankName: '中国工商银行股份有限公司北京中关村支行'.repeat(2), bankAccount: '6222020200000000000000001' },
        },
        'TOO_LONG',
        ['input', 'buyer', 'bankName'],
      ],
      [{ type: 'NORMAL', amount: '0' }, 'INVALID', ['input', 'amount']],
      [{ type: 'NORMAL', amount: '1.005' }, 'INVALID', ['input', 'amount']],
    ];
    for (const [input, code, field] of cases) {
      const result = await issue(aFinance, { billId: aBill.id, ...input });
      expect([result.invoice, result.userErrors.map((error) => [error.code, error.field])]).toEqual([null, [[code, field]]]);
    }
    const everything = await issue(aFinance, { billId: aBill.id, type: 'SPECIAL', amount: '-1', buyer: { legalName: '' } });
    expect(everything.userErrors.map((error) => error.field!.join('.'))).toEqual(['input.amount', 'input.buyer.legalName', 'input.buyer.taxpayerId']);
    // Without a buyer in the input, the tenant's profile is used: it has no taxpayer id yet.
    await world.admin.data(TenantUpdateDocument, { input: { tenantId: world.a.id, buyerTaxProfile: { legalName: A_BUYER.legalName } } });
    const fromProfile = await issue(aFinance, { billId: aBill.id, type: 'SPECIAL' });
    expect(fromProfile.userErrors).toEqual([
      expect.objectContaining({ code: 'BLANK', field: ['input', 'buyer', 'taxpayerId'], message: expect.stringContaining('buyer tax profile') }),
    ]);
    expect((await test.sql.query(`select count(*)::int as count from vat_invoice`)).rows[0].count).toBe(0);
  });

  it('issues a SPECIAL invoice for a whole tax-exclusive bill, equal to an independent computation', async () => {
    await world.admin.data(TenantUpdateDocument, { input: { tenantId: world.a.id, buyerTaxProfile: A_BUYER } });
    const result = await issue(aFinance, { billId: aBill.id, type: 'SPECIAL', idempotencyKey: 'a-special-1' });
    expect(result.userErrors).toEqual([]);
    aInvoice = result.invoice!;
    expect(aInvoice).toMatchObject({
      number: expect.stringMatching(/^2026\d{16}$/),
      type: 'SPECIAL',
      status: 'ISSUED',
      isRedLetter: false,
      issuedOn: '2026-11-02',
      taxMode: 'TAX_EXCLUSIVE',
      seller: TEST_SELLER,
      buyer: { ...A_BUYER, bankName: null, bankAccount: null },
      bill: { id: aBill.id },
    });
    const order = ['AI_API_ECONOMY', 'AI_API_STANDARD', 'AI_API_PREMIUM', 'COMMITMENT_TRUE_UP'];
    const expected = [...billItemFigures(aBill)]
      .sort(([left], [right]) => order.indexOf(left) - order.indexOf(right))
      .map(([item, figures]) => [item, ...figures]);
    expect(invoiceFigures(aInvoice)).toEqual(expected);
    expect(aInvoice.total).toEqual(aBill.total);
    expect(aInvoice.lines.map((line) => line.itemName)).toContain('*信息技术服务*AI模型API服务(月度最低消费补足)');
    expectConsistent(aInvoice, false, [...billItems(aBill).keys()]);
    expect(aInvoice.amount.amount).toBe(aBill.subtotal.amount);
    expect(result.bill).toMatchObject({ amountInvoiced: { amount: aBill.subtotal.amount }, amountInvoiceable: { amount: '0.00' } });
    expect((await aEvents.next()).data?.billingEvent).toMatchObject({
      type: 'INVOICE_ISSUED',
      bill: { id: aBill.id, amountInvoiced: { amount: aBill.subtotal.amount } },
      invoice: { id: aInvoice.id, number: aInvoice.number },
    });
  });

  it('returns the same invoice for a retry, and refuses the key with other input', async () => {
    const retry = await issue(aFinance, { billId: aBill.id, type: 'SPECIAL', idempotencyKey: 'a-special-1' });
    expect(retry.invoice).toMatchObject({ id: aInvoice.id, number: aInvoice.number });
    const reused = await issue(aFinance, { billId: aBill.id, type: 'NORMAL', idempotencyKey: 'a-special-1' });
    expect(reused.userErrors).toEqual([expect.objectContaining({ code: 'IDEMPOTENCY_KEY_REUSED', field: ['input', 'idempotencyKey'] })]);
  });

  it('never invoices more than the bill', async () => {
    const more = await issue(aFinance, { billId: aBill.id, amount: '0.01' });
    expect(more.userErrors).toEqual([expect.objectContaining({ code: 'OVER_INVOICED', field: ['input', 'billId'] })]);
    const whole = await issue(bFinance, { billId: bBill.id, amount: fenText(fen(bBill.subtotal.amount) + 1n) });
    expect(whole.userErrors).toEqual([expect.objectContaining({ code: 'OVER_INVOICED', field: ['input', 'amount'] })]);
  });

  it('invoices a tax-inclusive bill in parts, spread over the lines in proportion, up to its total', async () => {
    const total = fen(bBill.subtotal.amount);
    const items = billItems(bBill);
    const firstAmount = total / 3n;
    const first = (await issue(bFinance, { billId: bBill.id, amount: fenText(firstAmount) })).invoice!;
    expectConsistent(first, true);
    expect(fen(first.amount.amount)).toBe(firstAmount);
    for (const [item, amount] of invoiceFigures(first)) {
      const exact = (firstAmount * items.get(item)! * 1000n) / total; // in 1/1000 fen
      expect(amount * 1000n - exact).toBeLessThan(1000n);
      expect(amount * 1000n - exact).toBeGreaterThan(-1000n);
    }
    const rest = await issue(bFinance, { billId: bBill.id });
    expectConsistent(rest.invoice!, true, [...items.keys()]);
    expect(fen(rest.invoice!.amount.amount)).toBe(total - firstAmount);
    // Together the parts are exactly the bill, item by item.
    const invoiced = new Map<string, bigint>();
    for (const [item, amount] of [...invoiceFigures(first), ...invoiceFigures(rest.invoice!)]) invoiced.set(item, (invoiced.get(item) ?? 0n) + amount);
    expect(invoiced).toEqual(new Map([...items].filter(([, amount]) => amount > 0n)));
    expect(rest.bill).toMatchObject({ amountInvoiced: { amount: bBill.subtotal.amount }, amountInvoiceable: { amount: '0.00' } });
    expect((await bEvents.next()).data?.billingEvent).toMatchObject({ type: 'INVOICE_ISSUED', invoice: { id: first.id } });
  });
});

describe('reversing', () => {
  let red: VatInvoiceFieldsFragment;

  it('issues a red-letter invoice that negates the original and restores the invoiceable amount', async () => {
    const before = await billNow(aBill.id);
    const voidRefused = (await world.admin.data(BillVoidDocument, { input: { billId: aBill.id, reason: 'wrong' } })).billVoid;
    expect(voidRefused.userErrors).toEqual([expect.objectContaining({ code: 'INVALID_STATE', message: expect.stringContaining('reverse them') })]);
    const last = (await invoiceNumbers()).at(-1)!;
    const result = await reverse(aFinance, aInvoice.id, 'a-reverse-1');
    expect(result.userErrors).toEqual([]);
    red = result.redLetterInvoice!;
    expect(red).toMatchObject({
      isRedLetter: true,
      status: 'ISSUED',
      type: 'SPECIAL',
      reversalOf: { id: aInvoice.id },
      reversalReason: '开票信息有误',
      seller: aInvoice.seller,
      buyer: aInvoice.buyer,
    });
    expect(BigInt(red.number)).toBe(last + 1n);
    expect(invoiceFigures(red)).toEqual(invoiceFigures(aInvoice).map(([item, ...amounts]) => [item, ...amounts.map((amount) => -amount)]));
    expect(red.totalInWords.startsWith('负')).toBe(true);
    expect(result.reversedInvoice).toEqual({ id: aInvoice.id, status: 'REVERSED', reversedBy: { id: red.id } });
    expect(result.bill).toMatchObject({ amountInvoiced: { amount: '0.00' }, amountInvoiceable: { amount: before.subtotal.amount } });
    // The same subscription reads the bill afresh for each event.
    expect((await aEvents.next()).data?.billingEvent).toMatchObject({
      type: 'INVOICE_REVERSED',
      bill: { amountInvoiced: { amount: '0.00' } },
      invoice: { id: red.id, isRedLetter: true },
    });
  });

  it('cannot be repeated; a retry returns the same red-letter invoice', async () => {
    expect((await reverse(aFinance, aInvoice.id, 'a-reverse-1')).redLetterInvoice?.id).toBe(red.id);
    expect((await reverse(aFinance, aInvoice.id)).userErrors).toEqual([expect.objectContaining({ code: 'ALREADY_REVERSED', field: ['input', 'invoiceId'] })]);
    expect((await reverse(aFinance, red.id)).userErrors).toEqual([expect.objectContaining({ code: 'INVALID_STATE', field: ['input', 'invoiceId'] })]);
    expect((await reverse(aFinance, aInvoice.id, randomUUID(), '')).userErrors).toEqual([
      expect.objectContaining({ code: 'BLANK', field: ['input', 'reason'] }),
    ]);
  });
});

describe('concurrency and numbering', () => {
  it('refuses the second of two concurrent issues that together would exceed the bill', async () => {
    const invoiceable = fen((await billNow(aBill.id)).amountInvoiceable.amount);
    const part = fenText((invoiceable * 6n) / 10n);
    const results = await Promise.all([issue(aFinance, { billId: aBill.id, amount: part }), issue(world.admin, { billId: aBill.id, amount: part })]);
    expect(results.filter((result) => result.invoice).length).toBe(1);
    expect(results.flatMap((result) => result.userErrors.map((error) => error.code))).toEqual(['OVER_INVOICED']);
    const after = await billNow(aBill.id);
    expect(fen(after.amountInvoiced.amount)).toBe(fen(part));
    const { rows } = await test.sql.query(`select sum(amount)::text as invoiced from vat_invoice where bill_id = $1`, [aBill.id]);
    expect(fen(rows[0].invoiced)).toBeLessThanOrEqual(fen(aBill.subtotal.amount));
  });

  it('numbers gap-free under concurrency and after a failed issuance', async () => {
    const invoiceable = fen((await billNow(aBill.id)).amountInvoiceable.amount);
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, index) => issue(index % 2 ? aFinance : world.admin, { billId: aBill.id, amount: fenText(invoiceable / 20n) })),
    );
    expect(results.flatMap((result) => result.userErrors)).toEqual([]);
    expectContiguous(await invoiceNumbers());

    // An issuance that fails after taking its number (here: the row is refused at insert) rolls the number back.
    await test.sql.query(`create function refuse_marked_invoice() returns trigger language plpgsql as $$
      begin if new.buyer->>'legalName' = '模拟失败有限公司' then raise exception 'simulated failure after numbering'; end if; return new; end $$`);
    await test.sql.query(`create trigger refuse_marked_invoice before insert on vat_invoice for each row execute function refuse_marked_invoice()`);
    const last = (await invoiceNumbers()).at(-1)!;
    const failed = await aFinance.execute(VatInvoiceIssueDocument, {
      input: { billId: aBill.id, type: 'NORMAL', amount: '0.01', buyer: { legalName: '模拟失败有限公司' }, idempotencyKey: randomUUID() },
    });
    expect(failed.errors?.[0].extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    const next = (await issue(aFinance, { billId: aBill.id, amount: '0.01' })).invoice!;
    expect(BigInt(next.number)).toBe(last + 1n);
    expectContiguous(await invoiceNumbers());
  });
});

describe('snapshots, queries and exports', () => {
  it('keeps the seller and buyer an invoice was issued with', async () => {
    await world.admin.data(OperatorProfileSetDocument, { input: { ...TEST_SELLER, address: '上海市徐汇区云锦路 500 号' } });
    await world.admin.data(TenantUpdateDocument, { input: { tenantId: world.a.id, buyerTaxProfile: { address: '北京市朝阳区' } } });
    const old = (await aFinance.data(VatInvoiceDocument, { id: aInvoice.id })).vatInvoice!;
    expect([old.seller.address, old.buyer.address]).toEqual([TEST_SELLER.address, A_BUYER.address]);
    const fresh = (await issue(aFinance, { billId: aBill.id, amount: '1.00' })).invoice!;
    expect([fresh.seller.address, fresh.buyer.address]).toEqual(['上海市徐汇区云锦路 500 号', '北京市朝阳区']);
  });

  it('lists by bill, status, type, issue time and change for ERP pulls', async () => {
    const erp = test.client(world.a.tokens.ERP);
    const all = await erp.data(VatInvoicesDocument, { first: 20 });
    expect(all.vatInvoices.nodes.every((invoice) => invoice.bill.id === aBill.id)).toBe(true);
    const reversed = await erp.data(VatInvoicesDocument, { filter: { status: 'REVERSED' }, first: 10 });
    expect(reversed.vatInvoices.nodes.map((invoice) => invoice.id)).toEqual([aInvoice.id]);
    const special = await erp.data(VatInvoicesDocument, { filter: { type: 'SPECIAL' }, first: 10 });
    expect(special.vatInvoices.totalCount).toBe(2); // the original and its red-letter invoice
    const window = await erp.data(VatInvoicesDocument, { filter: { issuedFrom: '2026-11-01T00:00:00Z', issuedTo: '2026-11-03T00:00:00Z' }, first: 1 });
    expect(window.vatInvoices.totalCount).toBe(all.vatInvoices.totalCount);
    // Paged by change: each invoice once; the reversed original comes after its reversal.
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const page: VatInvoicesQuery['vatInvoices'] = (
        await erp.data(VatInvoicesDocument, {
          filter: { updatedSince: '2026-11-01T00:00:00Z' },
          orderBy: { field: 'UPDATED_AT', direction: 'ASC' },
          first: 3,
          after,
        })
      ).vatInvoices;
      seen.push(...page.nodes.map((invoice) => invoice.id));
      after = page.pageInfo.hasNextPage ? (page.pageInfo.endCursor ?? null) : null;
    } while (after);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBe(all.vatInvoices.totalCount);
    const bill = (await erp.data(BillDocument, { id: aBill.id })).bill!;
    expect(bill.invoices.map((invoice) => invoice.id)).toEqual(expect.arrayContaining([aInvoice.id]));
    expect(fen(bill.amountInvoiced.amount) + fen(bill.amountInvoiceable.amount)).toBe(fen(bill.subtotal.amount));
  });

  it('exports a fapiao PDF with Chinese text, and JSON and XML for ERP import', async () => {
    const token = world.a.tokens.TENANT_FINANCE;
    const pdfResponse = await exportOf(aInvoice.id, 'pdf', token);
    expect(pdfResponse.status).toBe(200);
    const pdf = Buffer.from(await pdfResponse.arrayBuffer());
    const text = (await pdfText(pdf, 1)).replace(/\s+/g, '');
    for (const expected of [
      '电子发票（增值税专用发票）',
      A_BUYER.legalName,
      TEST_SELLER.legalName!,
      aInvoice.number,
      aInvoice.totalInWords,
      '*信息技术服务*AI模型API服务',
    ]) {
      expect(text).toContain(expected.replace(/\s+/g, ''));
    }
    const page = await rasterizePdfPage(pdf, 1);
    await writeFile(path.join(os.tmpdir(), 'fapiao-export-test.png'), page.png);
    expect(page.darkPixelRatio).toBeGreaterThan(0.01);
    expect(page.darkPixelRatio).toBeLessThan(0.5);

    const json = (await (await exportOf(aInvoice.id, 'json', token)).json()) as Record<string, any>;
    expect(json).toMatchObject({
      id: aInvoice.id,
      number: aInvoice.number,
      type: 'SPECIAL',
      status: 'REVERSED',
      seller: TEST_SELLER,
      total: { gross: { amount: aInvoice.total.gross.amount, currency: 'CNY' } },
      totalInWords: aInvoice.totalInWords,
      reversedBy: { id: expect.stringMatching(/^inv_/) },
    });
    expect(json.lines).toHaveLength(aInvoice.lines.length);

    const xmlResponse = await exportOf(aInvoice.id, 'xml', token);
    expect(xmlResponse.headers.get('content-type')).toContain('application/xml');
    const xml = new XMLParser({ parseTagValue: false }).parse(await xmlResponse.text());
    const lines = [xml.vatInvoice.lines.line].flat();
    expect(xml.vatInvoice).toMatchObject({
      id: aInvoice.id,
      number: aInvoice.number,
      seller: { legalName: TEST_SELLER.legalName },
      total: { net: { amount: aInvoice.total.net.amount } },
    });
    expect(lines.map((line: { total: { gross: { amount: string } } }) => line.total.gross.amount)).toEqual(
      aInvoice.lines.map((line) => line.total.gross.amount),
    );
  });
});

describe('another tenant', () => {
  it('gets NOT_FOUND, null and 404 for the invoices of another tenant, and none of its events', async () => {
    expect((await bFinance.data(VatInvoiceDocument, { id: aInvoice.id })).vatInvoice).toBeNull();
    expect((await bFinance.data(NodeDocument, { id: aInvoice.id })).node).toBeNull();
    const listed = await bFinance.execute(VatInvoicesDocument, { filter: { tenantId: world.a.id }, first: 10 });
    expect(listed.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect((await bFinance.data(VatInvoicesDocument, { filter: { billId: aBill.id }, first: 10 })).vatInvoices.totalCount).toBe(0);
    expect((await issue(bFinance, { billId: aBill.id })).userErrors).toEqual([expect.objectContaining({ code: 'NOT_FOUND', field: ['input', 'billId'] })]);
    expect((await reverse(bFinance, aInvoice.id)).userErrors).toEqual([expect.objectContaining({ code: 'NOT_FOUND', field: ['input', 'invoiceId'] })]);
    expect((await exportOf(aInvoice.id, 'pdf', world.b.tokens.TENANT_FINANCE)).status).toBe(404);
    expect((await exportOf(aInvoice.id, 'pdf')).status).toBe(401);
    // Only finance staff and the operator issue: viewers and ERP are refused outright.
    for (const token of [world.a.tokens.TENANT_VIEWER, world.a.tokens.ERP, world.a.tokens.TENANT_ADMIN]) {
      const refused = await test.client(token).execute(VatInvoiceIssueDocument, { input: { billId: aBill.id, type: 'NORMAL', idempotencyKey: randomUUID() } });
      expect(refused.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    }
    // b's subscriber saw its own invoice events only: the next one is b's.
    const bInvoice = (await issue(world.admin, { billId: bBill.id })).userErrors;
    expect(bInvoice[0].code).toBe('OVER_INVOICED');
    const reversedB = (await bFinance.data(VatInvoicesDocument, { first: 1 })).vatInvoices.nodes[0];
    await reverse(bFinance, reversedB.id);
    expect((await bEvents.next()).data?.billingEvent).toMatchObject({ type: 'INVOICE_ISSUED', bill: { id: bBill.id } });
    expect((await bEvents.next()).data?.billingEvent).toMatchObject({ type: 'INVOICE_REVERSED', bill: { id: bBill.id } });
  });
});

describe('adding up', () => {
  /**
   * A tenant whose October bill has 20 usage lines of 0.75 in one tier, one per department: each
   * line's VAT rounds the same way, so the item's VAT on the bill is not its net x 6 % rounded.
   */
  async function tenantWithRoundingBill(taxMode: 'TAX_EXCLUSIVE' | 'TAX_INCLUSIVE') {
    const tenant = (await world.admin.data(TenantCreateDocument, { input: { name: `Rounding ${taxMode} 有限公司`, timezone: 'Asia/Shanghai' } })).tenantCreate
      .tenant!;
    await world.admin.data(TenantUpdateDocument, { input: { tenantId: tenant.id, buyerTaxProfile: { legalName: `Rounding ${taxMode} 有限公司` } } });
    const created = (
      await world.admin.data(ContractCreateDocument, {
        input: {
          tenantId: tenant.id,
          type: 'PAY_AS_YOU_GO',
          startPeriod: '2026-10',
          cancellationNoticeDays: 0,
          terms: { billingMode: 'POSTPAID_MONTHLY', taxMode },
        },
      })
    ).contractCreate;
    expect(created.userErrors).toEqual([]);
    const records = [];
    for (let index = 0; index < 20; index += 1) {
      const department = (await world.admin.data(DepartmentCreateDocument, { input: { tenantId: tenant.id, name: `部门 ${index}` } })).departmentCreate
        .department!;
      const key = await createKey(test, world.admin, { departmentId: department.id });
      // 299,880 input tokens at 2.5 a million and 0.0003 a request: 0.75 exactly.
      records.push(usageItem(key.id, { occurredAt: '2026-10-15T02:00:00Z', inputTokens: 299_880, outputTokens: 0 }));
    }
    expect((await recordUsage(gateway, records)).rejections).toEqual([]);
    const run = (await world.admin.data(BillingPeriodSettleDocument, { input: { period: '2026-10', tenantIds: [tenant.id], idempotencyKey: randomUUID() } }))
      .billingPeriodSettle;
    expect(run.settlementRun).toMatchObject({ billedCount: 1 });
    const { bills } = await world.admin.data(BillsDocument, { filter: { tenantId: tenant.id }, first: 1 });
    return billNow(bills.nodes[0].id);
  }

  const totals = (of: { total: { net: { amount: string }; tax: { amount: string }; gross: { amount: string } } }[]) =>
    (['net', 'tax', 'gross'] as const).map((figure) => fenText(of.reduce((sum, document) => sum + fen(document.total[figure].amount), 0n)));

  it.each(['TAX_EXCLUSIVE', 'TAX_INCLUSIVE'] as const)(
    "a fully invoiced bill's invoices sum to its net, tax and gross exactly, each line within 0.06 of net x rate (%s)",
    async (taxMode) => {
      const bill = await tenantWithRoundingBill(taxMode);
      // Bill: 20 x 0.75; per line VAT 0.05 (exclusive) or net 0.71 (inclusive); 15.00 x 6 % would say otherwise.
      expect(totals([bill])).toEqual(taxMode === 'TAX_EXCLUSIVE' ? ['15.00', '1.00', '16.00'] : ['14.20', '0.80', '15.00']);
      const part = await issue(world.admin, { billId: bill.id, amount: '4.00' });
      const rest = await issue(world.admin, { billId: bill.id });
      const reissue = await issue(world.admin, { billId: bill.id, amount: '0.01' });
      expect(reissue.userErrors).toEqual([expect.objectContaining({ code: 'OVER_INVOICED' })]);
      const invoices = [part.invoice!, rest.invoice!];
      expect(totals(invoices)).toEqual(totals([bill]));
      for (const [, , net, tax] of invoices.flatMap(invoiceFigures)) {
        const difference = net * TAX_BASIS_POINTS - tax * 10_000n; // in fen x 10,000
        expect(difference < 0n ? -difference : difference).toBeLessThanOrEqual(60_000n);
      }
      // Reversed and invoiced again in one go, it still adds up.
      expect((await reverse(world.admin, rest.invoice!.id)).userErrors).toEqual([]);
      const again = await issue(world.admin, { billId: bill.id });
      expect(totals([part.invoice!, again.invoice!])).toEqual(totals([bill]));
    },
  );
});
