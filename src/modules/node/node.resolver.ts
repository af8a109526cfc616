import { Arg, Ctx, ID, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../../context.js';
import { BadInputError } from '../../platform/errors.js';
import { Node } from '../../platform/graphql/relay.js';
import { typeOfId, type NodeTypeName } from '../../platform/ids.js';
import { findAccessToken } from '../access-token/access-token.service.js';
import { toAccessTokenNode } from '../access-token/access-token.types.js';
import { findApiKey } from '../api-key/api-key.service.js';
import { toApiKeyNode } from '../api-key/api-key.types.js';
import { findAlert } from '../alert/alert.service.js';
import { toAlertNode } from '../alert/alert.types.js';
import { findAuditEntry } from '../audit/audit.service.js';
import { findBalanceEntry, findRedemptionCode } from '../balance/balance.service.js';
import { toBalanceEntryNode, toRedemptionCodeNode } from '../balance/balance.types.js';
import { findBill, findPayment, findSettlementRun } from '../bill/bill.service.js';
import { toBillNode, toPaymentNode, toSettlementRunNode } from '../bill/bill.types.js';
import { findInvoice } from '../invoice/invoice.service.js';
import { toVatInvoiceNode } from '../invoice/invoice.types.js';
import { findContract } from '../contract/contract.service.js';
import { toContractNode } from '../contract/contract.types.js';
import { findBudget } from '../budget/budget.service.js';
import { toBudgetNode } from '../budget/budget.types.js';
import { toAuditEntryNode } from '../audit/audit.types.js';
import { findDepartment } from '../department/department.service.js';
import { toDepartmentNode } from '../department/department.types.js';
import { findModelPrice } from '../price/price.service.js';
import { toModelPriceNode } from '../price/price.types.js';
import { findTenant } from '../tenant/tenant.service.js';
import { toTenantNode } from '../tenant/tenant.types.js';
import { findUsageDenial, findUsageRecord } from '../usage/usage-report.service.js';
import { toUsageDenialEntryNode, toUsageRecordNode } from '../usage/usage.types.js';
import { findTask } from '../task/task.service.js';
import { toUsageTaskNode } from '../task/task.types.js';
import { findWebhookDelivery, findWebhookEndpoint } from '../webhook/webhook.service.js';
import { toWebhookDeliveryNode, toWebhookEndpointNode } from '../webhook/webhook.types.js';

const MAX_NODES = 100;

type NodeFetcher = (context: RequestContext, id: string) => Promise<Node | null>;

function fetcher<E>(find: (context: RequestContext, id: string) => Promise<E | null>, toNode: (entity: E, context: RequestContext) => Node): NodeFetcher {
  return async (context, id) => {
    const entity = await find(context, id);
    return entity ? toNode(entity, context) : null;
  };
}

/** How to fetch each node type, with the same role and tenant rules as its own query. */
const FETCHERS: Record<NodeTypeName, NodeFetcher> = {
  Tenant: fetcher(findTenant, toTenantNode),
  Department: fetcher(findDepartment, toDepartmentNode),
  ApiKey: fetcher(findApiKey, (key, context) => toApiKeyNode(key, context.clock.now())),
  AccessToken: fetcher(findAccessToken, toAccessTokenNode),
  AuditEntry: fetcher(findAuditEntry, toAuditEntryNode),
  ModelPrice: fetcher(findModelPrice, toModelPriceNode),
  UsageRecord: fetcher(findUsageRecord, toUsageRecordNode),
  Budget: async (context, id) => {
    const budget = await findBudget(context, id);
    const tenant = budget ? await context.loaders.tenantById.load(budget.tenantId) : null;
    return budget && tenant ? toBudgetNode(budget, tenant.billingCurrency) : null;
  },
  Alert: fetcher(findAlert, toAlertNode),
  BalanceEntry: fetcher(findBalanceEntry, toBalanceEntryNode),
  RedemptionCode: fetcher(findRedemptionCode, toRedemptionCodeNode),
  Contract: fetcher(findContract, toContractNode),
  Bill: fetcher(findBill, toBillNode),
  Payment: fetcher(findPayment, toPaymentNode),
  SettlementRun: fetcher(findSettlementRun, (run, context) => toSettlementRunNode(run, context.clock.now())),
  VatInvoice: fetcher(findInvoice, toVatInvoiceNode),
  WebhookEndpoint: fetcher(findWebhookEndpoint, toWebhookEndpointNode),
  WebhookDelivery: fetcher(findWebhookDelivery, toWebhookDeliveryNode),
  UsageDenial: fetcher(findUsageDenial, toUsageDenialEntryNode),
  UsageTask: fetcher(findTask, toUsageTaskNode),
};

function fetchNode(context: RequestContext, id: string, argument: string): Promise<Node | null> {
  const type = typeOfId(id);
  if (!type) throw new BadInputError(`${argument} is not an id this API issued: "${id}".`, [argument]);
  return FETCHERS[type](context, id);
}

@Resolver()
export class NodeResolver {
  @Query(() => Node, {
    nullable: true,
    description:
      "Any object by its global id; null when it does not exist or is another tenant's. FORBIDDEN when the caller's role cannot read that type at all.",
  })
  node(
    @Ctx() context: RequestContext,
    @Arg('id', () => ID, { description: 'A global id of any type (ten_, dep_, key_, bil_ ...).' }) id: string,
  ): Promise<Node | null> {
    return fetchNode(context, id, 'id');
  }

  @Query(() => [Node], {
    nullable: 'items',
    description: `Several objects by global id, in order; at most ${MAX_NODES}. FORBIDDEN when the caller\'s role cannot read one of their types.`,
  })
  nodes(
    @Ctx() context: RequestContext,
    @Arg('ids', () => [ID], { description: 'Global ids of any types, at most 100; each answered in its place.' }) ids: string[],
  ): Promise<(Node | null)[]> {
    if (ids.length > MAX_NODES) throw new BadInputError(`ids may hold at most ${MAX_NODES} ids, got ${ids.length}.`, ['ids']);
    return Promise.all(ids.map((id, index) => fetchNode(context, id, `ids[${index}]`)));
  }
}
