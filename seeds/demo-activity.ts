import { addPeriods, periodEndInstant, periodOf, periodStartInstant } from '../src/platform/period.js';
import { DEMO_ACCESS_TOKENS } from './demo-data.js';

/**
 * A month of the demo's life, made through the API as its users make it, so a newcomer sees every
 * feature at once: last month's usage on every key, settled into bills (one paid, one partly
 * paid, with a VAT invoice), this month's usage so far, and a department budget whose thresholds
 * it has crossed (alerts). Deterministic: the same calls on every first start.
 */
export async function runDemoActivity(apiUrl: string, now: Date): Promise<void> {
  const token = (name: string) => DEMO_ACCESS_TOKENS.find((each) => each.name === name)!.secret;
  const operator = client(apiUrl, token('Demo operator admin'));
  const gateway = client(apiUrl, token('Demo AI gateway'));
  const nebulaAdmin = client(apiUrl, token('Nebula admin'));

  const { tenants } = await operator<{ tenants: { nodes: DemoTenant[] } }>(`{
    tenants(first: 10) { nodes { id name departments(first: 50) { nodes { id name apiKeys { id name } } } } }
  }`);
  const keys = new Map(
    tenants.nodes.flatMap((tenant) => tenant.departments.nodes.flatMap((department) => department.apiKeys.map((key) => [key.name, key.id]))),
  );
  const departments = new Map(tenants.nodes.flatMap((tenant) => tenant.departments.nodes.map((department) => [department.name, department.id])));
  const nebula = tenants.nodes.find((tenant) => tenant.name === '星云智能科技有限公司')!;

  // Last month, the month before the current UTC one (ended in Shanghai and London alike): every
  // day but its first and last, between 02:00 and 14:00 UTC, the same local day in both zones.
  const period = addPeriods(periodOf(new Date(now.getTime() - 2 * HOUR), 'UTC'), -1);
  const lastMonth = { from: periodStartInstant(period, 'UTC'), to: periodEndInstant(period, 'UTC') };
  const random = lcg(20261101);
  const records: Record<string, unknown>[] = [];
  for (let day = lastMonth.from.getTime() + DAY; day < lastMonth.to.getTime() - DAY; day += DAY) {
    for (const [keyName, calls] of DEMO_TRAFFIC) {
      for (const call of calls)
        records.push(usage(keys.get(keyName)!, call, new Date(day + 2 * HOUR + Math.floor(random() * 12 * HOUR)), random, `demo-${period}-${records.length}`));
    }
  }
  await recordUsage(gateway, records);

  // A budget on the platform team, then this month's usage so far: it crosses 50 % and 80 %.
  await nebulaAdmin(`mutation($input: BudgetSetInput!) { budgetSet(input: $input) { budget { id } userErrors { code field message } } }`, {
    input: { scope: { departmentId: departments.get('大模型平台组') }, period: 'MONTHLY', limit: '50.00', isHard: false, thresholds: [50, 80, 100] },
  });
  const thisMonthStart = periodStartInstant(periodOf(now, 'Asia/Shanghai'), 'Asia/Shanghai');
  const sinceMonthStart = Math.max(60_000, now.getTime() - thisMonthStart.getTime());
  await recordUsage(gateway, [
    usage(
      keys.get('agent-platform')!,
      { model: 'gpt-4o', input: 600_000, output: 400_000 },
      new Date(now.getTime() - sinceMonthStart / 2),
      () => 0.5,
      'demo-this-month-0',
    ),
    usage(
      keys.get('customer-service-bot')!,
      { model: 'deepseek-chat', input: 600_000, output: 200_000 },
      new Date(now.getTime() - 30_000),
      () => 0.5,
      'demo-this-month-1',
    ),
  ]);

  // Last month settled for the tenants that used it (the one that has just signed is left for
  // README's examples to settle): bills, then a payment in full, a part payment and a VAT invoice.
  const trafficKeys = new Set(DEMO_TRAFFIC.map(([keyName]) => keyName));
  const tenantIds = tenants.nodes
    .filter((tenant) => tenant.departments.nodes.some((department) => department.apiKeys.some((key) => trafficKeys.has(key.name))))
    .map((tenant) => tenant.id);
  const run = await operator<{ billingPeriodSettle: { settlementRun: { id: string } | null } }>(
    `mutation($input: BillingPeriodSettleInput!) { billingPeriodSettle(input: $input) { settlementRun { id } userErrors { code field message } } }`,
    { input: { period, tenantIds, idempotencyKey: `demo-${period}` } },
  );
  await settled(operator, run.billingPeriodSettle.settlementRun!.id);
  const { bills } = await operator<{ bills: { nodes: { id: string; tenant: { id: string }; total: { gross: { amount: string } } }[] } }>(
    `query($period: String) { bills(first: 10, filter: { period: $period }) { nodes { id tenant { id } total { gross { amount } } } } }`,
    { period },
  );
  for (const bill of bills.nodes) {
    const isNebula = bill.tenant.id === nebula.id;
    const gross = bill.total.gross.amount;
    await operator(`mutation($input: PaymentRecordInput!) { paymentRecord(input: $input) { payment { id } userErrors { code field message } } }`, {
      input: {
        billId: bill.id,
        amount: isNebula ? half(gross) : gross,
        method: isNebula ? 'BANK_TRANSFER' : 'ALIPAY',
        receivedAt: now.toISOString(),
        reference: isNebula ? 'CMB-DEMO-0001' : 'ALIPAY-DEMO-0001',
        idempotencyKey: `demo-payment-${period}-${bill.id}`,
      },
    });
    if (isNebula)
      await operator(`mutation($input: VatInvoiceIssueInput!) { vatInvoiceIssue(input: $input) { invoice { id } userErrors { code field message } } }`, {
        input: { billId: bill.id, type: 'SPECIAL', idempotencyKey: `demo-invoice-${period}` },
      });
  }
}

interface DemoTenant {
  id: string;
  name: string;
  departments: { nodes: { id: string; name: string; apiKeys: { id: string; name: string }[] }[] };
}

interface DemoCall {
  model: string;
  input?: number;
  output?: number;
  images?: number;
}

/** A day's calls per key, by kind of work. */
const DEMO_TRAFFIC: [key: string, calls: DemoCall[]][] = [
  [
    'agent-platform',
    [
      { model: 'gpt-4o', input: 60_000, output: 20_000 },
      { model: 'claude-sonnet-4', input: 40_000, output: 12_000 },
    ],
  ],
  [
    'customer-service-bot',
    [
      { model: 'deepseek-chat', input: 200_000, output: 80_000 },
      { model: 'qwen-plus', input: 120_000, output: 40_000 },
    ],
  ],
  ['copywriter', [{ model: 'gpt-4o', input: 15_000, output: 30_000 }]],
  ['model-playground', [{ model: 'gpt-image-1', images: 2 }]],
  [
    'notebooks',
    [
      { model: 'gpt-4o', input: 80_000, output: 25_000 },
      { model: 'text-embedding-3-small', input: 500_000 },
    ],
  ],
  ['helpdesk-assistant', [{ model: 'qwen-plus', input: 90_000, output: 30_000 }]],
];

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function usage(apiKeyId: string, call: DemoCall, occurredAt: Date, random: () => number, requestId: string): Record<string, unknown> {
  const scale = 0.5 + random(); // a busier or quieter call than the day's typical one
  return {
    requestId,
    apiKeyId,
    model: call.model,
    occurredAt: occurredAt.toISOString(),
    kind: call.images ? 'IMAGE' : call.model.startsWith('text-embedding') ? 'EMBEDDING' : 'CHAT',
    status: 'SUCCEEDED',
    inputTokens: Math.round((call.input ?? 0) * scale),
    outputTokens: Math.round((call.output ?? 0) * scale),
    imageCount: call.images ?? 0,
  };
}

async function recordUsage(gateway: Client, records: Record<string, unknown>[]): Promise<void> {
  for (let start = 0; start < records.length; start += 1_000) {
    const batch = records.slice(start, start + 1_000);
    const { usageRecord } = await gateway<{ usageRecord: { acceptedCount: number; rejections: unknown[] } }>(
      `mutation($input: UsageRecordInput!) { usageRecord(input: $input) { acceptedCount rejections { index code message } } }`,
      { input: { records: batch } },
    );
    if (usageRecord.acceptedCount !== batch.length) throw new Error(`demo usage not all recorded: ${JSON.stringify(usageRecord.rejections.slice(0, 3))}`);
  }
}

async function settled(operator: Client, runId: string): Promise<void> {
  for (let attempt = 0; attempt < 300; attempt++) {
    const { settlementRun } = await operator<{ settlementRun: { status: string } }>(`query($id: ID!) { settlementRun(id: $id) { status } }`, { id: runId });
    if (settlementRun.status === 'COMPLETED') return;
    if (settlementRun.status !== 'RUNNING') throw new Error(`demo settlement ended ${settlementRun.status}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('demo settlement did not finish in 30 s');
}

/** Half an amount, down to the fen. */
function half(amount: string): string {
  const [whole, fraction = ''] = amount.split('.');
  const fen = BigInt(whole + fraction.padEnd(2, '0').slice(0, 2)) / 2n;
  return `${fen / 100n}.${String(fen % 100n).padStart(2, '0')}`;
}

/** A small deterministic generator (the same demo on every first start). */
function lcg(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

type Client = <Data = unknown>(query: string, variables?: Record<string, unknown>) => Promise<Data>;

/** A GraphQL caller with a token, failing on errors and on any userErrors in the answer. */
function client(apiUrl: string, token: string): Client {
  return async <Data>(query: string, variables?: Record<string, unknown>) => {
    const response = await fetch(apiUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: Data; errors?: unknown[] };
    const refused = JSON.stringify(body.data ?? {}).match(/"userErrors":\[\{[^\]]+\]/);
    if (body.errors?.length || refused) throw new Error(`demo activity refused: ${JSON.stringify(body.errors ?? refused?.[0])}`);
    return body.data!;
  };
}
