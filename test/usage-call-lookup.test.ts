import { randomUUID } from 'node:crypto';
import { FixedClock } from '../src/platform/clock.js';
import {
  BillingPeriodSettleDocument,
  NodeDocument,
  OperatorProfileSetDocument,
  TenantUpdateDocument,
  UsageCallLookupDocument,
  VatInvoiceIssueDocument,
  type UsageCallLookupQuery,
  type UsageRecordFilter,
} from './generated/graphql.js';
import { TEST_SELLER, type World } from './support/fixtures.js';
import type { GraphQLClient, TestApp } from './support/harness.js';
import { canonical, PRICES, recordUsage, startUsageTest, toUnits, usageItem } from './support/usage-fixtures.js';

/*
 * Finding any call for support (issue 17, item 1): by requestId or task id, with its price, whether
 * and why it was charged, how often its requestId came again, the bill line it landed on (on time
 * or as a later bill's late adjustment) and the invoice lines that invoiced it.
 */
const clock = new FixedClock(new Date('2026-10-20T04:00:00Z'));
let test: TestApp;
let world: World;
let gateway: GraphQLClient;
let tenantAdmin: GraphQLClient;
const ON_TIME = `req-${randomUUID()}`;
const FAILED = `req-${randomUUID()}`;
const LATE = `req-${randomUUID()}`;
let octoberBillId: string;

type Found = UsageCallLookupQuery['usageRecords']['nodes'];

async function lookup(client: GraphQLClient, filter: UsageRecordFilter): Promise<Found> {
  return (await client.data(UsageCallLookupDocument, { filter })).usageRecords.nodes;
}

async function settle(period: string) {
  const { billingPeriodSettle } = await world.admin.data(BillingPeriodSettleDocument, {
    input: { period, tenantIds: [world.a.id], idempotencyKey: randomUUID() },
  });
  expect(billingPeriodSettle.settlementRun).toMatchObject({ status: 'COMPLETED', billedCount: 1 });
}

beforeAll(async () => {
  ({ test, world, gateway } = await startUsageTest({ clock }));
  tenantAdmin = test.client(world.a.tokens.TENANT_ADMIN);
  const call = (requestId: string, overrides = {}) => usageItem(world.a.apiKeyId, { requestId, occurredAt: '2026-10-05T02:00:00Z', ...overrides });
  expect((await recordUsage(gateway, [call(ON_TIME, { taskId: 'img-job-7' }), call(FAILED, { status: 'FAILED' })])).rejections).toEqual([]);
  // Others' calls in the same line, so the line is more than the one call.
  await recordUsage(gateway, [call(`req-${randomUUID()}`), call(`req-${randomUUID()}`)]);
  // The gateway retries: once alone, then twice in one batch.
  clock.set(new Date('2026-10-20T05:00:00Z'));
  await recordUsage(gateway, [call(ON_TIME)]);
  clock.set(new Date('2026-10-20T06:30:00Z'));
  await recordUsage(gateway, [call(ON_TIME), call(ON_TIME)]);

  clock.set(new Date('2026-11-03T04:00:00Z'));
  await settle('2026-10');
  // Late for October: recorded after October's bill, so November's bill adjusts for it.
  await recordUsage(gateway, [usageItem(world.a.apiKeyId, { requestId: LATE, occurredAt: '2026-10-30T08:00:00Z' })]);
  clock.set(new Date('2026-12-02T04:00:00Z'));
  await settle('2026-11');

  await world.admin.data(OperatorProfileSetDocument, { input: TEST_SELLER });
  await world.admin.data(TenantUpdateDocument, { input: { tenantId: world.a.id, buyerTaxProfile: { legalName: '甲方科技有限公司' } } });
  const [found] = await lookup(tenantAdmin, { requestId: ON_TIME });
  octoberBillId = found.bill!.id;
  const { vatInvoiceIssue } = await world.admin.data(VatInvoiceIssueDocument, {
    input: { billId: octoberBillId, type: 'NORMAL', idempotencyKey: randomUUID() },
  });
  expect(vatInvoiceIssue.userErrors).toEqual([]);
}, 60_000);
afterAll(() => test.stop());

it('finds a call by its requestId, with its price, its duplicates, its bill line and the invoice lines that invoiced it', async () => {
  const [record, ...others] = await lookup(tenantAdmin, { requestId: ON_TIME });
  expect(others).toEqual([]);
  expect(record).toMatchObject({
    requestId: ON_TIME,
    taskId: 'img-job-7',
    model: PRICES.chat.model,
    status: 'SUCCEEDED',
    isCharged: true,
    chargeReason: 'SUCCEEDED',
    duplicateCount: 3,
    lastDuplicateAt: '2026-10-20T06:30:00.000Z',
    bill: { id: octoberBillId, period: '2026-10' },
    billLine: { kind: 'USAGE', adjustedPeriod: null },
  });
  expect(record.chargedAmount).toEqual(record.cost);
  expect(canonical(record.price.inputPerMillionTokens.amount)).toBe(canonical(PRICES.chat.inputPerMillionTokens));
  // The line holds the three on-time chat calls of October: this one and the two others.
  expect(record.billLine!.quantity!.requestCount).toBe(3);
  expect(record.billLine!.description).toContain(PRICES.chat.model);
  // Invoiced by the one invoice issued for the bill, on the item of its line.
  expect(record.invoiceLines.length).toBeGreaterThan(0);
  for (const line of record.invoiceLines) expect(line.invoice).toMatchObject({ isRedLetter: false });
  expect(new Set(record.invoiceLines.map((line) => line.invoice.id)).size).toBe(1);
  // The key shows by its prefix.
  expect(world.a.apiKeySecret.startsWith(record.apiKey.secretPrefix)).toBe(true);
  expect(JSON.stringify(record)).not.toContain(world.a.apiKeySecret);
});

it("finds a late call on the next bill's late adjustment, and a failed one on no bill", async () => {
  const [late] = await lookup(tenantAdmin, { requestId: LATE });
  expect(late).toMatchObject({
    duplicateCount: 0,
    lastDuplicateAt: null,
    bill: { period: '2026-11' },
    billLine: { kind: 'LATE_USAGE_ADJUSTMENT', adjustedPeriod: '2026-10' },
  });
  expect(late.billLine!.quantity!.requestCount).toBe(1);
  expect(late.invoiceLines).toEqual([]);

  const [failed] = await lookup(tenantAdmin, { requestId: FAILED });
  expect(failed).toMatchObject({
    status: 'FAILED',
    isCharged: false,
    chargeReason: 'FAILED_NOT_CHARGED_BY_POLICY',
    bill: null,
    billLine: null,
    invoiceLines: [],
  });
  expect(toUnits(failed.chargedAmount.amount)).toBe(0n);
  expect(toUnits(failed.cost.amount)).toBeGreaterThan(0n);
});

it('filters by task id and by whether charged; an unknown requestId finds nothing', async () => {
  expect((await lookup(tenantAdmin, { taskId: 'img-job-7' })).map((record) => record.requestId)).toEqual([ON_TIME]);
  expect((await lookup(tenantAdmin, { isCharged: false })).map((record) => record.requestId)).toEqual([FAILED]);
  expect((await lookup(tenantAdmin, { isCharged: true })).map((record) => record.requestId)).toHaveLength(4);
  expect(await lookup(tenantAdmin, { requestId: 'req-never-sent' })).toEqual([]);
});

it('asks the operator to name the tenant, and shows another tenant nothing', async () => {
  const unscoped = await world.admin.execute(UsageCallLookupDocument, { filter: { requestId: ON_TIME } });
  expect(unscoped.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: ['filter', 'tenantId'] } });
  expect(unscoped.errors?.[0].message).toContain('filter.requestId needs filter.tenantId');
  expect((await lookup(world.admin, { tenantId: world.a.id, requestId: ON_TIME })).map((record) => record.bill?.id)).toEqual([octoberBillId]);

  const other = test.client(world.b.tokens.TENANT_ADMIN);
  expect(await lookup(other, { requestId: ON_TIME })).toEqual([]);
  expect(await lookup(other, { taskId: 'img-job-7' })).toEqual([]);
  const [record] = await lookup(tenantAdmin, { requestId: ON_TIME });
  expect((await other.data(NodeDocument, { id: record.id })).node).toBeNull();
  const named = await other.execute(UsageCallLookupDocument, { filter: { tenantId: world.a.id, requestId: ON_TIME } });
  expect(named.errors?.[0].extensions?.code).toBe('NOT_FOUND');
});
