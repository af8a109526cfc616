import { randomUUID } from 'node:crypto';
import { print } from 'graphql';
import { Role } from '../src/platform/auth/roles.js';
import { FixedClock } from '../src/platform/clock.js';
import {
  AccessTokenCreateDocument,
  AccessTokensDocument,
  AlertAcknowledgeDocument,
  AlertsDocument,
  ApiKeyCreateDocument,
  ApiKeyDocument,
  AuditEntriesDocument,
  BalanceEntriesDocument,
  BalanceTopUpDocument,
  BillDocument,
  BillingEventDocument,
  BillingPeriodSettleDocument,
  BillsDocument,
  BudgetsDocument,
  RateLimitsDocument,
  RateLimitSetDocument,
  TenantRateLimitCeilingDocument,
  TenantRateLimitCeilingSetDocument,
  BudgetSetDocument,
  ContractCreateDocument,
  ContractsDocument,
  DepartmentCreateDocument,
  DepartmentDocument,
  ModelPricesDocument,
  NodeDocument,
  OperatorProfileDocument,
  OperatorProfileSetDocument,
  RedemptionCodeRedeemDocument,
  RedemptionCodesCreateDocument,
  SettlementRunDocument,
  SpendDocument,
  TenantActiveContractDocument,
  TenantApiKeysDocument,
  TenantDocument,
  TenantsDocument,
  TenantUpdateDocument,
  UsageAuthorizeDocument,
  UsageReleaseDocument,
  UsageReserveDocument,
  UsageRecordDocument,
  UsageSummaryDocument,
  VatInvoiceDocument,
  VatInvoiceIssueDocument,
  VatInvoicesDocument,
  ViewerDocument,
  type AuditEntryRecordedSubscription,
  type BillingEventSubscription,
  type SpendUpdatedSubscription,
} from './generated/graphql.js';
import { TEST_SELLER, type World } from './support/fixtures.js';
import type { GraphQLClient, TestApp } from './support/harness.js';
import { disposeSubscriptions, subscribe } from './support/subscriptions.js';
import { PRICES, recordUsage, startUsageTest, usageItem } from './support/usage-fixtures.js';

// One test per row of README "Roles": each role runs what it may read and change, and is refused
// a representative rest with FORBIDDEN.

const clock = new FixedClock(new Date('2026-10-20T04:00:00Z'));
let test: TestApp;
let world: World;
let gateway: GraphQLClient;
let billId: string;
let invoiceId: string;
let settlementRunId: string;
let usageRecordId: string;
let balanceEntryId: string;
let alertId: string;
let auditEntryId: string;

async function firstId(sql: string, tenantId: string): Promise<string> {
  const { rows } = await test.sql.query<{ id: string }>(sql, [tenantId]);
  return rows[0].id;
}

/** Tenant A is prepaid: a ledger, a budget it has used up (alerts), usage with end-user tags, a settled statement with a VAT invoice. */
beforeAll(async () => {
  ({ test, world, gateway } = await startUsageTest({ clock }));
  const a = world.a.id;
  const contract = (
    await world.admin.data(ContractCreateDocument, { input: { tenantId: a, type: 'PAY_AS_YOU_GO', startPeriod: '2026-10', terms: { billingMode: 'PREPAID' } } })
  ).contractCreate;
  expect(contract.userErrors).toEqual([]);
  const topUp = { tenantId: a, amount: '1000.00', paymentMethod: 'BANK_TRANSFER', reference: 'slip-1', idempotencyKey: randomUUID() } as const;
  expect((await world.admin.data(BalanceTopUpDocument, { input: topUp })).balanceTopUp.userErrors).toEqual([]);
  const budget = { scope: { tenantId: a }, period: 'MONTHLY', limit: '5.00', isHard: false } as const;
  expect((await world.admin.data(BudgetSetDocument, { input: budget })).budgetSet.userErrors).toEqual([]);
  const occurredAt = clock.now().toISOString();
  const records = [1, 2, 3].map(() => usageItem(world.a.apiKeyId, { occurredAt, inputTokens: 1_000_000, outputTokens: 100_000, endUserTag: 'end-user-42' }));
  expect((await recordUsage(gateway, records)).rejections).toEqual([]);
  expect((await world.admin.data(OperatorProfileSetDocument, { input: TEST_SELLER })).operatorProfileSet.userErrors).toEqual([]);

  clock.set(new Date('2026-11-02T02:00:00Z'));
  const run = (await world.admin.data(BillingPeriodSettleDocument, { input: { period: '2026-10', tenantIds: [a], idempotencyKey: randomUUID() } }))
    .billingPeriodSettle;
  expect(run.settlementRun).toMatchObject({ status: 'COMPLETED', billedCount: 1 });
  settlementRunId = run.settlementRun!.id;
  billId = (await world.admin.data(BillsDocument, { filter: { tenantId: a }, first: 1 })).bills.nodes[0].id;
  const issued = (
    await test.client(world.a.tokens.TENANT_FINANCE).data(VatInvoiceIssueDocument, {
      input: { billId, type: 'NORMAL', amount: '1.00', buyer: { legalName: '甲方科技有限公司' }, idempotencyKey: randomUUID() },
    })
  ).vatInvoiceIssue;
  expect(issued.userErrors).toEqual([]);
  invoiceId = issued.invoice!.id;

  usageRecordId = await firstId('select id from usage_record where tenant_id = $1 limit 1', a);
  balanceEntryId = await firstId('select id from balance_entry where tenant_id = $1 limit 1', a);
  alertId = await firstId('select id from alert where tenant_id = $1 limit 1', a);
  auditEntryId = await firstId('select id from audit_entry where tenant_id = $1 limit 1', a);
}, 60_000);
afterAll(async () => {
  await disposeSubscriptions();
  await test.stop();
});

type Operation = () => Promise<[query: string, variables?: Record<string, unknown>]> | [query: string, variables?: Record<string, unknown>];

/** Reads of tenant A's data, by what they read. */
const READS = {
  viewer: () => [print(ViewerDocument)],
  tenant: () => [print(TenantDocument), { id: world.a.id }],
  tenants: () => [print(TenantsDocument), { first: 10 }],
  departments: () => ['query ($id: ID!) { tenant(id: $id) { departments(first: 10) { nodes { id name } } } }', { id: world.a.id }],
  department: () => [print(DepartmentDocument), { id: world.a.childDepartmentId }],
  departmentNode: () => [print(NodeDocument), { id: world.a.rootDepartmentId }],
  apiKeys: () => [print(TenantApiKeysDocument), { id: world.a.id }],
  apiKey: () => [print(ApiKeyDocument), { id: world.a.apiKeyId }],
  billLineDepartmentParent: () => ['query ($id: ID!) { bill(id: $id) { lines { department { parent { id } } } } }', { id: billId }],
  billLineDepartmentChildren: () => ['query ($id: ID!) { bill(id: $id) { lines { department { children { id } } } } }', { id: billId }],
  billLineDepartmentApiKeys: () => ['query ($id: ID!) { bill(id: $id) { lines { department { apiKeys { id } } } } }', { id: billId }],
  spend: () => [print(SpendDocument), { scope: { tenantId: world.a.id } }],
  usageSummary: () => [
    print(UsageSummaryDocument),
    { scope: { tenantId: world.a.id }, from: '2026-10-01T00:00:00Z', to: '2026-11-01T00:00:00Z', groupBy: ['DEPARTMENT'] },
  ],
  budgets: () => [print(BudgetsDocument), {}],
  rateLimits: () => [print(RateLimitsDocument), {}],
  rateLimitCeiling: () => [print(TenantRateLimitCeilingDocument), { id: world.a.id }],
  alerts: () => [print(AlertsDocument), {}],
  balanceLowLevel: () => ['query ($id: ID!) { tenant(id: $id) { balanceLowLevel { amount } } }', { id: world.a.id }],
  usageRecords: () => ['{ usageRecords(first: 5) { nodes { id endUserTag apiKey { id } } } }'],
  usageRecordNode: () => [print(NodeDocument), { id: usageRecordId }],
  bills: () => [print(BillsDocument), { first: 10 }],
  bill: () => [print(BillDocument), { id: billId }],
  billNode: () => [print(NodeDocument), { id: billId }],
  vatInvoices: () => [print(VatInvoicesDocument), { first: 10 }],
  vatInvoice: () => [print(VatInvoiceDocument), { id: invoiceId }],
  contracts: () => [print(ContractsDocument), {}],
  activeContract: () => [print(TenantActiveContractDocument), { id: world.a.id }],
  balance: () => ['query ($id: ID!) { tenant(id: $id) { balance { amount currency } } }', { id: world.a.id }],
  operatorProfile: () => [print(OperatorProfileDocument)],
  balanceEntries: () => [print(BalanceEntriesDocument), { tenantId: world.a.id }],
  balanceEntryNode: () => [print(NodeDocument), { id: balanceEntryId }],
  modelPrices: () => [print(ModelPricesDocument), {}],
  accessTokens: () => [print(AccessTokensDocument), {}],
  auditEntries: () => [print(AuditEntriesDocument), {}],
  auditEntryNode: () => [print(NodeDocument), { id: auditEntryId }],
  settlementRun: () => [print(SettlementRunDocument), { id: settlementRunId }],
} satisfies Record<string, Operation>;
type Read = keyof typeof READS;

const WHO: Read[] = ['viewer'];
const TENANT_IDENTITY: Read[] = ['tenant', 'tenants'];
const DIRECTORY: Read[] = [
  'departments',
  'department',
  'departmentNode',
  'apiKeys',
  'apiKey',
  'billLineDepartmentParent',
  'billLineDepartmentChildren',
  'billLineDepartmentApiKeys',
];
const SPEND: Read[] = ['spend', 'usageSummary', 'budgets', 'rateLimits', 'rateLimitCeiling', 'alerts', 'balanceLowLevel'];
const MONEY_DOCUMENTS: Read[] = ['bills', 'bill', 'billNode', 'vatInvoices', 'vatInvoice', 'contracts', 'activeContract', 'balance', 'operatorProfile'];
const BALANCE_LEDGER: Read[] = ['balanceEntries', 'balanceEntryNode'];
const PRICE_BOOK: Read[] = ['modelPrices'];
const ACCESS_AND_AUDIT: Read[] = ['accessTokens', 'auditEntries', 'auditEntryNode'];
const OPERATOR_ONLY: Read[] = ['settlementRun'];
const ALL_READS = Object.keys(READS) as Read[];

async function freshRedemptionCode(): Promise<string> {
  const input = { count: 1, amount: '1.00', currency: 'CNY', expiresAt: '2027-12-31T00:00:00Z' } as const;
  return (await world.admin.data(RedemptionCodesCreateDocument, { input })).redemptionCodesCreate.codes[0].code;
}

/** Changes to tenant A; each can run again. */
const WRITES = {
  tenantNameAndTaxProfile: () => [
    print(TenantUpdateDocument),
    { input: { tenantId: world.a.id, name: 'Acme 甲 Ltd', buyerTaxProfile: { legalName: '甲方科技有限公司' } } },
  ],
  departmentCreate: () => [print(DepartmentCreateDocument), { input: { parentId: world.a.rootDepartmentId, name: `team ${randomUUID()}` } }],
  apiKeyCreate: () => [print(ApiKeyCreateDocument), { input: { departmentId: world.a.childDepartmentId, name: `key ${randomUUID()}`, environment: 'TEST' } }],
  accessTokenCreate: () => [print(AccessTokenCreateDocument), { input: { name: `erp ${randomUUID()}`, role: 'ERP', tenantId: world.a.id } }],
  budgetSet: () => [
    print(BudgetSetDocument),
    { input: { scope: { departmentId: world.a.rootDepartmentId }, period: 'DAILY', limit: '900.00', isHard: false } },
  ],
  rateLimitSet: () => [print(RateLimitSetDocument), { input: { scope: { apiKeyId: world.a.apiKeyId }, requestsPerMinute: 1_000 } }],
  tenantRateLimitCeilingSet: () => [
    print(TenantRateLimitCeilingSetDocument),
    { input: { tenantId: world.a.id, requestsPerMinute: 5_000, tokensPerMinute: 5_000_000 } },
  ],
  alertAcknowledge: () => [print(AlertAcknowledgeDocument), { input: { alertId } }],
  redemptionCodeRedeem: async () => [print(RedemptionCodeRedeemDocument), { input: { code: await freshRedemptionCode(), tenantId: world.a.id } }],
  vatInvoiceIssue: () => [
    print(VatInvoiceIssueDocument),
    { input: { billId, type: 'NORMAL', amount: '0.01', buyer: { legalName: '甲方科技有限公司' }, idempotencyKey: randomUUID() } },
  ],
  balanceTopUp: () => [
    print(BalanceTopUpDocument),
    { input: { tenantId: world.a.id, amount: '1.00', paymentMethod: 'ALIPAY', reference: 'slip', idempotencyKey: randomUUID() } },
  ],
  usageRecord: () => [print(UsageRecordDocument), { input: { records: [usageItem(world.a.apiKeyId, { occurredAt: clock.now().toISOString() })] } }],
  usageAuthorize: () => [print(UsageAuthorizeDocument), { input: { apiKeySecret: world.a.apiKeySecret, model: PRICES.chat.model } }],
  usageReserve: () => [
    print(UsageReserveDocument),
    { input: { apiKeySecret: world.a.apiKeySecret, model: PRICES.chat.model, requestId: randomUUID(), estimatedCost: '0.01' } },
  ],
  usageRelease: () => [print(UsageReleaseDocument), { input: { apiKeySecret: world.a.apiKeySecret, requestId: randomUUID() } }],
} satisfies Record<string, Operation>;
type Write = keyof typeof WRITES;
const ALL_WRITES = Object.keys(WRITES) as Write[];

/** 'ok'; 'null' for nothing found; otherwise the top-level error code, or the payload's userError codes. */
async function outcomeOf(token: string, operation: Operation): Promise<string> {
  const [query, variables] = await operation();
  const result = await test.client(token).raw(query, variables);
  if (result.errors?.length) return String(result.errors[0].extensions?.code);
  const [value] = Object.values(result.data ?? {});
  if (value === null || value === undefined) return 'null';
  const userErrors = (value as { userErrors?: { code: string }[] }).userErrors ?? [];
  return userErrors.length ? userErrors.map((error) => error.code).join(',') : 'ok';
}

async function outcomes<Name extends string>(token: string, operations: Record<Name, Operation>, names: readonly Name[]): Promise<Record<string, string>> {
  const results: Record<string, string> = {};
  for (const name of names) results[name] = await outcomeOf(token, operations[name]);
  return results;
}

/** What `outcomes` should answer: `allowed` ok, everything else in `names` FORBIDDEN. */
function expected(names: readonly string[], allowed: readonly string[]): Record<string, string> {
  return Object.fromEntries(names.map((name) => [name, allowed.includes(name) ? 'ok' : 'FORBIDDEN']));
}

async function expectRow(token: string, reads: readonly Read[], writes: readonly Write[]): Promise<void> {
  expect(await outcomes(token, READS, ALL_READS)).toEqual(expected(ALL_READS, reads));
  expect(await outcomes(token, WRITES, ALL_WRITES)).toEqual(expected(ALL_WRITES, writes));
}

/** HTTP statuses of the bill CSV and the fapiao PDF exports. */
async function exportStatuses(token: string): Promise<number[]> {
  const paths = [`/exports/bills/${billId}.csv`, `/exports/invoices/${invoiceId}.pdf`];
  return Promise.all(paths.map(async (path) => (await fetch(new URL(path, test.app.url), { headers: { authorization: `Bearer ${token}` } })).status));
}

const SUBSCRIPTIONS = {
  spendUpdated: () => ['subscription ($scope: SpendScopeInput!) { spendUpdated(scope: $scope) { recordedAt } }', { scope: { tenantId: world.a.id } }],
  alertRaised: () => ['subscription { alertRaised { id } }'],
  auditEntryRecorded: () => ['subscription { auditEntryRecorded { id } }'],
  billingEvent: () => [print(BillingEventDocument)],
} satisfies Record<string, () => [string, Record<string, unknown>?]>;

async function expectSubscriptionsForbidden(token: string, names: readonly (keyof typeof SUBSCRIPTIONS)[]): Promise<void> {
  for (const name of names) {
    const [query, variables] = SUBSCRIPTIONS[name]();
    const subscription = await subscribe(test.app.wsUrl, token, query, variables);
    expect([name, (await subscription.next()).errors?.[0]?.extensions?.code]).toEqual([name, 'FORBIDDEN']);
  }
}

describe('roles (README "Roles", one test per row)', () => {
  it('PLATFORM_ADMIN reads and changes everything, of every tenant', async () => {
    await expectRow(
      world.adminToken,
      ALL_READS,
      ALL_WRITES.filter((write) => !['usageAuthorize', 'usageReserve', 'usageRelease'].includes(write)),
    );
    expect(await outcomeOf(world.adminToken, () => [print(TenantUpdateDocument), { input: { tenantId: world.b.id, balanceLowLevel: '25' } }])).toBe('ok');
    expect(await exportStatuses(world.adminToken)).toEqual([200, 200]);
    const audit = await subscribe<AuditEntryRecordedSubscription>(test.app.wsUrl, world.adminToken, SUBSCRIPTIONS.auditEntryRecorded()[0]);
    await outcomeOf(world.adminToken, WRITES.departmentCreate);
    expect((await audit.next()).errors).toBeUndefined();
  });

  it('TENANT_ADMIN reads everything of its tenant and changes its directory, budgets, rate limits, alerts, tokens, vouchers, name and tax profile', async () => {
    const token = world.a.tokens.TENANT_ADMIN;
    await expectRow(
      token,
      ALL_READS.filter((read) => !OPERATOR_ONLY.includes(read)),
      [
        'tenantNameAndTaxProfile',
        'departmentCreate',
        'apiKeyCreate',
        'accessTokenCreate',
        'budgetSet',
        'rateLimitSet',
        'alertAcknowledge',
        'redemptionCodeRedeem',
      ],
    );
    expect(await exportStatuses(token)).toEqual([200, 200]);
  });

  it('TENANT_ADMIN changing anything of its tenant but name and tax profile gets NOT_PERMITTED naming the field, and nothing is written', async () => {
    const tenantRow = async () => (await test.sql.query('select * from tenant where id = $1', [world.a.id])).rows[0];
    const auditCount = async () => (await test.sql.query('select count(*)::int as count from audit_entry')).rows[0].count;
    const [before, auditsBefore] = [await tenantRow(), await auditCount()];
    // Refused whatever the value, a valid one or not; the name beside it is not written either.
    for (const balanceLowLevel of ['50', '-50']) {
      const refused = (
        await test.client(world.a.tokens.TENANT_ADMIN).data(TenantUpdateDocument, { input: { tenantId: world.a.id, name: 'Renamed', balanceLowLevel } })
      ).tenantUpdate;
      expect(refused.tenant).toBeNull();
      expect(refused.userErrors).toEqual([{ code: 'NOT_PERMITTED', field: ['input', 'balanceLowLevel'], message: expect.stringContaining('balanceLowLevel') }]);
    }
    expect(await tenantRow()).toEqual(before);
    expect(before.balance_low_level).toBeNull();
    expect(await auditCount()).toBe(auditsBefore);
  });

  it('TENANT_FINANCE reads what its admin reads but tokens and audit, and changes budgets, alerts and VAT invoices', async () => {
    const token = world.a.tokens.TENANT_FINANCE;
    await expectRow(
      token,
      ALL_READS.filter((read) => !OPERATOR_ONLY.includes(read) && !ACCESS_AND_AUDIT.includes(read)),
      ['budgetSet', 'alertAcknowledge', 'vatInvoiceIssue'],
    );
    expect(await exportStatuses(token)).toEqual([200, 200]);
    await expectSubscriptionsForbidden(token, ['auditEntryRecorded']);
  });

  it("TENANT_VIEWER reads its tenant's dashboards, not usage records, ledger entries, tokens or audit, and changes nothing", async () => {
    const token = world.a.tokens.TENANT_VIEWER;
    await expectRow(token, [...WHO, ...TENANT_IDENTITY, ...DIRECTORY, ...SPEND, ...MONEY_DOCUMENTS, ...PRICE_BOOK], []);
    expect(await exportStatuses(token)).toEqual([200, 200]);
    await expectSubscriptionsForbidden(token, ['auditEntryRecorded']);
    const spend = await subscribe<SpendUpdatedSubscription>(test.app.wsUrl, token, ...SUBSCRIPTIONS.spendUpdated());
    await recordUsage(gateway, [usageItem(world.a.apiKeyId, { occurredAt: clock.now().toISOString() })]);
    expect((await spend.next()).data?.spendUpdated.recordedAt).toBeDefined();
  });

  it('GATEWAY authorizes and records usage and reads the price book, nothing else', async () => {
    const token = world.gatewayToken;
    await expectRow(token, [...WHO, ...PRICE_BOOK], ['usageRecord', 'usageAuthorize', 'usageReserve', 'usageRelease']);
    expect(await exportStatuses(token)).toEqual([403, 403]);
    await expectSubscriptionsForbidden(token, Object.keys(SUBSCRIPTIONS) as (keyof typeof SUBSCRIPTIONS)[]);
  });

  it("ERP reads money documents, the ledger and tenants' billing identity, nothing else, and changes nothing", async () => {
    const token = world.a.tokens.ERP;
    await expectRow(token, [...WHO, ...TENANT_IDENTITY, ...MONEY_DOCUMENTS, ...BALANCE_LEDGER], []);
    const bill = (await test.client(token).data(BillDocument, { id: billId })).bill!;
    expect(bill.lines.some((line) => line.department?.name === 'Agents')).toBe(true);
    expect(bill.payments.length).toBeGreaterThan(0);
    expect(await exportStatuses(token)).toEqual([200, 200]);
    await expectSubscriptionsForbidden(token, ['spendUpdated', 'alertRaised', 'auditEntryRecorded']);
    const events = await subscribe<BillingEventSubscription>(test.app.wsUrl, token, print(BillingEventDocument));
    expect(await outcomeOf(world.a.tokens.TENANT_FINANCE, WRITES.vatInvoiceIssue)).toBe('ok');
    expect((await events.next()).data?.billingEvent).toMatchObject({ type: 'INVOICE_ISSUED', bill: { id: billId } });

    // The operator's ERP reads every tenant, within the same row.
    const operatorErp = await test.tokenFor(Role.ERP);
    expect((await test.client(operatorErp).data(TenantsDocument, { first: 10 })).tenants.totalCount).toBe(2);
    expect(await outcomes(operatorErp, READS, ['bill', 'departments', 'usageRecords'])).toEqual({
      bill: 'ok',
      departments: 'FORBIDDEN',
      usageRecords: 'FORBIDDEN',
    });
  });
});
