import { randomUUID } from 'node:crypto';
import { BillingPeriodSettleDocument, BillsDocument, PaymentRecordDocument, WebhookEndpointCreateDocument } from './generated/graphql.js';
import type { World } from './support/fixtures.js';
import type { TestApp } from './support/harness.js';
import { startServerProcess, type ServerProcess } from './support/server-process.js';
import { recordUsage, startUsageTest, usageItem } from './support/usage-fixtures.js';
import { until } from './support/until.js';
import { expectDeliveredInOrder, seededMisbehaviour, WebhookReceiver } from './support/webhook-receiver.js';

/*
 * None lost across a crash: the messages are delivered by the product's own server processes (the
 * test's in-process server answers the API only: WEBHOOK_CONCURRENCY 0). The first is killed with
 * SIGKILL while messages are in flight and more are queued; the second, started afterwards,
 * delivers every one, in order per bill, the ones the first had leased once their leases end.
 */
let test: TestApp;
let world: World;
const receiver = new WebhookReceiver();
const servers: ServerProcess[] = [];

const DELIVERY_ENVIRONMENT = {
  WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
  WEBHOOK_TIMEOUT: '300ms',
  WEBHOOK_RETRY_SCHEDULE: '50ms,100ms,150ms,200ms,300ms,400ms,500ms,700ms,1s,1s,1s,1s',
  LOG_LEVEL: 'error',
};

const now = new Date();
const period = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);

beforeAll(async () => {
  await receiver.start();
  let gateway;
  ({ test, world, gateway } = await startUsageTest({ webhooks: { allowPrivateNetworks: true, concurrency: 0 } }));
  for (const tenant of [world.a, world.b]) {
    const records = Array.from({ length: 5 }, (_, index) =>
      usageItem(tenant.apiKeyId, { occurredAt: `${period}-0${2 + index}T02:00:00Z`, inputTokens: 4_000_000 }),
    );
    expect((await recordUsage(gateway, records)).rejections).toEqual([]);
  }
  const { billingPeriodSettle } = await world.admin.data(BillingPeriodSettleDocument, {
    input: { period, tenantIds: [world.a.id, world.b.id], idempotencyKey: randomUUID() },
  });
  expect(billingPeriodSettle.userErrors).toEqual([]);
});
afterAll(async () => {
  for (const server of servers) await server.stop();
  await test.stop();
  await receiver.stop();
});

it('delivers every message once more after the delivering server is killed mid-flight, in order per bill', async () => {
  const { webhookEndpointCreate } = await world.admin.data(WebhookEndpointCreateDocument, {
    input: { url: receiver.url('/erp'), eventTypes: ['PAYMENT_RECORDED'] },
  });
  expect(webhookEndpointCreate.userErrors).toEqual([]);
  const endpointId = webhookEndpointCreate.webhookEndpoint!.id;
  const secret = webhookEndpointCreate.secret!;
  receiver.behave = seededMisbehaviour(7, { fail: 0.2, hang: 0.1, reset: 0 });

  const bills = (await world.admin.data(BillsDocument, { filter: { period }, first: 10 })).bills.nodes;
  expect(bills).toHaveLength(2);
  const pay = async (count: number) => {
    for (let index = 0; index < count; index++) {
      const { paymentRecord } = await world.admin.data(PaymentRecordDocument, {
        input: { billId: bills[index % 2].id, method: 'BANK_TRANSFER', amount: '0.01', receivedAt: new Date().toISOString(), idempotencyKey: randomUUID() },
      });
      expect(paymentRecord.userErrors).toEqual([]);
    }
  };

  await pay(40);
  const first = await startServerProcess(test.databaseUrl, { environment: DELIVERY_ENVIRONMENT });
  servers.push(first);
  await until(() => receiver.accepted('/erp').length >= 12, 'the first server to deliver some');
  process.kill(first.pid, 'SIGKILL');
  expect(await first.stop()).toBeNull(); // killed by the signal: no exit code
  const deliveredByFirst = receiver.accepted('/erp').length;
  await pay(20); // queued while no server delivers

  const { rows: pending } = await test.sql.query<{ count: string }>(`select count(*)::text from webhook_delivery where state = 'PENDING'`);
  expect(Number(pending[0].count)).toBeGreaterThan(20);
  servers.push(await startServerProcess(test.databaseUrl, { environment: DELIVERY_ENVIRONMENT }));
  await until(async () => {
    const { rows } = await test.sql.query<{ open: string }>(`select count(*)::text as open from webhook_delivery where state <> 'DELIVERED'`);
    return rows[0].open === '0';
  }, 'every delivery after the restart');

  const { rows: stored } = await test.sql.query<{ id: string; payload: string; orderKey: string }>(
    `select m.id, m.payload, d.order_key as "orderKey" from webhook_delivery d join webhook_event m on m.seq = d.event_seq
      where d.endpoint_id = $1 order by m.seq`,
    [endpointId],
  );
  expect(stored).toHaveLength(60); // the bills were finalized before the endpoint existed: only the payments
  const accepted = receiver.accepted('/erp');
  expect(deliveredByFirst).toBeLessThan(accepted.length);
  expectDeliveredInOrder(accepted, stored, secret);
}, 120_000);
