import { AccessToken } from './access-token/access-token.entity.js';
import { ApiKey } from './api-key/api-key.entity.js';
import { Alert } from './alert/alert.entity.js';
import { AuditEntry } from './audit/audit-entry.entity.js';
import { BalanceAccount, BalanceEntry, RedemptionCode } from './balance/balance.entity.js';
import { Bill, BillLine, BillNumberCounter, BillSyncCounter, Payment, SettledEmptyPeriod, SettlementRun } from './bill/bill.entity.js';
import { Contract, ContractVersion } from './contract/contract.entity.js';
import { Budget } from './budget/budget.entity.js';
import { VatInvoice, VatInvoiceLine, VatInvoiceNumberCounter } from './invoice/invoice.entity.js';
import { OperatorProfile } from './operator-profile/operator-profile.entity.js';
import { Department } from './department/department.entity.js';
import { ModelPrice } from './price/model-price.entity.js';
import { RateLimit, RateLimitCeiling, RateWindow } from './rate-limit/rate-limit.entity.js';
import { SpendCounter, StageSpendCounter } from './spend/spend-counter.entity.js';
import { SpendHold } from './spend/spend-hold.entity.js';
import { SpendHourly } from './spend/spend-hourly.entity.js';
import { BuyerTaxProfile, Tenant } from './tenant/tenant.entity.js';
import { UsageRecord, UsageRequest } from './usage/usage-record.entity.js';
import { UsageBarrier, UsageRollup } from './usage/usage-rollup.entity.js';
import { UsageDenialEntry } from './usage/usage-denial.entity.js';
import { UsageTask, UsageTaskEvent } from './task/usage-task.entity.js';
import { WebhookEndpoint, WebhookEndpointSecret } from './webhook/webhook-endpoint.entity.js';
import { EventOutbox } from '../platform/events/event-outbox.entity.js';
import { UrlSigningKey } from '../platform/export-links.js';
import { ReadPosition } from '../platform/database/read-position.entity.js';
import { WebhookAttempt, WebhookDelivery, WebhookEvent } from '../platform/events/webhook.entity.js';

export const ENTITIES = [
  Tenant,
  BuyerTaxProfile,
  Department,
  ApiKey,
  AccessToken,
  AuditEntry,
  ModelPrice,
  UsageRecord,
  UsageRequest,
  UsageRollup,
  UsageBarrier,
  UsageDenialEntry,
  UsageTask,
  UsageTaskEvent,
  SpendCounter,
  StageSpendCounter,
  EventOutbox,
  Budget,
  Alert,
  BalanceAccount,
  BalanceEntry,
  RedemptionCode,
  SpendHold,
  SpendHourly,
  Contract,
  ContractVersion,
  Bill,
  BillLine,
  Payment,
  BillNumberCounter,
  BillSyncCounter,
  SettlementRun,
  SettledEmptyPeriod,
  OperatorProfile,
  VatInvoice,
  VatInvoiceLine,
  VatInvoiceNumberCounter,
  RateLimit,
  RateLimitCeiling,
  RateWindow,
  UrlSigningKey,
  ReadPosition,
  WebhookEndpoint,
  WebhookEndpointSecret,
  WebhookEvent,
  WebhookDelivery,
  WebhookAttempt,
];
