import { randomUUID } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { Role } from '../src/platform/auth/roles.js';
import { FixedClock } from '../src/platform/clock.js';
import { decimal } from '../src/platform/money.js';
import {
  AccessTokenRevokeDocument,
  BillDocument,
  BillingPeriodSettleDocument,
  BillsDocument,
  ContractCreateDocument,
  OperatorProfileSetDocument,
  PaymentRecordDocument,
  PaymentsDocument,
  PeriodExportDocument,
  TenantUpdateDocument,
  VatInvoiceIssueDocument,
  VatInvoiceReverseDocument,
  VatInvoicesDocument,
  type BillQuery,
  type PeriodExportQuery,
} from './generated/graphql.js';
import { TEST_SELLER, type World } from './support/fixtures.js';
import type { GraphQLClient, TestApp } from './support/harness.js';
import { canonical, PRICES, recordUsage, startUsageTest, usageItem } from './support/usage-fixtures.js';
import { hashSecret } from '../src/platform/secrets.js';

/*
 * The files finance tools open, read back by the libraries an ERP would use (exceljs, csv-parse,
 * iconv-lite for GBK), with the same figures as GraphQL; and the signed links that open them.
 */
const clock = new FixedClock(new Date('2026-10-31T04:00:00Z'));
let test: TestApp;
let world: World;
let erp: GraphQLClient;
type Bill = NonNullable<BillQuery['bill']>;
const bills: Bill[] = [];

beforeAll(async () => {
  const started = await startUsageTest({ clock });
  ({ test, world } = started);
  erp = test.client(await test.tokenFor(Role.ERP));
  await world.admin.data(OperatorProfileSetDocument, { input: TEST_SELLER });
  await world.admin.data(TenantUpdateDocument, {
    input: { tenantId: world.a.id, externalId: 'KH-0001', buyerTaxProfile: { legalName: '北京甲子科技有限公司', taxpayerId: '91110000802100433B' } },
  });
  const contract = await world.admin.data(ContractCreateDocument, {
    input: {
      tenantId: world.a.id,
      type: 'ANNUAL',
      startPeriod: '2026-10',
      cancellationNoticeDays: 0,
      terms: { billingMode: 'POSTPAID_MONTHLY', discountPercent: '12.5', monthlyCommitment: '100' },
    },
  });
  expect(contract.contractCreate.userErrors).toEqual([]);
  const models = [PRICES.chat, PRICES.embed, PRICES.image];
  for (const tenant of [world.a, world.b]) {
    const records = Array.from({ length: 30 }, (_, index) => {
      const price = models[index % models.length];
      return usageItem(tenant.apiKeyId, {
        model: price.model,
        occurredAt: `2026-10-${String(1 + (index % 28)).padStart(2, '0')}T02:00:00Z`,
        inputTokens: 1 + ((index * 7919) % 250_000),
        outputTokens: (index * 104_729) % 90_000,
        imageCount: price === PRICES.image ? 1 + (index % 3) : 0,
      });
    });
    expect((await recordUsage(started.gateway, records)).rejections).toEqual([]);
  }
  clock.set(new Date('2026-11-02T02:00:00Z'));
  const { billingPeriodSettle } = await world.admin.data(BillingPeriodSettleDocument, {
    input: { period: '2026-10', tenantIds: [world.a.id, world.b.id], idempotencyKey: randomUUID() },
  });
  expect(billingPeriodSettle.settlementRun).toMatchObject({ billedCount: 2 });
  const listed = await world.admin.data(BillsDocument, { filter: { period: '2026-10', tenantId: world.a.id }, first: 10 });
  const aBill = listed.bills.nodes[0];
  const payment = await world.admin.data(PaymentRecordDocument, {
    input: {
      billId: aBill.id,
      method: 'BANK_TRANSFER',
      amount: '10.01',
      receivedAt: clock.now().toISOString(),
      idempotencyKey: randomUUID(),
      reference: '招行 0001',
    },
  });
  expect(payment.paymentRecord.userErrors).toEqual([]);
  const first = await world.admin.data(VatInvoiceIssueDocument, {
    input: { billId: aBill.id, type: 'SPECIAL', amount: '20.00', idempotencyKey: randomUUID() },
  });
  expect(first.vatInvoiceIssue.userErrors).toEqual([]);
  await world.admin.data(VatInvoiceReverseDocument, {
    input: { invoiceId: first.vatInvoiceIssue.invoice!.id, reason: '开错了', idempotencyKey: randomUUID() },
  });
  await world.admin.data(VatInvoiceIssueDocument, { input: { billId: aBill.id, type: 'SPECIAL', idempotencyKey: randomUUID() } });
  const all = await world.admin.data(BillsDocument, { filter: { period: '2026-10' }, first: 10 });
  for (const node of all.bills.nodes) bills.push((await world.admin.data(BillDocument, { id: node.id })).bill!);
});
afterAll(() => test.stop());

const fetchBuffer = async (url: string, headers: Record<string, string> = {}) => {
  const response = await fetch(url, { headers });
  return { response, body: Buffer.from(await response.arrayBuffer()) };
};

async function periodLinks(client: GraphQLClient, tenantId: string | null = null): Promise<PeriodExportQuery['periodExport']> {
  return (await client.data(PeriodExportDocument, { period: '2026-10', tenantId })).periodExport;
}

/** A sheet's rows as objects keyed by the header row. */
function sheetRows(workbook: ExcelJS.Workbook, name: string): Record<string, unknown>[] {
  const sheet = workbook.getWorksheet(name)!;
  const header = (sheet.getRow(1).values as unknown[]).slice(1) as string[];
  const rows: Record<string, unknown>[] = [];
  sheet.eachRow((row, number) => {
    if (number > 1) rows.push(Object.fromEntries(header.map((name, index) => [name, row.getCell(index + 1).value])));
  });
  return rows;
}

/** An amount a spreadsheet holds as a number, as text to the fen (the cell shows it with two decimals). */
const fenOf = (value: unknown) => (typeof value === 'number' ? decimal(String(value)).toFixed(2) : value);

describe('a period export', () => {
  it("opens in Excel's library with every bill, line, payment and invoice of the period, the figures GraphQL has", async () => {
    const links = await periodLinks(erp);
    for (const [name, table] of Object.entries(links).filter(([name]) => name !== 'period')) {
      const { response, body } = await fetchBuffer((table as { xlsx: string }).xlsx);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('spreadsheetml');
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(body as unknown as ArrayBuffer);
      const rows = sheetRows(workbook, name);
      if (name === 'bills') {
        expect(
          rows.map((row) => [row.id, row.number, fenOf(row['total.gross.amount']), fenOf(row['subtotal.amount']), fenOf(row['amountPaid.amount'])]).sort(),
        ).toEqual(bills.map((bill) => [bill.id, bill.number, bill.total.gross.amount, bill.subtotal.amount, bill.amountPaid.amount]).sort());
        expect(rows.find((row) => row['tenant.id'] === world.a.id)).toMatchObject({ 'tenant.externalId': 'KH-0001', 'tenant.name': expect.any(String) });
      }
      if (name === 'billLines') {
        const expected = bills.flatMap((bill) =>
          bill.lines.map((line) => [bill.id, line.lineNumber, canonical(line.exactAmount), line.amount.amount, line.total.gross.amount]),
        );
        // The exact amount is text, as long as it is: never a rounded spreadsheet number.
        expect(rows.every((row) => typeof row.exactAmount === 'string')).toBe(true);
        const actual = rows.map((row) => [row['bill.id'], row.lineNumber, row.exactAmount, fenOf(row['amount.amount']), fenOf(row['total.gross.amount'])]);
        expect(actual.sort()).toEqual(expected.sort());
        expect(rows.some((row) => row['unitPrice.id'] && row['unitPrice.inputPerMillionTokens.amount'] === '2.5')).toBe(true);
      }
      if (name === 'payments')
        expect(rows.map((row) => [fenOf(row['amount.amount']), row.reference, row['tenant.externalId']])).toEqual([['10.01', '招行 0001', 'KH-0001']]);
      if (name === 'invoices') {
        const { vatInvoices } = await erp.data(VatInvoicesDocument, { first: 10 });
        expect(rows.map((row) => [row.number, row.status, fenOf(row['total.gross.amount'])]).sort()).toEqual(
          vatInvoices.nodes.map((invoice) => [invoice.number, invoice.status, invoice.total.gross.amount]).sort(),
        );
        expect(rows.filter((row) => row.isRedLetter === 'true')).toHaveLength(1);
      }
      if (name === 'invoiceLines') expect(rows.length).toBeGreaterThanOrEqual(3);
    }
  });

  it('is CSV in UTF-8 with a byte-order mark, and the same table in GBK on request', async () => {
    const links = await periodLinks(erp);
    const utf8 = await fetchBuffer(links.billLines.csv);
    expect(utf8.response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect([...utf8.body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parse(utf8.body, { bom: true, columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(bills.reduce((sum, bill) => sum + bill.lines.length, 0));
    const expected = new Map(bills.flatMap((bill) => bill.lines.map((line) => [`${bill.id}/${line.lineNumber}`, line.total.gross.amount])));
    for (const row of rows) expect(row['total.gross.amount']).toBe(expected.get(`${row['bill.id']}/${row.lineNumber}`));
    expect(rows.some((row) => /折扣/.test(row.description))).toBe(true);

    const gbk = await fetchBuffer(links.billLines.csvGbk);
    expect(gbk.response.headers.get('content-type')).toBe('text/csv; charset=gbk');
    expect(gbk.body[0]).not.toBe(0xef);
    expect(iconv.decode(gbk.body, 'gbk')).toBe(utf8.body.subarray(3).toString('utf8'));
  });

  it("gives a tenant's users their own bills only, and refuses another tenant's", async () => {
    const own = await periodLinks(test.client(world.b.tokens.TENANT_FINANCE));
    const rows = parse((await fetchBuffer(own.bills.csv)).body, { bom: true, columns: true }) as Record<string, string>[];
    expect(rows.map((row) => row['tenant.id'])).toEqual([world.b.id]);
    const foreign = await test.client(world.b.tokens.TENANT_FINANCE).execute(PeriodExportDocument, { period: '2026-10', tenantId: world.a.id });
    expect(foreign.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    // The operator's link for A, with the tenant changed: the signature no longer holds.
    const forA = (await periodLinks(erp, world.a.id)).bills.csv;
    const tampered = await fetch(forA.replace(world.a.id, world.b.id));
    expect(tampered.status).toBe(403);
    expect(await tampered.json()).toMatchObject({ error: { code: 'LINK_INVALID' } });
  });

  it('names the parameter it refuses', async () => {
    const bearer = { authorization: `Bearer ${await test.tokenFor(Role.ERP)}` };
    for (const [query, parameter] of [
      ['period=2026-13', 'period'],
      ['', 'period'],
      ['period=2026-10&tenantId=acme', 'tenantId'],
      ['period=2026-10&encoding=latin1', 'encoding'],
    ]) {
      const response = await fetch(new URL(`/exports/bills.csv?${query}`, test.app.url), { headers: bearer });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: { code: 'BAD_USER_INPUT', field: parameter } });
    }
    // The API refuses the same, naming the argument; text no field may hold too.
    for (const [period, reason] of [
      ['2026-13', 'must be a month written YYYY-MM'],
      ['2026-10\u0000', 'must not contain NUL'],
      ['', 'must not be blank'],
    ]) {
      const refused = await erp.execute(PeriodExportDocument, { period, tenantId: null });
      expect(refused.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' }, message: expect.stringContaining(reason) });
    }
    const badBillsPeriod = await erp.execute(BillsDocument, { filter: { period: '2026-1' }, first: 5 });
    expect(badBillsPeriod.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: ['filter', 'period'] } });
    const badTenant = await erp.execute(PeriodExportDocument, { period: '2026-10', tenantId: 'acme' });
    expect(badTenant.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' }, message: expect.stringContaining('tenantId') });
    const link = (await periodLinks(erp)).invoices.csv;
    expect(link).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/exports\/invoices\.csv\?period=2026-10&token=tok_\w+&expires=\d+&signature=/);
  });
});

describe('signed links', () => {
  it('open without a header until they expire, and not once the token is revoked', async () => {
    const token = await test.tokenFor(Role.ERP);
    const client = test.client(token);
    const { bill } = await client.data(BillDocument, { id: bills[0].id });
    const links = bill!.exportUrls;
    expect(new Date(links.expiresAt).getTime() - clock.now().getTime()).toBe(900_000);
    for (const url of [links.pdf, links.json, links.csv, links.xlsx]) expect((await fetch(url)).status).toBe(200);
    const json = (await (await fetch(links.json)).json()) as { total: { gross: { amount: string } } };
    expect(json.total.gross.amount).toBe(bills[0].total.gross.amount);
    expect((await fetch(links.json.replace('.json', '.pdf'))).status).toBe(403);

    clock.set(new Date(clock.now().getTime() + 900_001));
    const expired = await fetch(links.pdf);
    expect(expired.status).toBe(403);
    expect(await expired.json()).toMatchObject({ error: { code: 'LINK_EXPIRED' } });

    const fresh = (await client.data(BillDocument, { id: bills[0].id })).bill!.exportUrls;
    const { rows } = await test.sql.query<{ id: string }>(`select id from access_token where secret_hash = $1`, [hashSecret(token)]);
    expect((await world.admin.data(AccessTokenRevokeDocument, { input: { accessTokenId: rows[0].id } })).accessTokenRevoke.userErrors).toEqual([]);
    expect((await fetch(fresh.pdf)).status).toBe(401);
  });

  it("are made for invoices and payments' bills too, and another tenant's bill is 404 with a bearer token", async () => {
    const { vatInvoices } = await erp.data(VatInvoicesDocument, { first: 1 });
    expect((await fetch(vatInvoices.nodes[0].exportUrls.xml)).status).toBe(200);
    const { payments } = await erp.data(PaymentsDocument, { first: 1 });
    const aBill = payments.nodes[0].bill.id;
    const response = await fetch(new URL(`/exports/bills/${aBill}.xlsx`, test.app.url), { headers: { authorization: `Bearer ${world.b.tokens.ERP}` } });
    expect(response.status).toBe(404);
  });
});
