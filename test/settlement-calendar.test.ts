import { randomUUID } from 'node:crypto';
import { FixedClock } from '../src/platform/clock.js';
import {
  BillDocument,
  BillingPeriodSettleDocument,
  BillsDocument,
  ContractCreateDocument,
  DepartmentCreateDocument,
  TenantCreateDocument,
  type ContractCreateInput,
} from './generated/graphql.js';
import type { World } from './support/fixtures.js';
import type { GraphQLClient, TestApp } from './support/harness.js';
import { canonical, createKey, PRICES, recordUsage, startUsageTest, usageItem } from './support/usage-fixtures.js';

/*
 * Settlement on the calendar: due dates counted in calendar days in the tenant's zone (across a
 * daylight-saving change), periods closed with nothing to bill that later usage arrives for, and
 * a discount line's exact amount.
 */
const clock = new FixedClock(new Date('2026-10-01T12:00:00Z'));
let test: TestApp;
let world: World;
let gateway: GraphQLClient;

beforeAll(async () => {
  ({ test, world, gateway } = await startUsageTest({ clock }));
});
afterAll(() => test.stop());

/** A tenant with one department and one key, in a time zone. */
async function tenantIn(timezone: string) {
  const tenant = (await world.admin.data(TenantCreateDocument, { input: { name: `Calendar ${randomUUID()}`, timezone } })).tenantCreate.tenant!;
  const department = (await world.admin.data(DepartmentCreateDocument, { input: { tenantId: tenant.id, name: 'Ops' } })).departmentCreate.department!;
  const key = await createKey(test, world.admin, { departmentId: department.id });
  return { id: tenant.id, keyId: key.id };
}

async function record(keyId: string, occurredAt: string, inputTokens = 1_000_000) {
  const result = await recordUsage(gateway, [usageItem(keyId, { occurredAt, inputTokens, outputTokens: 0 })]);
  expect(result.rejections).toEqual([]);
}

async function settle(period: string, tenantId: string) {
  const { billingPeriodSettle } = await world.admin.data(BillingPeriodSettleDocument, {
    input: { period, tenantIds: [tenantId], idempotencyKey: randomUUID() },
  });
  expect(billingPeriodSettle.userErrors).toEqual([]);
  return billingPeriodSettle.settlementRun!;
}

async function billsOf(tenantId: string) {
  const { bills } = await world.admin.data(BillsDocument, { filter: { tenantId }, first: 20 });
  return Promise.all(bills.nodes.map(async (bill) => (await world.admin.data(BillDocument, { id: bill.id })).bill!));
}

async function contract(input: Partial<ContractCreateInput> & { tenantId: string; startPeriod: string }) {
  return (
    await world.admin.data(ContractCreateDocument, {
      input: { type: 'PAY_AS_YOU_GO', cancellationNoticeDays: 0, terms: { billingMode: 'POSTPAID_MONTHLY', paymentTermsDays: 30 }, ...input },
    })
  ).contractCreate;
}

describe('due dates', () => {
  it('are the local date of finalization plus the payment terms in calendar days, across a daylight-saving change either way', async () => {
    const sydney = await tenantIn('Australia/Sydney');
    await record(sydney.keyId, '2026-09-15T00:00:00Z');

    // 23:30 on 1 October in Sydney (AEST, +10); clocks go forward on 4 October: 30 days later is
    // 31 October, where 30 x 24 hours lands at 00:30 on 1 November.
    clock.set(new Date('2026-10-01T13:30:00Z'));
    expect(await settle('2026-09', sydney.id)).toMatchObject({ billedCount: 1, failedCount: 0 });
    clock.set(new Date('2027-03-20T00:00:00Z'));
    await record(sydney.keyId, '2027-03-15T00:00:00Z');
    // 00:30 on 1 April 2027 in Sydney (AEDT, +11); clocks go back on 4 April: 30 days later is
    // 1 May, where 30 x 24 hours lands at 23:30 on 30 April.
    clock.set(new Date('2027-03-31T13:30:00Z'));
    expect(await settle('2027-03', sydney.id)).toMatchObject({ billedCount: 1, failedCount: 0 });

    const dueDates = (await billsOf(sydney.id)).map((bill) => [bill.period, bill.dueOn]).sort();
    expect(dueDates).toEqual([
      ['2026-09', '2026-10-31'],
      ['2027-03', '2027-05-01'],
    ]);
  });
});

describe('a period settled with nothing to bill', () => {
  it('takes usage that arrives for it later onto the next bill, and stays settled', async () => {
    clock.set(new Date('2026-11-02T00:00:00Z'));
    const quiet = await tenantIn('Asia/Shanghai');
    expect(await settle('2026-10', quiet.id)).toMatchObject({ billedCount: 0, skippedCount: 1, failedCount: 0 });

    // Usage of October arrives in November (a gateway that was offline), with November's own.
    clock.set(new Date('2026-11-25T00:00:00Z'));
    await record(quiet.keyId, '2026-10-20T02:00:00Z', 2_000_000);
    await record(quiet.keyId, '2026-11-20T02:00:00Z', 4_000_000);
    // October stays settled: settling it again bills nothing, and no earlier period may follow it.
    expect(await settle('2026-10', quiet.id)).toMatchObject({ billedCount: 0, skippedCount: 1, failedCount: 0 });
    expect((await settle('2026-09', quiet.id)).failures).toEqual([expect.objectContaining({ code: 'LATER_PERIOD_BILLED' })]);
    const late = await contract({ tenantId: quiet.id, startPeriod: '2026-10' });
    expect(late.userErrors).toEqual([expect.objectContaining({ code: 'PERIOD_BILLED', field: ['input', 'startPeriod'] })]);

    clock.set(new Date('2026-12-02T00:00:00Z'));
    expect(await settle('2026-11', quiet.id)).toMatchObject({ billedCount: 1, failedCount: 0 });
    const [november, ...others] = await billsOf(quiet.id);
    expect(others).toEqual([]);
    // At 2.5 a million input tokens and 0.0003 a request: 10.0003 and 5.0003.
    expect(PRICES.chat).toMatchObject({ inputPerMillionTokens: '2.5', perRequest: '0.0003' });
    expect(november.lines.map((line) => [line.kind, line.adjustedPeriod, canonical(line.exactAmount), line.amount.amount])).toEqual([
      ['USAGE', null, '10.0003', '10.00'],
      ['LATE_USAGE_ADJUSTMENT', '2026-10', '5.0003', '5.00'],
    ]);
  });

  it('still refuses to settle a month after one with usage that was never settled', async () => {
    const forgetful = await tenantIn('Asia/Shanghai');
    await record(forgetful.keyId, '2026-10-20T02:00:00Z');
    const run = await settle('2026-11', forgetful.id);
    expect(run.failures).toEqual([expect.objectContaining({ tenantId: forgetful.id, code: 'EARLIER_PERIOD_UNSETTLED' })]);
  });
});

describe('a discount line', () => {
  it('carries the exact discount before rounding, and its amount rounded half up', async () => {
    clock.set(new Date('2026-12-02T00:00:00Z'));
    const discounted = await tenantIn('Asia/Shanghai');
    expect(
      (await contract({ tenantId: discounted.id, startPeriod: '2026-11', terms: { billingMode: 'POSTPAID_MONTHLY', discountPercent: '12.5' } })).userErrors,
    ).toEqual([]);
    // 1,234,567 input tokens at 2.5 a million and 0.0003 a request: 3.0867175, a usage line of 3.09.
    await record(discounted.keyId, '2026-11-10T02:00:00Z', 1_234_567);
    await settle('2026-11', discounted.id);
    const [bill] = await billsOf(discounted.id);
    const discount = bill.lines.find((line) => line.kind === 'DISCOUNT')!;
    expect(bill.lines.find((line) => line.kind === 'USAGE')!.amount.amount).toBe('3.09');
    // 12.5 % of 3.09 is 0.38625: the line is -0.39, its exact amount -0.38625.
    expect([canonical(discount.exactAmount), discount.amount.amount]).toEqual(['-0.38625', '-0.39']);
  });
});
