import type { NonEmptyArray } from 'type-graphql';
import { AccessTokenResolver, ViewerResolver } from './access-token/access-token.resolver.js';
import { ApiKeyResolver, DepartmentApiKeysResolver, TenantApiKeysResolver } from './api-key/api-key.resolver.js';
import { AlertResolver } from './alert/alert.resolver.js';
import { AuditResolver } from './audit/audit.resolver.js';
import { BalanceResolver, TenantBalanceResolver } from './balance/balance.resolver.js';
import { ContractResolver, TenantContractResolver } from './contract/contract.resolver.js';
import { BillingEventResolver, BillLineResolver, BillResolver, PaymentResolver, UsageRecordBillResolver } from './bill/bill.resolver.js';
import { WebhookDeliveryResolver, WebhookEndpointResolver } from './webhook/webhook.resolver.js';
import {
  BillingEventInvoiceResolver,
  BillInvoicesResolver,
  UsageRecordInvoiceResolver,
  VatInvoiceLineResolver,
  VatInvoiceResolver,
} from './invoice/invoice.resolver.js';
import { OperatorProfileResolver } from './operator-profile/operator-profile.resolver.js';
import { BudgetResolver } from './budget/budget.resolver.js';
import { DepartmentResolver, TenantDepartmentsResolver } from './department/department.resolver.js';
import { NodeResolver } from './node/node.resolver.js';
import { PriceResolver } from './price/price.resolver.js';
import { RateLimitResolver, TenantRateLimitCeilingResolver } from './rate-limit/rate-limit.resolver.js';
import { SpendResolver, SpendScopeResolver } from './spend/spend.resolver.js';
import { AuditEntryTenantResolver, TenantResolver } from './tenant/tenant.resolver.js';
import { UsageDenialEntryResolver, UsageResolver, UsageSummaryGroupResolver } from './usage/usage.resolver.js';
import { UsageTaskResolver } from './task/task.resolver.js';
import { StatementResolver } from './statement/statement.resolver.js';

export const RESOLVERS: NonEmptyArray<Function> = [
  NodeResolver,
  AccessTokenResolver,
  ViewerResolver,
  TenantResolver,
  TenantDepartmentsResolver,
  TenantApiKeysResolver,
  DepartmentResolver,
  DepartmentApiKeysResolver,
  ApiKeyResolver,
  AuditResolver,
  AuditEntryTenantResolver,
  PriceResolver,
  UsageResolver,
  UsageSummaryGroupResolver,
  UsageDenialEntryResolver,
  UsageTaskResolver,
  StatementResolver,
  SpendResolver,
  SpendScopeResolver,
  BudgetResolver,
  RateLimitResolver,
  TenantRateLimitCeilingResolver,
  AlertResolver,
  BalanceResolver,
  TenantBalanceResolver,
  ContractResolver,
  TenantContractResolver,
  BillResolver,
  PaymentResolver,
  BillLineResolver,
  UsageRecordBillResolver,
  VatInvoiceLineResolver,
  UsageRecordInvoiceResolver,
  BillingEventResolver,
  OperatorProfileResolver,
  VatInvoiceResolver,
  BillInvoicesResolver,
  BillingEventInvoiceResolver,
  WebhookEndpointResolver,
  WebhookDeliveryResolver,
];
