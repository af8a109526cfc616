import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { randomUUID } from 'node:crypto';
import { FixedClock } from '../src/platform/clock.js';
import {
  BalanceAdjustDocument,
  BalanceTopUpDocument,
  BillingPeriodSettleDocument,
  ContractCreateDocument,
  OperatorProfileSetDocument,
  RedemptionCodeRedeemDocument,
  RedemptionCodesCreateDocument,
  StatementDocument,
  TenantUpdateDocument,
  UsageSummaryDocument,
  VatInvoiceIssueDocument,
} from './generated/graphql.js';
import { TEST_SELLER, type World } from './support/fixtures.js';
import type { GraphQLClient, TestApp } from './support/harness.js';
import { pdfPageCount, pdfText, rasterizePdfPage } from './support/pdf-raster.js';
import { recordUsage, startUsageTest, toUnits, usageItem } from './support/usage-fixtures.js';

/*
 * The statement of account (issue 17, item 4), for a prepaid tenant and a month with every kind of
 * ledger entry, against an independent sum of the ledger: every entry read back from the table and
 * summed in integers (toUnits), October in Asia/Shanghai being [2026-09-30T16:00Z, 2026-10-31T16:00Z).
 */
const clock = new FixedClock(new Date('2026-09-20T04:00:00Z'));
const OCTOBER = { from: '2026-09-30T16:00:00.000Z', to: '2026-10-31T16:00:00.000Z' };
let test: TestApp;
let world: World;
let gateway: GraphQLClient;
let finance: GraphQLClient;

const at = async (instant: string, work: () => Promise<unknown>) => {
  clock.set(new Date(instant));
  await work();
};

const topUp = (amount: string) =>
  world.admin.data(BalanceTopUpDocument, {
    input: { tenantId: world.a.id, amount, paymentMethod: 'BANK_TRANSFER', reference: `slip ${amount}`, idempotencyKey: randomUUID() },
  });

beforeAll(async () => {
  ({ test, world, gateway } = await startUsageTest({ clock }));
  finance = test.client(world.a.tokens.TENANT_FINANCE);
  const { contractCreate } = await world.admin.data(ContractCreateDocument, {
    input: { tenantId: world.a.id, type: 'PAY_AS_YOU_GO', startPeriod: '2026-09', terms: { billingMode: 'PREPAID' } },
  });
  expect(contractCreate.userErrors).toEqual([]);
  await topUp('1000.00'); // September: the opening balance
  await at('2026-10-02T04:00:00Z', () => topUp('500.00'));
  await at('2026-10-05T04:00:00Z', async () => {
    const { redemptionCodesCreate } = await world.admin.data(RedemptionCodesCreateDocument, {
      input: { count: 1, amount: '200.00', currency: 'CNY', expiresAt: '2027-01-01T00:00:00Z' },
    });
    await test.client(world.a.tokens.TENANT_ADMIN).data(RedemptionCodeRedeemDocument, { input: { code: redemptionCodesCreate.codes[0].code } });
  });
  await at('2026-10-10T04:00:00Z', async () => {
    const records = Array.from({ length: 4 }, (_unused, index) =>
      usageItem(world.a.apiKeyId, { occurredAt: '2026-10-10T03:00:00Z', inputTokens: 1000 + index * 777 }),
    );
    expect((await recordUsage(gateway, records)).rejections).toEqual([]);
  });
  // A refund: no operation of the API posts one yet, so it is booked as the ledger would book it.
  await test.sql.query(
    `with account as (update balance_account set balance = balance + 12.34, updated_at = $2 where tenant_id = $1 returning balance)
     insert into balance_entry (id, tenant_id, type, amount, currency, balance_after, reason, created_at)
     select 'bal_01KBREFVND0000000000000001', $1, 'REFUND', 12.34, 'CNY', balance, 'refund of a failed job', $2 from account`,
    [world.a.id, '2026-10-20T00:00:00Z'],
  );
  // The last second of October in Shanghai, and the first of November.
  await at('2026-10-31T15:59:59Z', () =>
    world.admin.data(BalanceAdjustDocument, { input: { tenantId: world.a.id, amount: '-30.50', reason: 'goodwill reversed', idempotencyKey: randomUUID() } }),
  );
  await at('2026-10-31T16:00:00Z', () => topUp('100.00'));
}, 60_000);
afterAll(() => test.stop());

it("equals an independent sum of the ledger for a month with every kind of entry, opening and closing at the month's local bounds", async () => {
  const { statement } = await finance.data(StatementDocument, { tenantId: world.a.id, period: '2026-10' });
  expect(statement).toMatchObject({ period: '2026-10', from: OCTOBER.from, to: OCTOBER.to, currency: 'CNY' });

  const { rows: ledger } = await test.sql.query<{ id: string; type: string; amount: string; createdAt: Date }>(
    `select id, type, amount::text, created_at as "createdAt" from balance_entry where tenant_id = $1`,
    [world.a.id],
  );
  const before = (instant: string) => ledger.filter((entry) => entry.createdAt < new Date(instant));
  const sum = (entries: { amount: string }[]) => entries.reduce((total, entry) => total + toUnits(entry.amount), 0n);
  const inMonth = ledger.filter((entry) => entry.createdAt >= new Date(OCTOBER.from) && entry.createdAt < new Date(OCTOBER.to));
  const ofType = (type: string) => inMonth.filter((entry) => entry.type === type);

  const { balance } = statement;
  expect(toUnits(balance.opening.amount)).toBe(sum(before(OCTOBER.from)));
  expect(toUnits(balance.opening.amount)).toBe(toUnits('1000'));
  expect(toUnits(balance.closing.amount)).toBe(sum(before(OCTOBER.to)));
  const sections = { TOP_UP: balance.topUps, REDEMPTION: balance.redemptions, USAGE: balance.usage, ADJUSTMENT: balance.adjustments, REFUND: balance.refunds };
  for (const [type, section] of Object.entries(sections)) {
    // Every kind of entry is in the month, and each section lists exactly its entries and sums them.
    expect(ofType(type).length).toBeGreaterThan(0);
    expect(section.entries.map((entry) => entry.id).sort()).toEqual(
      ofType(type)
        .map((entry) => entry.id)
        .sort(),
    );
    expect(toUnits(section.total.amount)).toBe(sum(ofType(type)));
  }
  const movements = Object.values(sections).reduce((total, section) => total + toUnits(section.total.amount), 0n);
  expect(toUnits(balance.opening.amount) + movements).toBe(toUnits(balance.closing.amount));
  // November's top-up, a second after the month, is not in it.
  expect(balance.topUps.entries.map((entry) => entry.amount.amount)).toEqual(['500.00']);
  expect(balance.adjustments.entries.map((entry) => entry.amount.amount)).toEqual(['-30.50']);

  // Usage by department and model: what usageSummary sums from the records of October, exactly.
  const { usageSummary } = await finance.data(UsageSummaryDocument, { scope: { tenantId: world.a.id }, ...OCTOBER, groupBy: ['DEPARTMENT', 'MODEL'] });
  expect(statement.usage.map((row) => [row.departmentId, row.model, row.requestCount, toUnits(row.charged.amount)])).toEqual(
    usageSummary.map((group) => [group.department!.id, group.model, group.requestCount, toUnits(group.cost.amount)]),
  );
  expect(statement.usage[0]).toMatchObject({ departmentName: 'Agents', requestCount: 4 });
  // Prepaid usage is debited as it is recorded: the ledger's usage is the records' charge.
  expect(-toUnits(balance.usage.total.amount)).toBe(toUnits(usageSummary[0].cost.amount));
});

it("shows November's bill, its payment and its invoice, and what is owed before and after", async () => {
  await at('2026-11-03T04:00:00Z', async () => {
    const { billingPeriodSettle } = await world.admin.data(BillingPeriodSettleDocument, {
      input: { period: '2026-10', tenantIds: [world.a.id], idempotencyKey: randomUUID() },
    });
    expect(billingPeriodSettle.settlementRun).toMatchObject({ status: 'COMPLETED', billedCount: 1 });
  });
  await world.admin.data(OperatorProfileSetDocument, { input: TEST_SELLER });
  await world.admin.data(TenantUpdateDocument, { input: { tenantId: world.a.id, buyerTaxProfile: { legalName: '甲方科技有限公司' } } });
  const { statement: october } = await finance.data(StatementDocument, { tenantId: world.a.id, period: '2026-10' });
  expect(october.receivable.bills).toEqual([]);
  const billId = (await test.sql.query<{ id: string }>(`select id from bill where tenant_id = $1`, [world.a.id])).rows[0].id;
  await at('2026-11-05T04:00:00Z', () => world.admin.data(VatInvoiceIssueDocument, { input: { billId, type: 'NORMAL', idempotencyKey: randomUUID() } }));

  const { statement } = await finance.data(StatementDocument, { tenantId: world.a.id, period: '2026-11' });
  const { rows } = await test.sql.query<{ gross: string; paid: string }>(
    `select b.gross_total::text as gross, (select coalesce(sum(amount), 0) from payment p where p.bill_id = b.id)::text as paid from bill b where b.id = $1`,
    [billId],
  );
  const { receivable, invoices } = statement;
  expect(receivable.bills.map((bill) => bill.id)).toEqual([billId]);
  expect(toUnits(receivable.billed.amount)).toBe(toUnits(rows[0].gross));
  expect(toUnits(receivable.paid.amount)).toBe(toUnits(rows[0].paid));
  expect(toUnits(receivable.opening.amount)).toBe(0n);
  expect(toUnits(receivable.closing.amount)).toBe(
    toUnits(receivable.opening.amount) + toUnits(receivable.billed.amount) - toUnits(receivable.voided.amount) - toUnits(receivable.paid.amount),
  );
  expect(invoices.issuedInvoices).toHaveLength(1);
  expect(invoices.reversals).toEqual([]);
  // November's ledger opens where October's closed.
  expect(statement.balance.opening.amount).toBe(october.balance.closing.amount);
});

it('refuses a malformed month by name, and shows another tenant nothing', async () => {
  const malformed = await finance.execute(StatementDocument, { tenantId: world.a.id, period: '2026-13' });
  expect(malformed.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: ['period'] });
  const other = await test.client(world.b.tokens.TENANT_ADMIN).execute(StatementDocument, { tenantId: world.a.id, period: '2026-10' });
  expect(other.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  expect(other.data).toBeNull();
  const viewer = await test.client(world.a.tokens.TENANT_VIEWER).execute(StatementDocument, { tenantId: world.a.id, period: '2026-10' });
  expect(viewer.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  // The tenant's ERP reads its own.
  expect((await test.client(world.a.tokens.ERP).data(StatementDocument, { tenantId: world.a.id, period: '2026-10' })).statement.period).toBe('2026-10');
});

it('downloads as an XLSX workbook, read back by the library Excel files are read with, with the figures and documents GraphQL has', async () => {
  const { statement } = await finance.data(StatementDocument, { tenantId: world.a.id, period: '2026-10' });
  // The signed link opens without a header.
  const response = await fetch(statement.exportUrls.xlsx);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-disposition')).toBe(`attachment; filename="statement-${world.a.id}-2026-10.xlsx"`);
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(Buffer.from(await response.arrayBuffer()) as unknown as ArrayBuffer);
  const sheet = (name: string) => {
    const rows: Record<string, unknown>[] = [];
    const worksheet = workbook.getWorksheet(name)!;
    const header = (worksheet.getRow(1).values as unknown[]).slice(1) as string[];
    worksheet.eachRow((row, number) => number > 1 && rows.push(Object.fromEntries(header.map((column, index) => [column, row.getCell(index + 1).value]))));
    return rows;
  };
  const figures = Object.fromEntries(sheet('statement').map((row) => [row.figure, row.amount]));
  expect(toUnits(String(figures['balance.opening']))).toBe(toUnits(statement.balance.opening.amount));
  expect(toUnits(String(figures['balance.closing']))).toBe(toUnits(statement.balance.closing.amount));
  expect(toUnits(String(figures['balance.usage']))).toBe(toUnits(statement.balance.usage.total.amount));
  expect(toUnits(String(figures['balance.refunds']))).toBe(toUnits('12.34'));
  const ledger = sheet('ledger');
  expect(ledger.map((row) => row.id).sort()).toEqual(
    [statement.balance.topUps, statement.balance.redemptions, statement.balance.usage, statement.balance.adjustments, statement.balance.refunds]
      .flatMap((section) => section.entries.map((entry) => entry.id))
      .sort(),
  );
  expect(sheet('usage').map((row) => [row.departmentName, row.requestCount, toUnits(String(row['charged.amount']))])).toEqual(
    statement.usage.map((row) => [row.departmentName, row.requestCount, toUnits(row.charged.amount)]),
  );
  // Another tenant's statement is not found; a bad month names the parameter.
  const other = await fetch(new URL(`/exports/statements/${world.a.id}/2026-10.xlsx`, test.app.url), {
    headers: { authorization: `Bearer ${world.b.tokens.TENANT_ADMIN}` },
  });
  expect(other.status).toBe(404);
  const malformed = await fetch(new URL(`/exports/statements/${world.a.id}/2026-13.xlsx`, test.app.url), {
    headers: { authorization: `Bearer ${world.a.tokens.TENANT_FINANCE}` },
  });
  expect(malformed.status).toBe(400);
  expect(await malformed.json()).toMatchObject({ error: { code: 'BAD_USER_INPUT', field: 'period' } });
});

it('renders as a PDF with Chinese text, every figure and the documents behind them, as a person reads it', async () => {
  const { statement } = await finance.data(StatementDocument, { tenantId: world.a.id, period: '2026-10' });
  const response = await fetch(statement.exportUrls.pdf);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('application/pdf');
  const pdf = Buffer.from(await response.arrayBuffer());
  const page = await rasterizePdfPage(pdf, 1);
  await writeFile(path.join(os.tmpdir(), 'statement-page-1.png'), page.png);
  expect(page.darkPixelRatio).toBeGreaterThan(0.01);
  expect(page.darkPixelRatio).toBeLessThan(0.5);
  const text = (await Promise.all(Array.from({ length: await pdfPageCount(pdf) }, (_unused, index) => pdfText(pdf, index + 1)))).join('\n');
  expect(text).toContain('对账单 Statement of account');
  expect(text).toContain('Acme 甲 Ltd');
  for (const amount of [statement.balance.opening.amount, statement.balance.closing.amount, '-30.50', '12.34', '500.00', '200.00'])
    expect(text).toContain(amount);
  for (const row of statement.usage) expect(text).toContain(row.charged.amount);
  expect(text).toContain('2026-10-31 23:59 (GMT+8)'); // the adjustment, in the tenant's time
});
