import { randomUUID } from 'node:crypto';
import { Role } from '../src/platform/auth/roles.js';
import { FixedClock } from '../src/platform/clock.js';
import {
  BillingPeriodSettleDocument,
  BillsDocument,
  PaymentRecordDocument,
  PaymentsDocument,
  TenantCreateDocument,
  TenantsDocument,
  TenantUpdateDocument,
  type PaymentRecordInput,
  type PaymentsQuery,
} from './generated/graphql.js';
import type { World } from './support/fixtures.js';
import type { GraphQLClient, TestApp } from './support/harness.js';
import { fen, fenText } from './support/integer-money.js';
import { recordUsage, startUsageTest, usageItem } from './support/usage-fixtures.js';

/*
 * What an ERP pulls besides bills: payments booked since its last pull, each once even while
 * payments are being recorded, with the bill and the tenant's ERP customer code (externalId).
 */
const clock = new FixedClock(new Date('2026-10-31T04:00:00Z'));
let test: TestApp;
let world: World;
let erp: GraphQLClient;
const bills = new Map<string, { id: string; gross: bigint }>();

beforeAll(async () => {
  const started = await startUsageTest({ clock });
  ({ test, world } = started);
  erp = test.client(await test.tokenFor(Role.ERP));
  for (const tenant of [world.a, world.b]) {
    const records = Array.from({ length: 20 }, (_, index) =>
      usageItem(tenant.apiKeyId, { occurredAt: `2026-10-${String(2 + index).padStart(2, '0')}T02:00:00Z`, inputTokens: 4_000_000 }),
    );
    expect((await recordUsage(started.gateway, records)).rejections).toEqual([]);
  }
  clock.set(new Date('2026-11-02T02:00:00Z'));
  const { billingPeriodSettle } = await world.admin.data(BillingPeriodSettleDocument, {
    input: { period: '2026-10', tenantIds: [world.a.id, world.b.id], idempotencyKey: randomUUID() },
  });
  expect(billingPeriodSettle.settlementRun).toMatchObject({ billedCount: 2 });
  for (const tenant of [world.a, world.b]) {
    const [bill] = (await world.admin.data(BillsDocument, { filter: { tenantId: tenant.id }, first: 1 })).bills.nodes;
    bills.set(tenant.id, { id: bill.id, gross: fen(bill.total.gross.amount) });
  }
});
afterAll(() => test.stop());

async function pay(tenantId: string, input: Partial<PaymentRecordInput> = {}) {
  const { paymentRecord } = await world.admin.data(PaymentRecordDocument, {
    input: {
      billId: bills.get(tenantId)!.id,
      method: 'BANK_TRANSFER',
      amount: '0.01',
      receivedAt: clock.now().toISOString(),
      idempotencyKey: randomUUID(),
      ...input,
    },
  });
  expect(paymentRecord.userErrors).toEqual([]);
  return paymentRecord.payment!;
}

/** Everything booked since `since`, paged as an ERP pages: ascending by change, 3 at a time. */
async function pullSince(client: GraphQLClient, since: string, isDone: () => boolean) {
  const seen: PaymentsQuery['payments']['nodes'] = [];
  let after: string | null = null;
  for (let finished = false; ;) {
    finished = isDone(); // read before the page: a page read after the writers finished is the last one needed
    const { payments }: PaymentsQuery = await client.data(PaymentsDocument, { filter: { updatedSince: since }, first: 3, after });
    seen.push(...payments.nodes);
    after = payments.pageInfo.endCursor ?? after;
    if (!payments.pageInfo.hasNextPage && finished) return seen;
  }
}

describe('the payments feed', () => {
  it('gives an ERP paging by updatedSince every payment exactly once while payments are being recorded', async () => {
    const since = clock.now().toISOString();
    let writersDone = false;
    const writers = Promise.all(
      [world.a.id, world.b.id].map(async (tenantId) => {
        for (let index = 0; index < 12; index += 1) await pay(tenantId, { reference: `slip ${index}` });
      }),
    ).then(() => (writersDone = true));
    const seen = await pullSince(erp, since, () => writersDone);
    await writers;
    expect(seen).toHaveLength(24);
    expect(new Set(seen.map((payment) => payment.id)).size).toBe(24);
    expect(seen[0]).toMatchObject({ method: 'BANK_TRANSFER', amount: { amount: '0.01', currency: 'CNY' }, bill: { period: '2026-10' } });
  });

  it('filters by bill, method and receipt time, and shows a tenant only its own', async () => {
    clock.set(new Date('2026-11-10T02:00:00Z'));
    const alipay = await pay(world.a.id, { method: 'ALIPAY', amount: '1.23', receivedAt: '2026-11-09T08:00:00Z', reference: 'ALI-2026110900001' });
    const byMethod = await erp.data(PaymentsDocument, { filter: { method: 'ALIPAY' }, first: 10 });
    expect(byMethod.payments.nodes.map((payment) => payment.id)).toEqual([alipay.id]);
    const byTime = await erp.data(PaymentsDocument, { filter: { receivedFrom: '2026-11-09T00:00:00Z', receivedTo: '2026-11-10T00:00:00Z' }, first: 10 });
    expect(byTime.payments.nodes.map((payment) => payment.id)).toEqual([alipay.id]);
    const byBill = await erp.data(PaymentsDocument, { filter: { billId: bills.get(world.b.id)!.id }, first: 50 });
    expect(byBill.payments.totalCount).toBe(12);

    const tenantErp = test.client(world.a.tokens.ERP);
    const own = await tenantErp.data(PaymentsDocument, { first: 50 });
    expect(own.payments.totalCount).toBe(13);
    expect(own.payments.nodes.every((payment) => payment.tenant.id === world.a.id)).toBe(true);
    const foreign = await tenantErp.execute(PaymentsDocument, { filter: { tenantId: world.b.id }, first: 5 });
    expect(foreign.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    const gateway = await test.client(world.gatewayToken).execute(PaymentsDocument, { first: 5 });
    expect(gateway.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const outOfRange = await erp.execute(PaymentsDocument, { filter: { receivedFrom: '1969-12-31T00:00:00Z' }, first: 5 });
    expect(outOfRange.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const malformed = await erp.execute(PaymentsDocument, { filter: { billId: 'bill-1' }, first: 5 });
    expect(malformed.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' }, message: expect.stringContaining('filter.billId') });
  });

  it('orders by receipt time both ways', async () => {
    const ascending = await erp.data(PaymentsDocument, { orderBy: { field: 'RECEIVED_AT', direction: 'ASC' }, first: 100 });
    const times = ascending.payments.nodes.map((payment) => payment.receivedAt);
    expect(times).toEqual([...times].sort());
    const paid = ascending.payments.nodes.reduce((sum, payment) => sum + fen(payment.amount.amount), 0n);
    expect(fenText(paid)).toBe('1.47'); // 24 x 0.01 + 1.23
  });
});

describe("a tenant's ERP customer code", () => {
  it('is set by the operator, unique, filterable, and on every payment', async () => {
    const set = await world.admin.data(TenantUpdateDocument, { input: { tenantId: world.a.id, externalId: 'KH-2026/0001' } });
    expect(set.tenantUpdate.userErrors).toEqual([]);
    expect(set.tenantUpdate.tenant!.externalId).toBe('KH-2026/0001');
    const { payments } = await erp.data(PaymentsDocument, { filter: { tenantId: world.a.id }, first: 1 });
    expect(payments.nodes[0].tenant.externalId).toBe('KH-2026/0001');
    const found = await erp.data(TenantsDocument, { filter: { externalId: 'KH-2026/0001' }, first: 5 });
    expect(found.tenants.nodes.map((tenant) => tenant.id)).toEqual([world.a.id]);

    const taken = await world.admin.data(TenantUpdateDocument, { input: { tenantId: world.b.id, externalId: 'KH-2026/0001' } });
    expect(taken.tenantUpdate.userErrors).toEqual([expect.objectContaining({ code: 'TAKEN', field: ['input', 'externalId'] })]);
    const takenOnCreate = await world.admin.data(TenantCreateDocument, { input: { name: 'Copy Co', externalId: 'KH-2026/0001' } });
    expect(takenOnCreate.tenantCreate.userErrors).toEqual([expect.objectContaining({ code: 'TAKEN', field: ['input', 'externalId'] })]);
    expect((await world.admin.data(TenantsDocument, { filter: { nameContains: 'Copy Co' }, first: 5 })).tenants.nodes).toEqual([]);
  });

  it('refuses a code an ERP would not take, and a tenant admin changing it', async () => {
    for (const [externalId, code] of [
      ['', 'BLANK'],
      ['KH 0001', 'INVALID_CHARACTER'],
      ['-KH', 'INVALID_CHARACTER'],
      ['客户0001', 'INVALID_CHARACTER'],
      ['K'.repeat(65), 'TOO_LONG'],
    ]) {
      const refused = await world.admin.data(TenantUpdateDocument, { input: { tenantId: world.b.id, externalId } });
      expect(refused.tenantUpdate.userErrors).toEqual([expect.objectContaining({ code, field: ['input', 'externalId'] })]);
    }
    const byTenantAdmin = await test.client(world.b.tokens.TENANT_ADMIN).data(TenantUpdateDocument, { input: { tenantId: world.b.id, externalId: 'KH-9' } });
    expect(byTenantAdmin.tenantUpdate.userErrors).toEqual([expect.objectContaining({ code: 'NOT_PERMITTED', field: ['input', 'externalId'] })]);
  });

  it('is cleared with null, and then free for another tenant', async () => {
    const cleared = await world.admin.data(TenantUpdateDocument, { input: { tenantId: world.a.id, externalId: null } });
    expect(cleared.tenantUpdate.tenant!.externalId).toBeNull();
    const reused = await world.admin.data(TenantUpdateDocument, { input: { tenantId: world.b.id, externalId: 'KH-2026/0001' } });
    expect(reused.tenantUpdate.tenant!.externalId).toBe('KH-2026/0001');
  });
});
