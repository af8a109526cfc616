import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../context.js';
import { INVOICE_ISSUERS, MONEY_DOCUMENT_READERS } from '../../platform/auth/roles.js';
import { PageArgs } from '../../platform/graphql/relay.js';
import { collectUserErrors } from '../../platform/user-errors.js';
import { argumentId } from '../../platform/validation.js';
import { Bill } from '../bill/bill.entity.js';
import { BillingEventNode, BillNode, toBillNode } from '../bill/bill.types.js';
import { findBill } from '../bill/bill.service.js';
import { UsageRecordNode } from '../usage/usage.types.js';
import { VatInvoice } from './invoice.entity.js';
import { invoiceItemOf } from './invoice-lines.js';
import { findInvoice, issueInvoice, listInvoices, reverseInvoice, VatInvoiceOrderField } from './invoice.service.js';
import {
  toVatInvoiceLineNode,
  toVatInvoiceNode,
  VatInvoiceConnection,
  VatInvoiceFilterInput,
  VatInvoiceIssueInput,
  VatInvoiceIssuePayload,
  VatInvoiceLineNode,
  VatInvoiceExportUrls,
  VatInvoiceNode,
  VatInvoiceOrderInput,
  VatInvoiceReverseInput,
  VatInvoiceReversePayload,
} from './invoice.types.js';

async function billNodeOf(context: RequestContext, billId: string): Promise<BillNode | null> {
  const bill = await context.em.findOne(Bill, { id: billId }, { refresh: true });
  return bill ? toBillNode(bill) : null;
}

@Resolver(() => VatInvoiceNode)
export class VatInvoiceResolver {
  @FieldResolver(() => VatInvoiceExportUrls, { description: 'Download links for ERP and people, signed for the caller.' })
  exportUrls(@Ctx() context: RequestContext, @Root() invoice: VatInvoiceNode): VatInvoiceExportUrls {
    const formats = { pdf: { suffix: '.pdf' }, json: { suffix: '.json' }, xml: { suffix: '.xml' } };
    return Object.assign(new VatInvoiceExportUrls(), context.exportLinks.signFormats(`/exports/invoices/${invoice.id}`, formats, {}, context.actor.tokenId));
  }

  @Authorized(MONEY_DOCUMENT_READERS)
  @Query(() => VatInvoiceNode, {
    nullable: true,
    description: "One VAT invoice (operator, ERP, tenant users; not the gateway); null when it does not exist or is another tenant's.",
  })
  async vatInvoice(@Ctx() context: RequestContext, @Arg('id', () => ID, { description: 'The invoice (inv_...).' }) id: string): Promise<VatInvoiceNode | null> {
    const invoice = await findInvoice(context, argumentId('VatInvoice', id, 'id'));
    return invoice ? toVatInvoiceNode(invoice) : null;
  }

  @Authorized(MONEY_DOCUMENT_READERS)
  @Query(() => VatInvoiceConnection, {
    description:
      "VAT invoices (operator, ERP, tenant users; not the gateway). Tenant users and a tenant's ERP see their tenant's; ERP pulls with filter.updatedSince and orderBy UPDATED_AT ASC.",
  })
  async vatInvoices(
    @Ctx() context: RequestContext,
    @Args() page: PageArgs,
    @Arg('filter', () => VatInvoiceFilterInput, { nullable: true, description: 'Only invoices that match every condition given.' })
    filter: VatInvoiceFilterInput | null,
    @Arg('orderBy', () => VatInvoiceOrderInput, {
      nullable: true,
      description: 'Sort order; default UPDATED_AT ascending (the order an ERP pulls changes in).',
    })
    orderBy: VatInvoiceOrderInput | null,
  ) {
    if (filter?.billId) argumentId('Bill', filter.billId, 'filter.billId');
    const order = orderBy ?? Object.assign(new VatInvoiceOrderInput(), { field: VatInvoiceOrderField.UPDATED_AT, direction: 'ASC' });
    return VatInvoiceConnection.from(await listInvoices(context, filter, order, page), toVatInvoiceNode);
  }

  @Authorized(INVOICE_ISSUERS)
  @Mutation(() => VatInvoiceIssuePayload, {
    description:
      'Issue a VAT invoice (fapiao) for all or part of a finalized CNY bill (TENANT_FINANCE of the tenant, or PLATFORM_ADMIN). The invoices of a bill never exceed it. Idempotent on idempotencyKey.',
  })
  async vatInvoiceIssue(
    @Ctx() context: RequestContext,
    @Arg('input', () => VatInvoiceIssueInput, {
      description: 'The bill, the invoice type, the amount (default: what is left to invoice) and the idempotency key.',
    })
    input: VatInvoiceIssueInput,
  ): Promise<VatInvoiceIssuePayload> {
    const { result, userErrors } = await collectUserErrors(() => issueInvoice(context, input));
    return { invoice: result ? toVatInvoiceNode(result) : null, bill: result ? await billNodeOf(context, result.billId) : null, userErrors };
  }

  @Authorized(INVOICE_ISSUERS)
  @Mutation(() => VatInvoiceReversePayload, {
    description:
      'Reverse an issued invoice with a red-letter invoice (红字发票): negated lines, its own number; the original becomes REVERSED and the bill can be invoiced again for its amount. Idempotent on idempotencyKey.',
  })
  async vatInvoiceReverse(
    @Ctx() context: RequestContext,
    @Arg('input', () => VatInvoiceReverseInput, { description: 'The invoice to reverse with a red-letter invoice, and why.' }) input: VatInvoiceReverseInput,
  ): Promise<VatInvoiceReversePayload> {
    const { result, userErrors } = await collectUserErrors(() => reverseInvoice(context, input));
    if (!result) return { redLetterInvoice: null, reversedInvoice: null, bill: null, userErrors };
    const reversed = await context.em.findOneOrFail(VatInvoice, { id: result.reversalOfId! }, { refresh: true });
    return {
      redLetterInvoice: toVatInvoiceNode(result),
      reversedInvoice: toVatInvoiceNode(reversed),
      bill: await billNodeOf(context, result.billId),
      userErrors,
    };
  }

  @FieldResolver(() => BillNode, { description: 'The bill invoiced.' })
  async bill(@Ctx() context: RequestContext, @Root() invoice: VatInvoiceNode): Promise<BillNode> {
    return toBillNode((await findBill(context, invoice.billId))!);
  }

  @FieldResolver(() => [VatInvoiceLineNode], { description: "The lines, in order. Their figures sum to the invoice's totals." })
  async lines(@Ctx() context: RequestContext, @Root() invoice: VatInvoiceNode): Promise<VatInvoiceLineNode[]> {
    return (await context.loaders.vatInvoiceLines.load(invoice.id)).map((line) => toVatInvoiceLineNode(line, invoice.amount.currency));
  }

  @FieldResolver(() => VatInvoiceNode, { nullable: true, description: 'For a red-letter invoice: the invoice it reverses.' })
  async reversalOf(@Ctx() context: RequestContext, @Root() invoice: VatInvoiceNode): Promise<VatInvoiceNode | null> {
    const original = invoice.reversalOfId ? await context.loaders.vatInvoiceById.load(invoice.reversalOfId) : null;
    return original ? toVatInvoiceNode(original) : null;
  }

  @FieldResolver(() => VatInvoiceNode, { nullable: true, description: 'For a REVERSED invoice: the red-letter invoice that reversed it.' })
  async reversedBy(@Ctx() context: RequestContext, @Root() invoice: VatInvoiceNode): Promise<VatInvoiceNode | null> {
    const red = invoice.reversedById ? await context.loaders.vatInvoiceById.load(invoice.reversedById) : null;
    return red ? toVatInvoiceNode(red) : null;
  }
}

@Resolver(() => BillNode)
export class BillInvoicesResolver {
  @FieldResolver(() => [VatInvoiceNode], { description: 'VAT invoices issued against the bill, red-letter ones included, oldest first.' })
  async invoices(@Ctx() context: RequestContext, @Root() bill: BillNode): Promise<VatInvoiceNode[]> {
    return (await context.loaders.billInvoices.load(bill.id)).map(toVatInvoiceNode);
  }
}

@Resolver(() => BillingEventNode)
export class BillingEventInvoiceResolver {
  @FieldResolver(() => VatInvoiceNode, { nullable: true, description: 'The invoice, for INVOICE_ISSUED; the red-letter invoice, for INVOICE_REVERSED.' })
  async invoice(@Ctx() context: RequestContext, @Root() event: BillingEventNode): Promise<VatInvoiceNode | null> {
    const invoice = event.invoiceId ? await findInvoice(context, event.invoiceId) : null;
    return invoice ? toVatInvoiceNode(invoice) : null;
  }
}

@Resolver(() => VatInvoiceLineNode)
export class VatInvoiceLineResolver {
  @FieldResolver(() => VatInvoiceNode, { description: 'The invoice the line is on.' })
  async invoice(@Ctx() context: RequestContext, @Root() line: VatInvoiceLineNode): Promise<VatInvoiceNode> {
    return toVatInvoiceNode((await context.loaders.vatInvoiceById.load(line.invoiceId))!);
  }
}

/** The invoice lines that invoiced a usage record: those of its bill's invoices for its line's item. */
@Resolver(() => UsageRecordNode)
export class UsageRecordInvoiceResolver {
  @FieldResolver(() => [VatInvoiceLineNode], {
    description:
      "The VAT invoice lines that invoiced the record's bill line: lines of its bill's invoices (red-letter reversals included, negative) for the line's item (invoices are issued per item, not per usage line). Empty until invoiced.",
  })
  async invoiceLines(@Ctx() context: RequestContext, @Root() record: UsageRecordNode): Promise<VatInvoiceLineNode[]> {
    const found = await context.loaders.usageBillLines.load(record);
    if (!found) return [];
    const billLine = (await context.loaders.billLines.load(found.billId)).find((line) => line.lineNumber === found.lineNumber);
    if (!billLine) return [];
    const item = invoiceItemOf(billLine);
    const invoices = await context.loaders.billInvoices.load(found.billId);
    const lines = await Promise.all(invoices.map((invoice) => context.loaders.vatInvoiceLines.load(invoice.id)));
    return invoices.flatMap((invoice, index) => lines[index].filter((line) => line.item === item).map((line) => toVatInvoiceLineNode(line, invoice.currency)));
  }
}
