import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { ApiKey } from './api-key/api-key.entity.js';
import { BalanceAccount } from './balance/balance.entity.js';
import { Bill, BillLine, Payment } from './bill/bill.entity.js';
import type { Clock } from '../platform/clock.js';
import { nativePool } from '../platform/database/sql.js';
import { reachesTenant } from '../platform/database/tenant-scope.js';
import { termsAt, type TermsInForce } from './contract/contract-terms.js';
import { Contract, ContractVersion } from './contract/contract.entity.js';
import { Department } from './department/department.entity.js';
import { VatInvoice, VatInvoiceLine } from './invoice/invoice.entity.js';
import { ModelPrice } from './price/model-price.entity.js';
import { Tenant } from './tenant/tenant.entity.js';
import { WebhookEndpoint } from './webhook/webhook-endpoint.entity.js';
import { WebhookAttempt, WebhookEvent } from '../platform/events/webhook.entity.js';
import { billLinesOfRecords, type RecordBillLine, type RecordRef } from './bill/settlement.repository.js';
import { UsageRecord, UsageRequest } from './usage/usage-record.entity.js';
import { UsageTaskEvent, type UsageTask } from './task/usage-task.entity.js';

/** Batches lookups by a unique key (the id, unless named) into one `where key in (...)` per entity and tick. */
function byKeyLoader<E extends object>(em: EntityManager, entity: new () => E, key: keyof E & string): DataLoader<string, E | null> {
  return new DataLoader(async (keys) => {
    const rows = (await em.find(entity as never, { [key]: { $in: [...keys] } } as never)) as E[];
    const byKey = new Map(rows.map((row) => [row[key] as string, row]));
    return keys.map((value) => byKey.get(value) ?? null);
  });
}

function byIdLoader<E extends { id: string }>(em: EntityManager, entity: new () => E): DataLoader<string, E | null> {
  return byKeyLoader(em, entity, 'id');
}

/** Batches "rows whose `parentField` is one of these ids" into one query. */
function groupLoader<E extends object>(
  em: EntityManager,
  entity: new () => E,
  parentField: keyof E & string,
  orderBy: Record<string, 'asc' | 'desc'>,
  parentIdOf: (row: E) => string,
): DataLoader<string, E[]> {
  return new DataLoader(async (parentIds) => {
    const rows = (await em.find(entity as never, { [parentField]: { $in: [...parentIds] } } as never, { orderBy } as never)) as E[];
    const groups = new Map<string, E[]>(parentIds.map((id) => [id, []]));
    for (const row of rows) groups.get(parentIdOf(row))?.push(row);
    return parentIds.map((id) => groups.get(id)!);
  });
}

/** Where settlement put each usage record (bill/settlement.repository.ts): a query per tick, below the tenant filter, for records a scoped read returned. */
function usageBillLineLoader(em: EntityManager): DataLoader<RecordRef, RecordBillLine | null, string> {
  return new DataLoader(
    async (records) => {
      const found = new Map((await billLinesOfRecords(em, records)).map((line) => [line.recordId, line]));
      return records.map((record) => found.get(record.id) ?? null);
    },
    { cacheKeyFn: (record) => record.id },
  );
}

/** A tenant's requestIds (usage_request: the dedupe, with its duplicates counted), one query per tick. */
function usageRequestLoader(em: EntityManager): DataLoader<{ tenantId: string; requestId: string }, UsageRequest | null, string> {
  const keyOf = ({ tenantId, requestId }: { tenantId: string; requestId: string }) => `${tenantId}\u0000${requestId}`;
  return new DataLoader(
    async (keys) => {
      const rows = await em.find(UsageRequest, { $or: keys.map(({ tenantId, requestId }) => ({ tenantId, requestId })) });
      const byKey = new Map(rows.map((row) => [keyOf(row), row]));
      return keys.map((key) => byKey.get(keyOf(key)) ?? null);
    },
    { cacheKeyFn: keyOf },
  );
}

/** The usage record each completed task recorded: its requestId, at its submission instant (which prunes to one month's partition). */
function taskUsageRecordLoader(em: EntityManager): DataLoader<Pick<UsageTask, 'id' | 'tenantId' | 'requestId' | 'submittedAt'>, UsageRecord | null, string> {
  return new DataLoader(
    async (tasks) => {
      const rows = await em.find(UsageRecord, { $or: tasks.map(({ tenantId, requestId, submittedAt }) => ({ tenantId, requestId, occurredAt: submittedAt })) });
      const byTask = new Map(rows.map((row) => [row.taskId, row]));
      return tasks.map((task) => byTask.get(task.id) ?? null);
    },
    { cacheKeyFn: (task) => task.id },
  );
}

/**
 * Each tenant's terms in force at the request's instant, on its local day: one query per tick. The
 * query is our own SQL, below the tenant filter, so it asks only for tenants `em` reaches.
 */
function termsInForceLoader(em: EntityManager, clock: Clock): DataLoader<string, TermsInForce | null> {
  return new DataLoader(async (tenantIds) => {
    const reached = tenantIds.filter((id) => reachesTenant(em, id));
    const found = await termsAt(await nativePool(em), reached, clock.now());
    return tenantIds.map((id) => found.get(id) ?? null);
  });
}

/**
 * The request's loaders, reading through its EntityManager: its tenant filter holds for them too,
 * so a tenant user's loader finds nothing of another tenant's (null, as for an unknown id).
 */
export function createLoaders(em: EntityManager, clock: Clock) {
  return {
    termsInForce: termsInForceLoader(em, clock),
    tenantById: byIdLoader(em, Tenant),
    departmentById: byIdLoader(em, Department),
    apiKeyById: byIdLoader(em, ApiKey),
    modelPriceById: byIdLoader(em, ModelPrice),
    balanceAccountByTenant: byKeyLoader(em, BalanceAccount, 'tenantId'),
    departmentChildren: groupLoader(em, Department, 'parent', { name: 'asc', id: 'asc' }, (row) => row.parent!.id),
    apiKeysByDepartment: groupLoader(em, ApiKey, 'department', { createdAt: 'desc', id: 'desc' }, (row) => row.department.id),
    contractsByTenant: groupLoader(em, Contract, 'tenantId', { startsOn: 'asc' }, (row) => row.tenantId),
    contractById: byIdLoader(em, Contract),
    billById: byIdLoader(em, Bill),
    paymentById: byIdLoader(em, Payment),
    billLines: groupLoader(em, BillLine, 'billId', { lineNumber: 'asc' }, (row) => row.billId),
    billPayments: groupLoader(em, Payment, 'billId', { receivedAt: 'asc', id: 'asc' }, (row) => row.billId),
    vatInvoiceById: byIdLoader(em, VatInvoice),
    billInvoices: groupLoader(em, VatInvoice, 'billId', { issuedAt: 'asc', id: 'asc' }, (row) => row.billId),
    vatInvoiceLines: groupLoader(em, VatInvoiceLine, 'invoiceId', { lineNumber: 'asc' }, (row) => row.invoiceId),
    contractVersions: groupLoader(em, ContractVersion, 'contractId', { version: 'asc' }, (row) => row.contractId),
    webhookEndpointById: byIdLoader(em, WebhookEndpoint),
    webhookEventBySeq: byKeyLoader(em, WebhookEvent, 'seq'),
    usageBillLines: usageBillLineLoader(em),
    usageRequests: usageRequestLoader(em),
    taskUsageRecords: taskUsageRecordLoader(em),
    taskEvents: groupLoader(em, UsageTaskEvent, 'taskId', { id: 'asc' }, (row) => row.taskId),
    webhookAttempts: groupLoader(em, WebhookAttempt, 'deliveryId', { attemptedAt: 'asc', id: 'asc' }, (row) => row.deliveryId),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
