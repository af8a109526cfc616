import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { beginSubscriptionEvent, type RequestContext } from '../../context.js';
import { canSeeTenant, requireRole } from '../../platform/auth/actor.js';
import { MONEY_DOCUMENT_READERS, Role } from '../../platform/auth/roles.js';
import { NotFoundError } from '../../platform/errors.js';
import { listenNow } from '../../platform/events/pubsub.js';
import { OrderDirection, PageArgs } from '../../platform/graphql/relay.js';
import { collectUserErrors } from '../../platform/user-errors.js';
import { argumentId } from '../../platform/validation.js';
import { ContractNode, toContractNode } from '../contract/contract.types.js';
import { DepartmentNode, toDepartmentNode } from '../department/department.types.js';
import { ModelPriceNode, toModelPriceNode } from '../price/price.types.js';
import { TenantNode, toTenantNode } from '../tenant/tenant.types.js';
import { UsageRecordNode } from '../usage/usage.types.js';
import { BILLING_EVENT, type BillingEventMessage } from './bill-events.js';
import { Bill, SettlementRun, SettlementRunStatus } from './bill.entity.js';
import {
  findBill,
  findSettlementRun,
  listBills,
  listPayments,
  listSettlementRuns,
  PaymentOrderField,
  periodExportScope,
  recordPayment,
  voidBill,
} from './bill.service.js';
import {
  BillConnection,
  BillExportUrls,
  BillFilterInput,
  BillingEventNode,
  BillingPeriodSettleInput,
  BillLineNode,
  BillNode,
  BillOrderInput,
  BillPayload,
  BillVoidInput,
  PaymentConnection,
  PaymentFilterInput,
  PaymentNode,
  PaymentOrderInput,
  PaymentRecordInput,
  PaymentRecordPayload,
  PeriodExportNode,
  SettlementRunConnection,
  TableExportUrls,
  SettlementRunNode,
  SettlementRunPayload,
  toBillLineNode,
  toBillNode,
  toPaymentNode,
  toSettlementRunNode,
} from './bill.types.js';
import { createSettlementRun, SETTLEMENT_PROGRESS, type SettlementProgressMessage } from './settlement.service.js';

/** A bill's files, and a period table's, by the field that links them. */
const BILL_FORMATS = {
  csv: { suffix: '.csv' },
  csvGbk: { suffix: '.csv', query: { encoding: 'gbk' } },
  xlsx: { suffix: '.xlsx' },
  json: { suffix: '.json' },
  pdf: { suffix: '.pdf' },
};
const TABLE_FORMATS = { csv: { suffix: '.csv' }, csvGbk: { suffix: '.csv', query: { encoding: 'gbk' } }, xlsx: { suffix: '.xlsx' } };

@Resolver(() => BillNode)
export class BillResolver {
  @Authorized(MONEY_DOCUMENT_READERS)
  @Query(() => BillNode, {
    nullable: true,
    description: "One bill (operator, ERP, tenant users; not the gateway); null when it does not exist or is another tenant's.",
  })
  async bill(@Ctx() context: RequestContext, @Arg('id', () => ID, { description: 'The bill (bil_...).' }) id: string): Promise<BillNode | null> {
    const bill = await findBill(context, argumentId('Bill', id, 'id'));
    return bill ? toBillNode(bill) : null;
  }

  @Authorized(MONEY_DOCUMENT_READERS)
  @Query(() => BillConnection, {
    description:
      "Bills (operator, ERP, tenant users; not the gateway). Tenant users and a tenant's ERP see their tenant's; ERP pulls with filter.updatedSince and orderBy UPDATED_AT ASC.",
  })
  async bills(
    @Ctx() context: RequestContext,
    @Args() page: PageArgs,
    @Arg('filter', () => BillFilterInput, { nullable: true, description: 'Only bills that match every condition given.' }) filter: BillFilterInput | null,
    @Arg('orderBy', () => BillOrderInput, { nullable: true, description: 'Sort order; default UPDATED_AT ascending (the order an ERP pulls changes in).' })
    orderBy: BillOrderInput | null,
  ) {
    const order = orderBy ?? Object.assign(new BillOrderInput(), { field: 'UPDATED_AT', direction: 'ASC' });
    return BillConnection.from(await listBills(context, filter, order, page), toBillNode);
  }

  @Authorized([Role.PLATFORM_ADMIN])
  @Query(() => SettlementRunNode, { nullable: true, description: 'A settlement run and its progress (operator only).' })
  async settlementRun(
    @Ctx() context: RequestContext,
    @Arg('id', () => ID, { description: 'The run (srn_...).' }) id: string,
  ): Promise<SettlementRunNode | null> {
    const run = await findSettlementRun(context, argumentId('SettlementRun', id, 'id'));
    return run ? toSettlementRunNode(run, context.clock.now()) : null;
  }

  @Authorized([Role.PLATFORM_ADMIN])
  @Query(() => SettlementRunConnection, { description: 'Settlement runs, newest first, with their progress (operator only).' })
  async settlementRuns(@Ctx() context: RequestContext, @Args() page: PageArgs) {
    return SettlementRunConnection.from(await listSettlementRuns(context, page), (run) => toSettlementRunNode(run, context.clock.now()));
  }

  @Authorized([Role.PLATFORM_ADMIN])
  @Mutation(() => SettlementRunPayload, {
    description:
      'Settle a period into bills (operator only): one finalized bill per tenant and period, ever. Runs over at most 20 named tenants finish before this returns; larger runs go on in the background (see settlementProgress). Idempotent on idempotencyKey; safe to run again after a crash.',
  })
  async billingPeriodSettle(
    @Ctx() context: RequestContext,
    @Arg('input', () => BillingPeriodSettleInput, { description: 'The period to settle ("2026-10"), optionally only some tenants, and the idempotency key.' })
    input: BillingPeriodSettleInput,
  ) {
    const { result, userErrors } = await collectUserErrors(() => createSettlementRun(context, input));
    if (!result) return { settlementRun: null, userErrors };
    if (result.isNew) await context.settlements.start(result.run);
    const run = await context.em.findOneOrFail(SettlementRun, { id: result.run.id }, { refresh: true });
    return { settlementRun: toSettlementRunNode(run, context.clock.now()), userErrors };
  }

  @Authorized([Role.PLATFORM_ADMIN])
  @Mutation(() => PaymentRecordPayload, {
    description: 'Record money received against a bill (operator only). Overpayment is refused. Idempotent on idempotencyKey.',
  })
  async paymentRecord(
    @Ctx() context: RequestContext,
    @Arg('input', () => PaymentRecordInput, { description: 'The bill, the amount received, how and when, and the idempotency key.' }) input: PaymentRecordInput,
  ) {
    const { result, userErrors } = await collectUserErrors(() => recordPayment(context, input));
    const bill = result ? await context.em.findOne(Bill, { id: result.billId }, { refresh: true }) : null;
    return { payment: result ? toPaymentNode(result) : null, bill: bill ? toBillNode(bill) : null, userErrors };
  }

  @Authorized([Role.PLATFORM_ADMIN])
  @Mutation(() => BillPayload, { description: 'Void an unpaid, uninvoiced bill with a reason (operator only); its period can then be settled again.' })
  async billVoid(@Ctx() context: RequestContext, @Arg('input', () => BillVoidInput, { description: 'The bill to void and why.' }) input: BillVoidInput) {
    const { result, userErrors } = await collectUserErrors(() => voidBill(context, input));
    return { bill: result ? toBillNode(result) : null, userErrors };
  }

  @FieldResolver(() => BillExportUrls, { description: 'Download links for ERP and people, signed for the caller.' })
  exportUrls(@Ctx() context: RequestContext, @Root() bill: BillNode): BillExportUrls {
    const urls = context.exportLinks.signFormats(`/exports/bills/${bill.id}`, BILL_FORMATS, {}, context.actor.tokenId);
    return Object.assign(new BillExportUrls(), urls);
  }

  @Authorized(MONEY_DOCUMENT_READERS)
  @Query(() => PeriodExportNode, {
    description:
      "Every bill of a period, with lines, payments, VAT invoices and invoice lines, as CSV and XLSX files (operator, ERP, tenant users; a tenant's users get their own). The links are signed for the caller and open without a header.",
  })
  periodExport(
    @Ctx() context: RequestContext,
    @Arg('period', () => String, { description: 'The billing period, "YYYY-MM".' }) period: string,
    @Arg('tenantId', () => ID, { nullable: true, description: "Only this tenant's bills (the operator and an operator ERP may name any)." })
    tenantId?: string | null,
  ): PeriodExportNode {
    const scope = periodExportScope(context, period, tenantId);
    const table = (name: string) =>
      Object.assign(new TableExportUrls(), context.exportLinks.signFormats(`/exports/${name}`, TABLE_FORMATS, scope, context.actor.tokenId));
    return Object.assign(new PeriodExportNode(), {
      period: scope.period,
      bills: table('bills'),
      billLines: table('bill-lines'),
      payments: table('payments'),
      invoices: table('invoices'),
      invoiceLines: table('invoice-lines'),
    });
  }

  @FieldResolver(() => TenantNode, { description: 'The tenant billed.' })
  async tenant(@Ctx() context: RequestContext, @Root() bill: BillNode): Promise<TenantNode> {
    return toTenantNode((await context.loaders.tenantById.load(bill.tenantId))!);
  }

  @FieldResolver(() => ContractNode, { nullable: true, description: 'The contract whose terms were applied; null without one.' })
  async contract(@Ctx() context: RequestContext, @Root() bill: BillNode): Promise<ContractNode | null> {
    const contract = bill.contractId ? await context.loaders.contractById.load(bill.contractId) : null;
    return contract ? toContractNode(contract) : null;
  }

  @FieldResolver(() => [BillLineNode], { description: "The lines, in order. Their figures sum to the bill's totals." })
  async lines(@Ctx() context: RequestContext, @Root() bill: BillNode): Promise<BillLineNode[]> {
    const lines = await context.loaders.billLines.load(bill.id);
    return lines.map((line) => toBillLineNode(line, bill.total.gross.currency));
  }

  @FieldResolver(() => [PaymentNode], { description: 'Payments received, oldest first.' })
  async payments(@Ctx() context: RequestContext, @Root() bill: BillNode): Promise<PaymentNode[]> {
    return (await context.loaders.billPayments.load(bill.id)).map(toPaymentNode);
  }
}

@Resolver(() => PaymentNode)
export class PaymentResolver {
  @Authorized(MONEY_DOCUMENT_READERS)
  @Query(() => PaymentConnection, {
    description:
      "Payments (operator, ERP, tenant users; not the gateway). Tenant users and a tenant's ERP see their tenant's; ERP pulls with filter.updatedSince and orderBy UPDATED_AT ASC, each payment with its bill and tenant (externalId).",
  })
  async payments(
    @Ctx() context: RequestContext,
    @Args() page: PageArgs,
    @Arg('filter', () => PaymentFilterInput, { nullable: true, description: 'Only payments that match every condition given.' })
    filter: PaymentFilterInput | null,
    @Arg('orderBy', () => PaymentOrderInput, { nullable: true, description: 'Sort order; default UPDATED_AT ascending (the order an ERP pulls them in).' })
    orderBy: PaymentOrderInput | null,
  ) {
    const order = orderBy ?? Object.assign(new PaymentOrderInput(), { field: PaymentOrderField.UPDATED_AT, direction: OrderDirection.ASC });
    return PaymentConnection.from(await listPayments(context, filter, order, page), toPaymentNode);
  }

  @FieldResolver(() => BillNode, { description: 'The bill paid, with its number.' })
  async bill(@Ctx() context: RequestContext, @Root() payment: PaymentNode): Promise<BillNode> {
    return toBillNode((await context.loaders.billById.load(payment.billId))!);
  }

  @FieldResolver(() => TenantNode, { description: 'The tenant that paid, with its ERP customer code (externalId).' })
  async tenant(@Ctx() context: RequestContext, @Root() payment: PaymentNode): Promise<TenantNode> {
    return toTenantNode((await context.loaders.tenantById.load(payment.tenantId))!);
  }
}

@Resolver(() => BillLineNode)
export class BillLineResolver {
  @FieldResolver(() => DepartmentNode, {
    nullable: true,
    description: 'The department, for usage lines. ERP reads it here (not its parent, children or keys).',
  })
  async department(@Ctx() context: RequestContext, @Root() line: BillLineNode): Promise<DepartmentNode | null> {
    const department = line.departmentId ? await context.loaders.departmentById.load(line.departmentId) : null;
    return department ? toDepartmentNode(department) : null;
  }

  @FieldResolver(() => ModelPriceNode, { nullable: true, description: 'The price version (unit prices) the usage was rated with.' })
  async unitPrice(@Ctx() context: RequestContext, @Root() line: BillLineNode): Promise<ModelPriceNode | null> {
    const price = line.priceId ? await context.loaders.modelPriceById.load(line.priceId) : null;
    return price ? toModelPriceNode(price) : null;
  }
}

@Resolver(() => BillingEventNode)
export class BillingEventResolver {
  @Subscription(() => BillingEventNode, {
    description:
      "Bills finalized, payments recorded, bills overdue or voided, VAT invoices issued or reversed, on any server. Tenant users and a tenant's ERP get their tenant's; the operator and an operator ERP every tenant's. Not the gateway.",
    subscribe: async ({ context }) => {
      const { actor, pubSub } = context as RequestContext;
      requireRole(actor, MONEY_DOCUMENT_READERS);
      return (async function* () {
        for await (const event of pubSub.subscribe(BILLING_EVENT)) {
          if (canSeeTenant(actor, (event as BillingEventMessage).tenantId)) yield event;
        }
      })();
    },
  })
  billingEvent(@Ctx() context: RequestContext, @Root() event: BillingEventMessage): BillingEventNode {
    beginSubscriptionEvent(context);
    return Object.assign(new BillingEventNode(), {
      billId: event.billId,
      paymentId: event.paymentId ?? null,
      invoiceId: event.invoiceId ?? null,
      type: event.type,
      occurredAt: new Date(event.occurredAt),
    });
  }

  @Subscription(() => SettlementRunNode, {
    description:
      "A settlement run's state now, then its progress as it goes; the stream ends once the run has finished, at once for a run that already has (operator only).",
    subscribe: async ({ context, args }) => {
      const { actor, pubSub } = context as RequestContext;
      requireRole(actor, [Role.PLATFORM_ADMIN]);
      const runId = argumentId('SettlementRun', (args as { runId: string }).runId, 'runId');
      // Listening before the run is read: progress written meanwhile is not missed.
      const events = listenNow(pubSub, SETTLEMENT_PROGRESS);
      const run = await findSettlementRun(context as RequestContext, runId);
      if (!run) {
        await events.return?.();
        throw new NotFoundError('SettlementRun', runId);
      }
      return (async function* () {
        const isFinished = run.status !== SettlementRunStatus.RUNNING;
        yield { runId, isFinished } satisfies SettlementProgressMessage;
        if (isFinished) {
          await events.return?.();
          return;
        }
        for await (const event of events) {
          const progress = event as SettlementProgressMessage;
          if (progress.runId !== runId) continue;
          yield progress;
          if (progress.isFinished) return;
        }
      })();
    },
  })
  async settlementProgress(
    @Ctx() context: RequestContext,
    @Root() event: SettlementProgressMessage,
    @Arg('runId', () => ID, { description: 'The run.' }) _runId: string,
  ): Promise<SettlementRunNode> {
    const run = await context.em.findOne(SettlementRun, { id: event.runId }, { refresh: true });
    if (!run) throw new NotFoundError('SettlementRun', event.runId);
    return toSettlementRunNode(run, context.clock.now());
  }

  @FieldResolver(() => BillNode, { nullable: true, description: 'The bill as it is now.' })
  async bill(@Ctx() context: RequestContext, @Root() event: BillingEventNode): Promise<BillNode | null> {
    const bill = await findBill(context, event.billId);
    return bill ? toBillNode(bill) : null;
  }

  @FieldResolver(() => PaymentNode, { nullable: true, description: 'The payment, for PAYMENT_RECORDED.' })
  async payment(@Ctx() context: RequestContext, @Root() event: BillingEventNode): Promise<PaymentNode | null> {
    const payment = event.paymentId ? await context.loaders.paymentById.load(event.paymentId) : null;
    return payment ? toPaymentNode(payment) : null;
  }
}

/** Where settlement put a usage record: its bill and the line it is summed into (settlement.repository.ts). */
@Resolver(() => UsageRecordNode)
export class UsageRecordBillResolver {
  @FieldResolver(() => BillNode, { nullable: true, description: 'The bill the record was billed on; null until it is settled, and for a record not charged.' })
  async bill(@Ctx() context: RequestContext, @Root() record: UsageRecordNode): Promise<BillNode | null> {
    const line = await context.loaders.usageBillLines.load(record);
    const bill = line && (await context.loaders.billById.load(line.billId));
    return bill ? toBillNode(bill) : null;
  }

  @FieldResolver(() => BillLineNode, {
    nullable: true,
    description:
      "The bill line the record is summed into: its period's USAGE line for its department and price version, or a later bill's LATE_USAGE_ADJUSTMENT line when it arrived after its period was settled.",
  })
  async billLine(@Ctx() context: RequestContext, @Root() record: UsageRecordNode): Promise<BillLineNode | null> {
    const found = await context.loaders.usageBillLines.load(record);
    const bill = found && (await context.loaders.billById.load(found.billId));
    if (!found || !bill) return null;
    const line = (await context.loaders.billLines.load(found.billId)).find((candidate) => candidate.lineNumber === found.lineNumber);
    return line ? toBillLineNode(line, bill.currency) : null;
  }
}
