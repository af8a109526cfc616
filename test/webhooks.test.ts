import { randomUUID } from 'node:crypto';
import { markOverdueBills } from '../src/modules/bill/bill.service.js';
import { systemClock } from '../src/platform/clock.js';
import { createLogger } from '../src/platform/logger.js';
import {
  AlertsDocument,
  BillingPeriodSettleDocument,
  BillVoidDocument,
  BillsDocument,
  BudgetSetDocument,
  NodeDocument,
  OperatorProfileSetDocument,
  PaymentRecordDocument,
  TenantUpdateDocument,
  VatInvoiceIssueDocument,
  VatInvoiceReverseDocument,
  WebhookDeliveriesDocument,
  WebhookDeliveryRetryDocument,
  WebhookEndpointCreateDocument,
  WebhookEndpointDeleteDocument,
  WebhookEndpointRotateSecretDocument,
  WebhookEndpointsDocument,
  WebhookEndpointUpdateDocument,
  type WebhookEndpointCreateInput,
  type WebhookEventType,
} from './generated/graphql.js';
import { TEST_SELLER, type World } from './support/fixtures.js';
import type { GraphQLClient, TestApp } from './support/harness.js';
import { recordUsage, startUsageTest, usageItem } from './support/usage-fixtures.js';
import { until } from './support/until.js';
import { expectDeliveredInOrder, seededMisbehaviour, verifies, WebhookReceiver } from './support/webhook-receiver.js';

/*
 * Signed webhooks (Standard Webhooks) from the outbox, against a real receiver on a real port that
 * fails, hangs, resets connections and restarts. Time is the real clock: receivers check the
 * signature's timestamp against their own, and retries are due by it. The month settled is the
 * last one in UTC, which has ended in every tenant's zone east of UTC.
 */
const RETRIES_MS = [50, 100, 150, 200, 250, 300, 400, 500, 600, 800, 1000, 1000];
const DISABLE_AFTER_MS = 8000;

let test: TestApp;
let world: World;
let gateway: GraphQLClient;
const receiver = new WebhookReceiver();

const now = new Date();
const lastMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
const period = lastMonth.toISOString().slice(0, 7);
const dayOfLastMonth = (day: number) => `${period}-${String(day).padStart(2, '0')}T02:00:00Z`;

beforeAll(async () => {
  await receiver.start();
  ({ test, world, gateway } = await startUsageTest({
    webhooks: { allowPrivateNetworks: true, timeoutMs: 400, retryDelaysMs: RETRIES_MS, pollIntervalMs: 50, disableAfterMs: DISABLE_AFTER_MS },
  }));
  expect((await world.admin.data(OperatorProfileSetDocument, { input: TEST_SELLER })).operatorProfileSet.userErrors).toEqual([]);
  await world.admin.data(TenantUpdateDocument, { input: { tenantId: world.a.id, externalId: 'KH-0042' } });
});
afterAll(async () => {
  await test.stop();
  await receiver.stop();
});

async function createEndpoint(client: GraphQLClient, input: WebhookEndpointCreateInput) {
  const { webhookEndpointCreate } = await client.data(WebhookEndpointCreateDocument, { input });
  expect(webhookEndpointCreate.userErrors).toEqual([]);
  return { id: webhookEndpointCreate.webhookEndpoint!.id, secret: webhookEndpointCreate.secret! };
}

/** What the outbox holds for an endpoint: its messages, oldest first, with the object each is about. */
async function messagesFor(endpointId: string) {
  const { rows } = await test.sql.query<{ id: string; seq: string; type: string; payload: string; orderKey: string; state: string }>(
    `select m.id, m.seq::text, m.type, m.payload, d.order_key as "orderKey", d.state
       from webhook_delivery d join webhook_event m on m.seq = d.event_seq where d.endpoint_id = $1 order by m.seq`,
    [endpointId],
  );
  return rows;
}

async function allDelivered(endpointIds: string[]): Promise<boolean> {
  const { rows } = await test.sql.query<{ open: string }>(
    `select count(*)::text as open from webhook_delivery where endpoint_id = any($1) and state <> 'DELIVERED'`,
    [endpointIds],
  );
  return rows[0].open === '0';
}

async function billOf(tenantId: string) {
  const [bill] = (await world.admin.data(BillsDocument, { filter: { tenantId, period }, first: 1 })).bills.nodes;
  return bill;
}

async function pay(billId: string, amount: string) {
  const { paymentRecord } = await world.admin.data(PaymentRecordDocument, {
    input: { billId, method: 'BANK_TRANSFER', amount, receivedAt: new Date().toISOString(), idempotencyKey: randomUUID() },
  });
  expect(paymentRecord.userErrors).toEqual([]);
}

const body = (message: { body?: string; payload?: string }) =>
  JSON.parse(message.body ?? message.payload!) as { type: string; timestamp: string; data: Record<string, any> };

describe('webhooks', () => {
  let operator: { id: string; secret: string };
  let tenantA: { id: string; secret: string };

  it('delivers every event exactly as signed, in order per bill, through failures, timeouts, resets and receiver restarts', async () => {
    operator = await createEndpoint(world.admin, {
      url: receiver.url('/operator'),
      description: 'ERP of the operator',
      eventTypes: [
        'BILL_FINALIZED',
        'BILL_PAID',
        'BILL_OVERDUE',
        'BILL_VOIDED',
        'PAYMENT_RECORDED',
        'INVOICE_ISSUED',
        'INVOICE_REVERSED',
        'SETTLEMENT_COMPLETED',
      ],
    });
    tenantA = await createEndpoint(test.client(world.a.tokens.TENANT_ADMIN), {
      url: receiver.url('/tenant-a'),
      eventTypes: ['BILL_FINALIZED', 'BILL_PAID', 'PAYMENT_RECORDED', 'INVOICE_ISSUED', 'INVOICE_REVERSED', 'ALERT_RAISED'],
    });
    // A seeded sequence of misbehaviour: about 1 request in 4 fails, 1 in 10 hangs past the timeout, 1 in 10 is reset.
    receiver.behave = seededMisbehaviour(42, { fail: 0.25, hang: 0.1, reset: 0.1 });

    // A budget alert for tenant A, today.
    const { budgetSet } = await test
      .client(world.a.tokens.TENANT_FINANCE)
      .data(BudgetSetDocument, { input: { scope: { tenantId: world.a.id }, period: 'DAILY', limit: '0.0001', thresholds: [50, 100], isHard: false } });
    expect(budgetSet.userErrors).toEqual([]);
    expect((await recordUsage(gateway, [usageItem(world.a.apiKeyId, { occurredAt: new Date(Date.now() - 60_000).toISOString() })])).rejections).toEqual([]);

    // Last month's usage, settled into a bill for each tenant.
    for (const tenant of [world.a, world.b]) {
      const records = Array.from({ length: 10 }, (_, index) => usageItem(tenant.apiKeyId, { occurredAt: dayOfLastMonth(2 + index), inputTokens: 4_000_000 }));
      expect((await recordUsage(gateway, records)).rejections).toEqual([]);
    }
    const { billingPeriodSettle } = await world.admin.data(BillingPeriodSettleDocument, {
      input: { period, tenantIds: [world.a.id, world.b.id], idempotencyKey: randomUUID() },
    });
    expect(billingPeriodSettle.userErrors).toEqual([]);
    await until(async () => (await billOf(world.a.id)) !== undefined && (await billOf(world.b.id)) !== undefined, 'both bills');
    const billA = await billOf(world.a.id);
    const billB = await billOf(world.b.id);

    await receiver.restart(300);
    const finance = test.client(world.a.tokens.TENANT_FINANCE);
    const issued = (
      await finance.data(VatInvoiceIssueDocument, {
        input: { billId: billA.id, type: 'NORMAL', amount: '1.00', buyer: { legalName: '甲方科技有限公司' }, idempotencyKey: randomUUID() },
      })
    ).vatInvoiceIssue;
    expect(issued.userErrors).toEqual([]);
    const reversed = (
      await finance.data(VatInvoiceReverseDocument, { input: { invoiceId: issued.invoice!.id, reason: '开票信息有误', idempotencyKey: randomUUID() } })
    ).vatInvoiceReverse;
    expect(reversed.userErrors).toEqual([]);
    await pay(billA.id, '0.01');
    await pay(billA.id, '0.02');
    await receiver.restart(500);
    await pay(billA.id, (await billOf(world.a.id)).amountDue.amount);
    // B pays nothing: its due date passes (moved to the past here), the sweep every server runs each minute marks it, and the operator voids it.
    await test.sql.query(`update bill set due_on = current_date - 2 where id = $1`, [billB.id]);
    expect(await markOverdueBills({ pool: test.sql, clock: systemClock, logger: createLogger('silent') })).toBe(1);
    const { billVoid } = await world.admin.data(BillVoidDocument, { input: { billId: billB.id, reason: '客户合同提前终止' } });
    expect(billVoid.userErrors).toEqual([]);

    await until(() => allDelivered([operator.id, tenantA.id]), 'every delivery');

    for (const [path, endpoint] of [
      ['/operator', operator],
      ['/tenant-a', tenantA],
    ] as const) {
      // Every message arrived, exactly as stored, verified, and in order per bill.
      expectDeliveredInOrder(receiver.accepted(path), await messagesFor(endpoint.id), endpoint.secret);
    }

    // The operator heard both tenants' bills and the run; tenant A only its own.
    const types = (path: string) => receiver.accepted(path).map((message) => body(message));
    const forA = types('/tenant-a');
    expect(forA.every((message) => message.data.tenant.id === world.a.id)).toBe(true);
    expect(forA.filter((message) => message.data.bill?.id === billA.id).map((message) => message.type)).toEqual([
      'bill.finalized',
      'invoice.issued',
      'invoice.reversed',
      'payment.recorded',
      'payment.recorded',
      'payment.recorded',
      'bill.paid',
    ]);
    // Every budget alert of tenant A's (today's, and each day of last month's usage), each once.
    const { rows: alertsOfA } = await test.sql.query<{ id: string }>('select id from alert where tenant_id = $1', [world.a.id]);
    const alerted = forA.filter((message) => message.type === 'alert.raised').map((message) => message.data.alert);
    expect(alerted.map((alert) => alert.id).sort()).toEqual(alertsOfA.map((alert) => alert.id).sort());
    expect(new Set(alerted.map((alert) => alert.type))).toEqual(new Set(['BUDGET_THRESHOLD', 'BUDGET_EXHAUSTED']));
    const forOperator = types('/operator');
    expect(forOperator.filter((message) => message.type === 'bill.paid').map((message) => message.data.bill.id)).toEqual([billA.id]);
    expect(forOperator.filter((message) => message.data.bill?.id === billB.id).map((message) => [message.type, message.data.bill.status])).toEqual([
      ['bill.finalized', 'FINALIZED'],
      ['bill.overdue', 'OVERDUE'],
      ['bill.voided', 'VOID'],
    ]);
    expect(forOperator.find((message) => message.type === 'bill.voided')!.data.bill.voidReason).toBe('客户合同提前终止');
    const completed = forOperator.find((message) => message.type === 'settlement.completed')!;
    expect(completed.data).toEqual({ settlementRun: expect.objectContaining({ period, status: 'COMPLETED', billedCount: 2, failedCount: 0 }) });
    expect(completed.data.tenant).toBeUndefined();

    // What an ERP needs without a second call: its customer code, amounts as Money, the document.
    const finalized = forA.find((message) => message.type === 'bill.finalized')!;
    expect(finalized.data.tenant).toEqual({ id: world.a.id, externalId: 'KH-0042', name: expect.any(String) });
    expect(finalized.data.bill).toMatchObject({ id: billA.id, number: billA.number, period, status: 'FINALIZED', total: { gross: billA.total.gross } });
    const invoice = forA.find((message) => message.type === 'invoice.issued')!;
    expect(invoice.data.invoice).toMatchObject({ id: issued.invoice!.id, amount: { amount: '1.00', currency: 'CNY' }, lines: expect.any(Array) });
    expect(forA.find((message) => message.type === 'invoice.reversed')!.data.invoice).toMatchObject({
      isRedLetter: true,
      reversalOf: { id: issued.invoice!.id },
    });
    const paid = forA.find((message) => message.type === 'bill.paid')!;
    expect(paid.data.bill).toMatchObject({ status: 'PAID', amountDue: { amount: '0.00', currency: 'CNY' } });

    // The misbehaviour happened, and the delivery log shows it: status codes and timings per attempt.
    expect(receiver.received.filter((message) => message.behaviour !== 'ACCEPT').length).toBeGreaterThan(5);
    const logOf = async (endpointId: string) =>
      (await world.admin.data(WebhookDeliveriesDocument, { filter: { endpointId }, first: 100 })).webhookDeliveries.nodes;
    const log = await logOf(operator.id);
    expect(log.length).toBe((await messagesFor(operator.id)).length);
    // Which endpoint's message met which misbehaviour depends on timing: look at both logs.
    const attempts = [...log, ...(await logOf(tenantA.id))].flatMap((delivery) => delivery.attempts);
    expect(
      attempts.some(
        (attempt) => attempt.statusCode === 500 && attempt.error === 'answered HTTP 500' && attempt.responseBody === 'receiver is down for maintenance',
      ),
    ).toBe(true);
    expect(attempts.some((attempt) => attempt.statusCode === null && /no answer within 400 ms/.test(attempt.error ?? ''))).toBe(true);
    expect(log.every((delivery) => delivery.state === 'DELIVERED' && delivery.attempts.at(-1)!.statusCode === 204)).toBe(true);
    expect(log.every((delivery) => delivery.attempts.every((attempt) => attempt.durationMs >= 0))).toBe(true);
  }, 120_000);

  it('shows a tenant only its own endpoints and deliveries', async () => {
    const b = test.client(world.b.tokens.TENANT_ADMIN);
    expect((await b.data(WebhookEndpointsDocument, {})).webhookEndpoints.nodes).toEqual([]);
    expect((await b.data(WebhookDeliveriesDocument, { first: 100 })).webhookDeliveries.nodes).toEqual([]);
    expect((await b.data(NodeDocument, { id: tenantA.id })).node).toBeNull();
    const [delivery] = (await world.admin.data(WebhookDeliveriesDocument, { filter: { endpointId: tenantA.id }, first: 1 })).webhookDeliveries.nodes;
    expect((await b.data(NodeDocument, { id: delivery.id })).node).toBeNull();
    expect((await b.data(WebhookDeliveryRetryDocument, { input: { deliveryId: delivery.id } })).webhookDeliveryRetry.userErrors).toEqual([
      expect.objectContaining({ code: 'NOT_FOUND', field: ['input', 'deliveryId'] }),
    ]);
    expect((await b.data(WebhookEndpointUpdateDocument, { input: { endpointId: tenantA.id, status: 'DISABLED' } })).webhookEndpointUpdate.userErrors).toEqual([
      expect.objectContaining({ code: 'NOT_FOUND', field: ['input', 'endpointId'] }),
    ]);
    const a = test.client(world.a.tokens.TENANT_ADMIN);
    expect((await a.data(WebhookEndpointsDocument, {})).webhookEndpoints.nodes.map((endpoint) => endpoint.id)).toEqual([tenantA.id]);
    // Operator endpoints are the operator's: a tenant sees none, and its viewers cannot read endpoints at all.
    expect((await a.data(NodeDocument, { id: operator.id })).node).toBeNull();
    expect((await test.client(world.a.tokens.TENANT_VIEWER).execute(WebhookEndpointsDocument, {})).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect(
      (await test.client(world.a.tokens.ERP).execute(WebhookEndpointCreateDocument, { input: { url: receiver.url('/x'), eventTypes: ['BILL_PAID'] } }))
        .errors?.[0].extensions?.code,
    ).toBe('FORBIDDEN');
  });

  it('signs with the old and the new secret during a rotation, and with the new one only after', async () => {
    const a = test.client(world.a.tokens.TENANT_ADMIN);
    const rotated = (await a.data(WebhookEndpointRotateSecretDocument, { input: { endpointId: tenantA.id, overlapHours: 24 } })).webhookEndpointRotateSecret;
    expect(rotated.userErrors).toEqual([]);
    receiver.behave = () => 'ACCEPT';
    const alertOf = async (tenantId: string) => {
      const before = receiver.accepted('/tenant-a').length;
      const { budgetSet } = await test.client(world.a.tokens.TENANT_FINANCE).data(BudgetSetDocument, {
        input: { scope: { departmentId: world.a.rootDepartmentId }, period: 'DAILY', limit: '0.0001', thresholds: [100], isHard: false },
      });
      expect(budgetSet.userErrors).toEqual([]);
      expect((await recordUsage(gateway, [usageItem(world.a.apiKeyId, { occurredAt: new Date(Date.now() - 60_000).toISOString() })])).rejections).toEqual([]);
      await until(async () => receiver.accepted('/tenant-a').length > before, `an alert for ${tenantId}`);
      return receiver.accepted('/tenant-a').at(-1)!;
    };
    const during = await alertOf(world.a.id);
    expect(during.signature.split(' ')).toHaveLength(2);
    expect(verifies(during, tenantA.secret)).toBe(true);
    expect(verifies(during, rotated.secret!)).toBe(true);

    const again = (await a.data(WebhookEndpointRotateSecretDocument, { input: { endpointId: tenantA.id, overlapHours: 0 } })).webhookEndpointRotateSecret;
    await test.sql.query('delete from alert where tenant_id = $1', [world.a.id]); // the same occasion raises again
    const after = await alertOf(world.a.id);
    expect(after.signature.split(' ')).toHaveLength(1);
    expect(verifies(after, again.secret!)).toBe(true);
    expect(verifies(after, rotated.secret!)).toBe(false);
    expect(verifies(after, tenantA.secret)).toBe(false);
    expect(verifies({ ...after, body: after.body.replace('"alert.raised"', '"alert.raised" ') }, again.secret!)).toBe(false);
  });

  it('gives a message up after its retries, disables an endpoint failing for days with an alert, and redelivers by hand', async () => {
    const bAdmin = test.client(world.b.tokens.TENANT_ADMIN);
    const endpoint = await createEndpoint(bAdmin, { url: receiver.url('/tenant-b'), eventTypes: ['ALERT_RAISED'] });
    receiver.behave = (path) => (path === '/tenant-b' ? 'FAIL' : 'ACCEPT');
    const { budgetSet } = await test
      .client(world.b.tokens.TENANT_FINANCE)
      .data(BudgetSetDocument, { input: { scope: { tenantId: world.b.id }, period: 'DAILY', limit: '0.0001', thresholds: [100], isHard: false } });
    expect(budgetSet.userErrors).toEqual([]);
    expect((await recordUsage(gateway, [usageItem(world.b.apiKeyId, { occurredAt: new Date(Date.now() - 60_000).toISOString() })])).rejections).toEqual([]);
    await until(async () => (await messagesFor(endpoint.id)).length === 1, 'the alert message');
    const [delivery] = (await bAdmin.data(WebhookDeliveriesDocument, { filter: { endpointId: endpoint.id }, first: 10 })).webhookDeliveries.nodes;
    await until(async () => (await messagesFor(endpoint.id)).every((message) => message.state === 'FAILED'), 'the retries to run out', 30_000);
    const failed = (await bAdmin.data(WebhookDeliveriesDocument, { filter: { endpointId: endpoint.id, state: 'FAILED' }, first: 10 })).webhookDeliveries.nodes;
    expect(failed.map((row) => row.id)).toEqual([delivery.id]);
    expect(failed[0].attempts).toHaveLength(RETRIES_MS.length + 1);
    expect(failed[0].attempts.every((attempt) => attempt.statusCode === 500)).toBe(true);
    expect(failed[0].nextAttemptAt).toBeNull();

    // Still failing days (here: seconds) on, the next attempt disables the endpoint and tells the tenant.
    const [failing] = (await bAdmin.data(WebhookEndpointsDocument, {})).webhookEndpoints.nodes;
    expect(failing).toMatchObject({ id: endpoint.id, status: 'ENABLED', failingSince: expect.any(String) });
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, Date.parse(failing.failingSince!) + DISABLE_AFTER_MS + 50 - Date.now())));
    expect((await bAdmin.data(WebhookDeliveryRetryDocument, { input: { deliveryId: delivery.id } })).webhookDeliveryRetry.userErrors).toEqual([]);
    await until(
      async () => (await bAdmin.data(WebhookEndpointsDocument, {})).webhookEndpoints.nodes.some((row) => row.id === endpoint.id && row.status === 'DISABLED'),
      'the endpoint to be disabled',
    );
    const [disabled] = (await bAdmin.data(WebhookEndpointsDocument, { filter: { status: 'DISABLED' } })).webhookEndpoints.nodes;
    expect(disabled.disabledReason).toMatch(/^Disabled after every delivery failed from \d{4}-/);
    const alerts = (await bAdmin.data(AlertsDocument, { filter: { types: ['WEBHOOK_ENDPOINT_DISABLED'] } })).alerts.nodes;
    expect(alerts).toHaveLength(1);
    expect(alerts[0].message).toContain(endpoint.id);

    // Fixed and enabled again, the message goes by hand; a PENDING one cannot be retried.
    receiver.behave = () => 'ACCEPT';
    const enabled = (await bAdmin.data(WebhookEndpointUpdateDocument, { input: { endpointId: endpoint.id, status: 'ENABLED' } })).webhookEndpointUpdate;
    expect(enabled.webhookEndpoint).toMatchObject({ status: 'ENABLED', disabledReason: null, failingSince: null });
    await until(async () => (await messagesFor(endpoint.id))[0].state !== 'PENDING', 'the disabled attempt to finish');
    const retried = (await bAdmin.data(WebhookDeliveryRetryDocument, { input: { deliveryId: delivery.id } })).webhookDeliveryRetry;
    expect(retried.webhookDelivery).toMatchObject({ state: 'PENDING' });
    await until(async () => (await messagesFor(endpoint.id))[0].state === 'DELIVERED', 'the redelivery');
    const accepted = receiver.accepted('/tenant-b');
    expect(accepted).toHaveLength(1);
    expect(verifies(accepted[0], endpoint.secret)).toBe(true);
    expect(body(accepted[0])).toMatchObject({
      type: 'alert.raised',
      data: { tenant: { id: world.b.id }, alert: { type: 'BUDGET_EXHAUSTED', limit: { amount: '0.0001' } } },
    });

    expect((await bAdmin.data(WebhookEndpointDeleteDocument, { input: { endpointId: endpoint.id } })).webhookEndpointDelete.userErrors).toEqual([]);
    expect(await messagesFor(endpoint.id)).toEqual([]);
  }, 60_000);

  it('refuses bad endpoints naming the field and the rule, and writes nothing', async () => {
    const a = test.client(world.a.tokens.TENANT_ADMIN);
    const refused = async (input: Partial<WebhookEndpointCreateInput>) =>
      (await a.data(WebhookEndpointCreateDocument, { input: { url: 'https://erp.example.com/hooks', eventTypes: ['BILL_PAID'], ...input } }))
        .webhookEndpointCreate;
    const cases: [Partial<WebhookEndpointCreateInput>, string, string[], RegExp][] = [
      [{ url: 'ftp://erp.example.com/hooks' }, 'INVALID', ['input', 'url'], /http or https/],
      [{ url: 'erp.example.com/hooks' }, 'INVALID', ['input', 'url'], /absolute URL/],
      [{ url: 'https://user:secret@erp.example.com/hooks' }, 'INVALID', ['input', 'url'], /user or password/],
      [{ url: `https://erp.example.com/${'x'.repeat(2000)}` }, 'INVALID', ['input', 'url'], /at most 2000/],
      [{ eventTypes: [] }, 'INVALID', ['input', 'eventTypes'], /at least 1/],
      [{ eventTypes: ['BILL_PAID', 'BILL_PAID'] }, 'INVALID', ['input', 'eventTypes'], /each event type once/],
      [{ eventTypes: ['SETTLEMENT_COMPLETED'] as WebhookEventType[] }, 'INVALID', ['input', 'eventTypes'], /operator endpoints/],
      [{ description: 'x'.repeat(201) }, 'TOO_LONG', ['input', 'description'], /at most 200/],
      [{ tenantId: world.b.id }, 'NOT_FOUND', ['input', 'tenantId'], /no tenant you can see/],
    ];
    const before = await test.sql.query('select count(*) from webhook_endpoint');
    for (const [input, code, field, message] of cases) {
      const result = await refused(input);
      expect(result.webhookEndpoint).toBeNull();
      expect(result.secret).toBeNull();
      expect(result.userErrors).toEqual([expect.objectContaining({ field, message: expect.stringMatching(message) })]);
      expect(result.userErrors[0].code === code || code === 'INVALID').toBe(true);
    }
    expect((await test.sql.query('select count(*) from webhook_endpoint')).rows).toEqual(before.rows);
    const rotate = (await a.data(WebhookEndpointRotateSecretDocument, { input: { endpointId: tenantA.id, overlapHours: 169 } })).webhookEndpointRotateSecret;
    expect(rotate.userErrors).toEqual([
      expect.objectContaining({ field: ['input', 'overlapHours'], message: expect.stringContaining('must be at most 168 (7 days)') }),
    ]);
    const badId = await a.execute(WebhookDeliveriesDocument, { filter: { endpointId: 'not-an-id' } });
    expect(badId.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
  });
});
