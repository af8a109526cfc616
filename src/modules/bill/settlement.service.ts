import type pg from 'pg';
import { z } from 'zod';
import { inTransaction, type RequestContext } from '../../context.js';
import { requireRole } from '../../platform/auth/actor.js';
import { Role } from '../../platform/auth/roles.js';
import type { Clock } from '../../platform/clock.js';
import { nativePool, parseTimestamptz, sqlTransaction } from '../../platform/database/sql.js';
import { publishOnCommit } from '../../platform/events/pubsub.js';
import { WebhookEventType } from '../../platform/events/webhook-event-types.js';
import { recordWebhookEvents } from '../../platform/events/webhook-outbox.js';
import { newId } from '../../platform/ids.js';
import type { Logger } from '../../platform/logger.js';
import { decimal } from '../../platform/money.js';
import { once } from '../../platform/idempotency.js';
import {
  addDays,
  addPeriods,
  localDateOf,
  periodEndInstant,
  periodFirstDay,
  periodInput,
  periodOfDate,
  periodStartInstant,
  type Period,
} from '../../platform/period.js';
import { UserErrorCode, UserInputErrors } from '../../platform/user-errors.js';
import { inputId, requiredText, validateInput } from '../../platform/validation.js';
import { recordAudit } from '../audit/audit.service.js';
import { postLedgerEntry } from '../balance/balance-ledger.js';
import { BalanceEntryType } from '../balance/balance.entity.js';
import { BillingMode } from '../contract/contract.entity.js';
import { Tenant } from '../tenant/tenant.entity.js';
import { takeUsageWatermark } from '../usage/usage.repository.js';
import { buildBill } from './bill-builder.js';
import { BillPaymentMethod, BillStatus, SettlementFailureCode, SettlementRun, SettlementRunStatus, type SettlementFailure } from './bill.entity.js';
import { BILLING_EVENT, BillingEventType, type BillingEventMessage } from './bill-events.js';
import { billWebhookEvents } from './bill-webhooks.js';
import {
  firstUnsettledPeriod,
  insertFinalizedBill,
  insertPayment,
  insertSettledEmptyPeriod,
  lockBillHistory,
  tenantsToSettle,
  termsForPeriods,
  usageGroups,
  type BillRow,
  type PaymentRow,
  type TenantToSettle,
} from './settlement.repository.js';

export const SETTLEMENT_PROGRESS = 'SETTLEMENT_PROGRESS';

/** Runs over at most this many tenants finish before the mutation returns; larger ones go on in the background. */
export const INLINE_SETTLEMENT_TENANTS = 20;
/** Tenants settled at once by one run: each in its own transaction. */
const SETTLEMENT_CONCURRENCY = 4;
/** How often a run writes its counts and heartbeat and announces its progress. */
const PROGRESS_INTERVAL_MS = 500;
/** A RUNNING run whose heartbeat is older than this lost its process: it is reported INTERRUPTED. */
export const RUN_HEARTBEAT_TIMEOUT_MS = 60_000;

/** Why one tenant's bill was not made; the run goes on with the others. */
export class SettlementRefusal extends Error {
  constructor(
    readonly code: Exclude<SettlementFailureCode, SettlementFailureCode.INTERNAL_ERROR>,
    message: string,
  ) {
    super(message);
  }
}

export type TenantOutcome = 'BILLED' | 'ALREADY_SETTLED' | 'NOTHING_TO_BILL';

export interface SettlementDependencies {
  pool: pg.Pool;
  clock: Clock;
  logger: Logger;
}

/**
 * Settles one tenant's period, exactly once, in one transaction: the settlement barrier fixes which
 * usage is in (see `takeUsageWatermark`), then it builds the bill in named steps (bill-builder.ts),
 * numbers it from the period's counter, finalizes it and announces it on commit. The partial
 * unique index on (tenant, period) makes a second bill impossible, even for settlements racing.
 */
export async function settleTenant(dependencies: SettlementDependencies, tenant: TenantToSettle, period: Period, runId: string | null): Promise<TenantOutcome> {
  const { pool, clock } = dependencies;
  const endsAt = periodEndInstant(period, tenant.timezone);
  if (clock.now() < endsAt) {
    throw new SettlementRefusal(
      SettlementFailureCode.PERIOD_NOT_ENDED,
      `${period} ends at ${endsAt.toISOString()} in ${tenant.timezone}; it can be settled after that`,
    );
  }
  return sqlTransaction(pool, async (client) => {
    const watermark = await takeUsageWatermark(client, tenant.id);
    const periodStart = periodFirstDay(period);
    const history = await lockBillHistory(client, tenant.id, periodStart);
    if (history.isSettled) return 'ALREADY_SETTLED';
    if (history.laterPeriod) {
      throw new SettlementRefusal(SettlementFailureCode.LATER_PERIOD_BILLED, `${history.laterPeriod} is already settled; periods are settled in order`);
    }
    const unsettledFrom = history.previous ? periodFirstDay(addPeriods(periodOfDate(history.previous.periodStart), 1)) : null;
    const unsettled = await firstUnsettledPeriod(client, tenant.id, unsettledFrom, periodStart);
    if (unsettled) throw new SettlementRefusal(SettlementFailureCode.EARLIER_PERIOD_UNSETTLED, `${unsettled} has usage and was never settled; settle it first`);

    const usage = await usageGroups(client, tenant.id, {
      firstDay: periodStart,
      endDay: periodFirstDay(addPeriods(period, 1)),
      watermark,
      previousWatermark: history.previous?.watermark ?? null,
    });
    const adjustedPeriods = [...new Set(usage.flatMap((group) => (group.adjustedPeriod ? [group.adjustedPeriod] : [])))];
    const termsByDay = await termsForPeriods(client, tenant.id, [periodStart, ...adjustedPeriods.map(periodFirstDay)]);
    const { contractId, contractVersion, terms } = termsByDay.get(periodStart)!;
    if (usage.length === 0 && (contractId === null || decimal(terms.monthlyCommitment).isZero())) {
      await insertSettledEmptyPeriod(client, { tenantId: tenant.id, periodStart, watermark, settledAt: clock.now(), runId });
      return 'NOTHING_TO_BILL';
    }

    const built = buildBill({
      period,
      currency: tenant.billingCurrency,
      terms,
      hasContract: contractId !== null,
      termsOfAdjustedPeriods: new Map(adjustedPeriods.map((adjusted) => [adjusted, termsByDay.get(periodFirstDay(adjusted))!.terms])),
      usage,
    });
    const now = clock.now();
    const isPrepaid = terms.billingMode === BillingMode.PREPAID;
    const dueOn = addDays(localDateOf(now, tenant.timezone), isPrepaid ? 0 : terms.paymentTermsDays);
    const billId = newId('Bill');
    const gross = built.gross.toFixed(2);
    // Announced on commit; queued before the bill is written, so that the counters it takes are held one statement less.
    const event: BillingEventMessage = { type: BillingEventType.BILL_FINALIZED, billId, tenantId: tenant.id, occurredAt: now.toISOString() };
    await publishOnCommit(client, BILLING_EVENT, event);
    const draft = {
      id: billId,
      tenantId: tenant.id,
      periodStart,
      status: isPrepaid ? BillStatus.PAID : BillStatus.FINALIZED,
      currency: tenant.billingCurrency,
      contractId,
      contractVersion,
      billingMode: terms.billingMode,
      taxMode: terms.taxMode,
      taxRate: terms.taxRate,
      netTotal: built.net.toFixed(2),
      taxTotal: built.tax.toFixed(2),
      grossTotal: gross,
      amountPaid: isPrepaid ? gross : '0.00',
      usageWatermark: watermark,
      finalizedAt: now,
      dueOn,
      settlementRunId: runId,
      createdAt: now,
    };
    const bill: BillRow = { ...draft, ...(await insertFinalizedBill(client, draft, built.lines)) };
    const { number } = bill;
    let payment: PaymentRow | null = null;
    if (isPrepaid) {
      // The usage was debited from the balance as it was recorded; the statement settles the rest
      // (rounding, discounts, VAT on top, a commitment true-up) with one entry, and is paid from the balance.
      const difference = built.exactUsage.minus(built.gross);
      if (!difference.isZero()) {
        await postLedgerEntry(client, {
          tenantId: tenant.id,
          type: BalanceEntryType.ADJUSTMENT,
          amount: difference.toFixed(),
          currency: tenant.billingCurrency,
          reason: `Statement ${number} for ${period}: charged ${gross} against usage debited at ${built.exactUsage.toFixed()}`,
          reference: billId,
          createdAt: now,
        });
      }
      payment = {
        id: newId('Payment'),
        billId,
        tenantId: tenant.id,
        method: BillPaymentMethod.BALANCE,
        amount: gross,
        currency: tenant.billingCurrency,
        reference: 'prepaid balance',
        receivedAt: now,
        createdAt: now,
        syncVersion: bill.syncVersion,
        updatedAt: bill.updatedAt,
      };
      await insertPayment(client, payment);
    }
    const summary = { ...bill, amountInvoiced: '0.00', voidReason: null };
    await recordWebhookEvents(
      client,
      [
        ...billWebhookEvents(summary, BillingEventType.BILL_FINALIZED),
        ...(payment ? billWebhookEvents(summary, BillingEventType.PAYMENT_RECORDED, { payment }) : []),
      ],
      now,
    );
    return 'BILLED';
  });
}

export interface SettlementProgressMessage {
  runId: string;
  /** True once the run has COMPLETED or FAILED: its last message. */
  isFinished: boolean;
}

/** Settles every tenant of a run, a few at a time, recording counts, failures and a heartbeat as it goes. */
export async function executeSettlementRun(dependencies: SettlementDependencies, runId: string, onProgress?: (run: RunCounts) => void): Promise<void> {
  const { pool, logger } = dependencies;
  const { rows } = await pool.query<{ period: string; tenantIds: string[] | null }>(
    'select period, tenant_ids as "tenantIds" from settlement_run where id = $1',
    [runId],
  );
  const { period, tenantIds } = rows[0];
  const tenants = await tenantsToSettle(pool, tenantIds);
  const counts: RunCounts = { tenantCount: tenants.length, billedCount: 0, skippedCount: 0, failedCount: 0, failures: [] };
  let lastFlush = 0;
  const flush = async (status: SettlementRunStatus) => {
    lastFlush = Date.now();
    await writeRunProgress(dependencies, runId, counts, status);
    onProgress?.(counts);
  };
  try {
    let next = 0;
    const worker = async () => {
      while (next < tenants.length) {
        const tenant = tenants[next++];
        try {
          const outcome = await settleTenant(dependencies, tenant, period, runId);
          if (outcome === 'BILLED') counts.billedCount += 1;
          else counts.skippedCount += 1;
        } catch (error) {
          counts.failedCount += 1;
          if (error instanceof SettlementRefusal) {
            counts.failures.push({ tenantId: tenant.id, code: error.code, message: error.message });
          } else {
            logger.error({ err: error, runId, tenantId: tenant.id }, 'settling a tenant failed');
            counts.failures.push({
              tenantId: tenant.id,
              code: SettlementFailureCode.INTERNAL_ERROR,
              message: 'Settling this tenant failed unexpectedly; see the server log.',
            });
          }
        }
        if (Date.now() - lastFlush >= PROGRESS_INTERVAL_MS) await flush(SettlementRunStatus.RUNNING);
      }
    };
    await Promise.all(Array.from({ length: Math.min(SETTLEMENT_CONCURRENCY, tenants.length) }, worker));
    await flush(SettlementRunStatus.COMPLETED);
  } catch (error) {
    logger.error({ err: error, runId }, 'settlement run failed');
    await flush(SettlementRunStatus.FAILED).catch(() => undefined);
    throw error;
  }
}

export interface RunCounts {
  tenantCount: number;
  billedCount: number;
  skippedCount: number;
  failedCount: number;
  failures: SettlementFailure[];
}

async function writeRunProgress(dependencies: SettlementDependencies, runId: string, counts: RunCounts, status: SettlementRunStatus): Promise<void> {
  const now = dependencies.clock.now();
  await sqlTransaction(dependencies.pool, async (client) => {
    const { rows } = await client.query<{ period: string; startedAt: string }>(
      `update settlement_run set status = $2::settlement_run_status, tenant_count = $3, billed_count = $4, skipped_count = $5, failed_count = $6,
                                 failures = $7::jsonb, heartbeat_at = $8::timestamptz, finished_at = case when $2::settlement_run_status = 'RUNNING' then null else $8::timestamptz end
        where id = $1
        returning period, started_at::text as "startedAt"`,
      [runId, status, counts.tenantCount, counts.billedCount, counts.skippedCount, counts.failedCount, JSON.stringify(counts.failures), now],
    );
    await publishOnCommit(client, SETTLEMENT_PROGRESS, { runId, isFinished: status !== SettlementRunStatus.RUNNING } satisfies SettlementProgressMessage);
    if (status !== SettlementRunStatus.COMPLETED) return;
    const settlementRun = {
      id: runId,
      period: rows[0].period,
      status,
      tenantCount: counts.tenantCount,
      billedCount: counts.billedCount,
      skippedCount: counts.skippedCount,
      failedCount: counts.failedCount,
      failures: counts.failures,
      startedAt: parseTimestamptz(rows[0].startedAt).toISOString(),
      finishedAt: now.toISOString(),
    };
    await recordWebhookEvents(client, [{ type: WebhookEventType.SETTLEMENT_COMPLETED, tenantId: null, orderKey: runId, data: { settlementRun } }], now);
  });
}

export interface SettlementRequest {
  period: string;
  tenantIds?: string[] | null;
  idempotencyKey: string;
}

const requestSchema = z.object({
  period: periodInput,
  tenantIds: z
    .array(z.string())
    .min(1, 'must name at least 1 tenant, or be left out for every tenant')
    .max(10_000, 'must name at most 10000 tenants')
    .nullish(),
  idempotencyKey: requiredText(100),
});

/** A new run of the period, after checking that the tenants named exist and their period has ended. */
async function newSettlementRun(transaction: RequestContext, values: z.output<typeof requestSchema>, tenantIds: string[] | null): Promise<SettlementRun> {
  const { em } = transaction;
  const now = transaction.clock.now();
  if (tenantIds) {
    const tenants = await em.find(Tenant, { id: { $in: tenantIds } });
    const known = new Map(tenants.map((tenant) => [tenant.id, tenant]));
    const errors = (values.tenantIds ?? []).flatMap((id, index) => {
      const tenant = known.get(id);
      const field = ['input', 'tenantIds', String(index)];
      if (!tenant) return [{ code: UserErrorCode.NOT_FOUND, field, message: `tenantIds[${index}] names no tenant` }];
      const endsAt = periodEndInstant(values.period, tenant.timezone);
      return now < endsAt
        ? [
            {
              code: UserErrorCode.PERIOD_NOT_ENDED,
              field,
              message: `${values.period} has not ended for tenant ${id}: it ends at ${endsAt.toISOString()} (${tenant.timezone})`,
            },
          ]
        : [];
    });
    if (errors.length > 0) throw new UserInputErrors(errors);
  } else if (now < periodStartInstant(addPeriods(values.period, 1), 'Etc/GMT-14')) {
    throw UserInputErrors.single(UserErrorCode.PERIOD_NOT_ENDED, ['input', 'period'], `${values.period} has not ended anywhere yet`);
  }
  const run = em.create(SettlementRun, {
    period: values.period,
    tenantIds,
    idempotencyKey: values.idempotencyKey,
    status: SettlementRunStatus.RUNNING,
    tenantCount: tenantIds?.length ?? 0,
    billedCount: 0,
    skippedCount: 0,
    failedCount: 0,
    startedAt: now,
    heartbeatAt: now,
    createdByTokenId: transaction.actor.tokenId,
  });
  await recordAudit(transaction, { tenantId: null, action: 'billingPeriod.settle', targetId: run.id, after: { period: values.period, tenantIds } });
  return run;
}

/**
 * Records a settlement run (idempotent on its key: concurrent calls with one key all get the
 * first run) and returns it. Named tenants whose period has not ended in their time zone are
 * refused; for "every tenant", those become failures of the run.
 */
export async function createSettlementRun(context: RequestContext, input: SettlementRequest): Promise<{ run: SettlementRun; isNew: boolean }> {
  requireRole(context.actor, [Role.PLATFORM_ADMIN]);
  const values = validateInput(requestSchema, input);
  const tenantIds = values.tenantIds
    ? [...new Set(values.tenantIds.map((id, index) => inputId('Tenant', id, ['input', 'tenantIds', String(index)])))].sort()
    : null;
  return inTransaction(context, async (transaction) => {
    const findEarlier = async () => {
      const earlier = await transaction.em.findOne(SettlementRun, { idempotencyKey: values.idempotencyKey });
      return earlier && { result: { run: earlier, isNew: false }, fingerprint: JSON.stringify([earlier.period, earlier.tenantIds ?? null]) };
    };
    const fingerprint = JSON.stringify([values.period, tenantIds]);
    return once(transaction.em, { scope: 'billingPeriodSettle', key: values.idempotencyKey, fingerprint, findEarlier }, async () => ({
      run: await newSettlementRun(transaction, values, tenantIds),
      isNew: true,
    }));
  });
}

/** Runs this process started in the background, so stopping the server can wait for them. */
export class SettlementRunner {
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly dependencies: SettlementDependencies,
    /** Called when a run has finished (read-your-writes for its starter, platform/database/read-replica.ts). */
    private readonly afterRun?: (run: SettlementRun) => Promise<void>,
  ) {}

  /** Executes a run: awaited when small, otherwise in the background (its progress is in the run and its subscription). */
  async start(run: SettlementRun): Promise<void> {
    const execution = executeSettlementRun(this.dependencies, run.id)
      .finally(() => this.afterRun?.(run))
      .catch(() => undefined);
    if (run.tenantIds && run.tenantIds.length <= INLINE_SETTLEMENT_TENANTS) {
      await execution;
      return;
    }
    this.running.add(execution);
    void execution.finally(() => this.running.delete(execution));
  }

  async drain(): Promise<void> {
    await Promise.all(this.running);
  }
}

export async function settlementDependencies(context: RequestContext): Promise<SettlementDependencies> {
  return { pool: await nativePool(context.em), clock: context.clock, logger: context.logger };
}
