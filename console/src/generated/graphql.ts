/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
/** What an alert is about. */
export type AlertType =
  /** The prepaid balance fell below the tenant's level. */
  | 'BALANCE_LOW'
  /** Spend reached 100 % of a budget. */
  | 'BUDGET_EXHAUSTED'
  /** Spend reached one of a budget's thresholds. */
  | 'BUDGET_THRESHOLD'
  /** This month's spend, projected to the month's end, passes a monthly budget. */
  | 'FORECAST_OVER_BUDGET'
  /** The last hour's spend is far above the scope's usual hourly spend. */
  | 'SPEND_SPIKE'
  /** One of the tenant's webhook endpoints was disabled after failing for days (the message names it; amount is 0). Enable it again once it answers. */
  | 'WEBHOOK_ENDPOINT_DISABLED';

/** Whether the gateway accepts the key. */
export type ApiKeyStatus =
  /** Accepted. */
  | 'ACTIVE'
  /** Past its expiry: refused until the expiry is extended. */
  | 'EXPIRED'
  /** Revoked: refused forever. */
  | 'REVOKED';

/** Where a bill is in its life. */
export type BillStatus =
  /** Being built inside a settlement; never visible outside it. */
  | 'DRAFT'
  /** Numbered, immutable and payable by its due date. */
  | 'FINALIZED'
  /** Past its due date and not paid in full. */
  | 'OVERDUE'
  /** Paid in full (prepaid statements are paid from the balance when finalized). */
  | 'PAID'
  /** Some of it is paid, and it is not yet due. */
  | 'PARTIALLY_PAID'
  /** Cancelled with a reason; the period can be settled again. */
  | 'VOID';

/** Settle a period into bills. */
export type BillingPeriodSettleInput = {
  /** A retry with the same key returns the same run; the same key with other input is refused. */
  idempotencyKey: string;
  /** The period, "YYYY-MM"; it must have ended in each tenant's time zone. */
  period: string;
  /** Only these tenants (at most 10,000); default every tenant. */
  tenantIds?: Array<string | number> | null | undefined;
};

/** Create the budget of a scope, period and stage, or replace its terms. */
export type BudgetSetInput = {
  /** Deny spending once the limit is reached (true), or only alert (false). */
  isHard: boolean;
  /** The limit per period, in the tenant's billing currency; greater than 0, at most 10 decimal places. */
  limit: string;
  /** DAILY or MONTHLY, in the tenant's time zone. */
  period: SpendPeriod;
  /** The scope: a tenant, a department (covering everything below it) or a key. */
  scope: SpendScopeInput;
  /** Limit only the spend of the scope's image and video tasks of this stage (usageTaskSubmit refuses a task of the stage past a hard one); a scope has a budget of all spend and one per stage, per period. None: all spend. */
  stage?: TaskStage | null | undefined;
  /** Whole percentages of the limit that raise an alert, strictly ascending, 1 to 10 of them, each 1 to 100. Default [50, 80, 100]. */
  thresholds?: Array<number>;
};

/** ISO 4217 currency code. */
export type CurrencyCode =
  /** Chinese yuan (renminbi), rounded to the fen (0.01). VAT invoices are issued only for CNY bills. */
  | 'CNY'
  /** Euro, rounded to the cent (0.01). */
  | 'EUR'
  /** Hong Kong dollar, rounded to the cent (0.01). */
  | 'HKD'
  /** US dollar, rounded to the cent (0.01). */
  | 'USD';

/** Kind of VAT invoice (fapiao). */
export type InvoiceType =
  /** Normal VAT invoice (普票). */
  | 'NORMAL'
  /** Special VAT invoice (专票), deductible by the buyer. */
  | 'SPECIAL';

/** What an access token may do. */
export type Role =
  /** Reads bills, invoices and payments: of one tenant, or of all for the operator's ERP. */
  | 'ERP'
  /** The AI gateway: authorizes keys and records usage, across tenants. */
  | 'GATEWAY'
  /** Operator staff: everything, across tenants. */
  | 'PLATFORM_ADMIN'
  /** Manages one tenant: departments, keys, tokens, settings. */
  | 'TENANT_ADMIN'
  /** Reads one tenant and handles its money: bills, payments, invoices. */
  | 'TENANT_FINANCE'
  /** Reads one tenant. */
  | 'TENANT_VIEWER';

/** Why a settlement run could not bill a tenant. */
export type SettlementFailureCode =
  /** An earlier period of the tenant has usage and was never settled. Settle that period first, then this one. */
  | 'EARLIER_PERIOD_UNSETTLED'
  /** Settling this tenant failed unexpectedly (see the server log); the others went on. Run the settlement again: it is safe to repeat. */
  | 'INTERNAL_ERROR'
  /** A later period of the tenant is already settled (billed, or closed with nothing to bill); periods are settled in order. Usage that arrives late goes on the next bill by itself. */
  | 'LATER_PERIOD_BILLED'
  /** The period has not ended in the tenant's time zone. Settle it again once it has. */
  | 'PERIOD_NOT_ENDED';

/** State of a settlement run. */
export type SettlementRunStatus =
  /** Every tenant was handled: billed, skipped, or failed (see failures). */
  | 'COMPLETED'
  /** The run stopped on an unexpected error before handling every tenant (see the server log). Bills made stay; settle again with a new idempotencyKey. */
  | 'FAILED'
  /** Its process stopped: the run is RUNNING but wrote no heartbeat for a minute. Bills made stay; settle again with a new idempotencyKey for the rest. */
  | 'INTERRUPTED'
  /** Settling its tenants now; the counts and percentDone move as it goes. */
  | 'RUNNING';

/** A calendar period in the tenant's time zone: usage at 2026-10-31T16:30Z is November in Asia/Shanghai. */
export type SpendPeriod =
  /** One day in the tenant's time zone, from local midnight to the next. */
  | 'DAILY'
  /** One calendar month in the tenant's time zone: the same month a bill covers. */
  | 'MONTHLY';

/** Exactly one of tenantId, departmentId (that department and every one below it) or apiKeyId. */
export type SpendScopeInput = {
  /** One API key. */
  apiKeyId?: string | number | null | undefined;
  /** A department and every department below it. */
  departmentId?: string | number | null | undefined;
  /** A whole tenant. */
  tenantId?: string | number | null | undefined;
};

/** What a spend figure covers. */
export type SpendScopeType =
  /** One API key. */
  | 'API_KEY'
  /** A department and every department below it. */
  | 'DEPARTMENT'
  /** A whole tenant: all of its usage. */
  | 'TENANT';

/** The stage of an image or video task (usageTaskSubmit): budgets can limit each apart, drafts on cheap limits and final output on its own. */
export type TaskStage =
  /** Draft work: previews and iterations. */
  | 'DRAFT'
  /** Final output, delivered to the customer. */
  | 'FINAL';

/** Why a mutation refused its input. Stable: clients may switch on it. */
export type UserErrorCode =
  /** The redemption code was already redeemed; each code is single use. Use another code. */
  | 'ALREADY_REDEEMED'
  /** The invoice was already reversed by a red-letter invoice; an invoice is reversed once. Nothing more to do. */
  | 'ALREADY_REVERSED'
  /** The department is archived: it takes no changes, child departments or new API keys. Name an active department. */
  | 'ARCHIVED'
  /** A required value is missing, empty or only whitespace (or none of the values one of which is required was given). Send a value with at least one visible character. */
  | 'BLANK'
  /** The currencies differ: a redemption code not in the tenant's billing currency, or a VAT invoice for a bill not in CNY. Redeem a code in the tenant's currency; invoice CNY bills only. */
  | 'CURRENCY_MISMATCH'
  /** The move would put a department under itself or one of its descendants. Choose a parent outside its subtree. */
  | 'CYCLE'
  /** The redemption code passed its expiry before it was redeemed. Ask the operator for a new code. */
  | 'EXPIRED'
  /** The department still has API keys that are not revoked (expired ones count). Revoke them first, then archive it. */
  | 'HAS_ACTIVE_API_KEYS'
  /** The department still has child departments that are not archived. Archive or move them first, then archive it. */
  | 'HAS_ACTIVE_CHILDREN'
  /** The idempotencyKey was already used with different input. Use a new key for a new operation; repeat the first input exactly to get its result. */
  | 'IDEMPOTENCY_KEY_REUSED'
  /** The tenant's prepaid balance does not cover this BALANCE payment. Pay less from the balance, top it up first, or use another method. */
  | 'INSUFFICIENT_BALANCE'
  /** The value has the wrong form, or breaks a rule between fields (e.g. two fields that exclude each other). Correct it as the message says. */
  | 'INVALID'
  /** The text holds NUL (U+0000) or an unpaired UTF-16 surrogate, which cannot be stored. Remove those characters. */
  | 'INVALID_CHARACTER'
  /** The value is not an id of the expected type (wrong prefix, malformed or blank). Send an id of that type, as the API returned it. */
  | 'INVALID_ID'
  /** The object is in a state that does not allow this change (e.g. a revoked key, a terminated contract, a bill that is not open). Read the message; change its state first. */
  | 'INVALID_STATE'
  /** Not a valid unified social credit code (18 characters, GB 32100-2015, check character verified). Send the code exactly as registered. */
  | 'INVALID_TAXPAYER_ID'
  /** The value is not an IANA time zone name; offsets such as "+08:00" are not accepted. Send a name such as "Asia/Shanghai" or "UTC". */
  | 'INVALID_TIMEZONE'
  /** The instant (e.g. an expiry) is not in the future. Send a later instant. */
  | 'IN_PAST'
  /** lastPeriod ends the contract before its cancellation notice, counted from today in the tenant's time zone, runs out. Choose the month it runs out in or later. */
  | 'NOTICE_PERIOD'
  /** The id or code names nothing that exists or that the caller can see (another tenant's objects are not found). Check the value. */
  | 'NOT_FOUND'
  /** The caller's role may not set this field or grant this role (e.g. operator-only tenant fields). Leave it out, or have the operator make the change. */
  | 'NOT_PERMITTED'
  /** The value is outside its range: an instant outside 1970 to 2199, a period outside 1970-01 to 2199-12, or a period outside the contract's term. Send one inside it. */
  | 'OUT_OF_RANGE'
  /** The new contract's term overlaps another contract of the tenant; one is in force at a time. Start it after that one ends, or terminate that one first. */
  | 'OVERLAPPING_CONTRACT'
  /** The amount is more than the bill's amount due. Record at most amountDue. */
  | 'OVERPAYMENT'
  /** The invoice would take the bill's invoices past its subtotal: the bill is fully invoiced, or amount is above amountInvoiceable. Issue at most amountInvoiceable. */
  | 'OVER_INVOICED'
  /** The tenant's period (or a later one) is settled: billed, or closed with nothing to bill; settled terms never change. Choose a period after the last settled one. */
  | 'PERIOD_BILLED'
  /** The period has not ended in the tenant's time zone (for all tenants: anywhere yet). Settle it once it has ended. */
  | 'PERIOD_NOT_ENDED'
  /** Usage at or after effectiveFrom is already priced with the version the new one would supersede, and usage is never repriced. Choose a later effectiveFrom. */
  | 'PRICED_USAGE_EXISTS'
  /** The value must be unique and is in use: an active sibling department's name (ignoring case) or a price version's effectiveFrom. Choose another value. */
  | 'TAKEN'
  /** The number or amount is above the field's maximum (e.g. a rate limit above the tenant's ceiling). Send a smaller value. */
  | 'TOO_LARGE'
  /** The text or list is longer than the field allows (invoice party fields: 100 GBK bytes). Send a shorter value. */
  | 'TOO_LONG'
  /** The text is shorter than the field's minimum length. Send a longer value. */
  | 'TOO_SHORT'
  /** The number or amount is below the field's minimum (e.g. zero or negative, or a rate-limit ceiling below a limit in use). Send a larger value. */
  | 'TOO_SMALL';

/** Where an invoice is in its life. Invoices are never edited: a red-letter invoice reverses one. */
export type VatInvoiceStatus =
  /** Issued and in force (red-letter invoices stay ISSUED). */
  | 'ISSUED'
  /** Reversed by a red-letter invoice (see reversedBy). */
  | 'REVERSED';

export type ConsoleSpendFragment = { period: SpendPeriod, periodStart: string, percentUsed: string | null, requestCount: number, spent: { amount: string, currency: CurrencyCode }, limit: { amount: string, currency: CurrencyCode } | null };

export type ConsoleViewerQueryVariables = Exact<{ [key: string]: never; }>;


export type ConsoleViewerQuery = { viewer: { role: Role, tenant: { id: string, name: string } | null } };

export type ConsoleTenantsQueryVariables = Exact<{ [key: string]: never; }>;


export type ConsoleTenantsQuery = { tenants: { nodes: Array<{ id: string, name: string }> } };

export type ConsoleDirectoryQueryVariables = Exact<{
  tenantId: string | number;
}>;


export type ConsoleDirectoryQuery = { tenant: { id: string, name: string, billingCurrency: CurrencyCode, timezone: string, departments: { nodes: Array<{ id: string, name: string, parent: { id: string } | null }> }, apiKeys: { nodes: Array<{ id: string, name: string, status: ApiKeyStatus, department: { id: string } }> } } | null };

export type ConsoleScopeSpendQueryVariables = Exact<{
  scope: SpendScopeInput;
}>;


export type ConsoleScopeSpendQuery = { today: { period: SpendPeriod, periodStart: string, percentUsed: string | null, requestCount: number, spent: { amount: string, currency: CurrencyCode }, limit: { amount: string, currency: CurrencyCode } | null }, month: { period: SpendPeriod, periodStart: string, percentUsed: string | null, requestCount: number, spent: { amount: string, currency: CurrencyCode }, limit: { amount: string, currency: CurrencyCode } | null } };

export type ConsoleSpendUpdatedSubscriptionVariables = Exact<{
  scope: SpendScopeInput;
}>;


export type ConsoleSpendUpdatedSubscription = { spendUpdated: { spends: Array<{ period: SpendPeriod, periodStart: string, percentUsed: string | null, requestCount: number, spent: { amount: string, currency: CurrencyCode }, limit: { amount: string, currency: CurrencyCode } | null }> } };

export type ConsoleAlertFragment = { id: string, type: AlertType, message: string, raisedAt: string, isAcknowledged: boolean, acknowledgedAt: string | null, scope: { type: SpendScopeType, id: string, name: string }, amount: { amount: string, currency: CurrencyCode }, limit: { amount: string, currency: CurrencyCode } | null };

export type ConsoleAlertsQueryVariables = Exact<{
  tenantId: string | number;
}>;


export type ConsoleAlertsQuery = { alerts: { nodes: Array<{ id: string, type: AlertType, message: string, raisedAt: string, isAcknowledged: boolean, acknowledgedAt: string | null, scope: { type: SpendScopeType, id: string, name: string }, amount: { amount: string, currency: CurrencyCode }, limit: { amount: string, currency: CurrencyCode } | null }> } };

export type ConsoleAlertRaisedSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type ConsoleAlertRaisedSubscription = { alertRaised: { id: string, type: AlertType, message: string, raisedAt: string, isAcknowledged: boolean, acknowledgedAt: string | null, scope: { tenantId: string, type: SpendScopeType, id: string, name: string }, amount: { amount: string, currency: CurrencyCode }, limit: { amount: string, currency: CurrencyCode } | null } };

export type ConsoleAlertAcknowledgeMutationVariables = Exact<{
  alertId: string | number;
}>;


export type ConsoleAlertAcknowledgeMutation = { alertAcknowledge: { alert: { id: string, type: AlertType, message: string, raisedAt: string, isAcknowledged: boolean, acknowledgedAt: string | null, scope: { type: SpendScopeType, id: string, name: string }, amount: { amount: string, currency: CurrencyCode }, limit: { amount: string, currency: CurrencyCode } | null } | null, userErrors: Array<{ code: UserErrorCode, field: Array<string> | null, message: string }> } };

export type ConsoleBudgetFragment = { id: string, period: SpendPeriod, isHard: boolean, thresholds: Array<number>, scope: { type: SpendScopeType, id: string }, limit: { amount: string, currency: CurrencyCode }, spend: { period: SpendPeriod, periodStart: string, percentUsed: string | null, requestCount: number, spent: { amount: string, currency: CurrencyCode }, limit: { amount: string, currency: CurrencyCode } | null } };

export type ConsoleBudgetsQueryVariables = Exact<{
  tenantId: string | number;
}>;


export type ConsoleBudgetsQuery = { budgets: { nodes: Array<{ id: string, period: SpendPeriod, isHard: boolean, thresholds: Array<number>, scope: { type: SpendScopeType, id: string }, limit: { amount: string, currency: CurrencyCode }, spend: { period: SpendPeriod, periodStart: string, percentUsed: string | null, requestCount: number, spent: { amount: string, currency: CurrencyCode }, limit: { amount: string, currency: CurrencyCode } | null } }> } };

export type ConsoleBudgetSetMutationVariables = Exact<{
  input: BudgetSetInput;
}>;


export type ConsoleBudgetSetMutation = { budgetSet: { budget: { id: string, period: SpendPeriod, isHard: boolean, thresholds: Array<number>, scope: { type: SpendScopeType, id: string }, limit: { amount: string, currency: CurrencyCode }, spend: { period: SpendPeriod, periodStart: string, percentUsed: string | null, requestCount: number, spent: { amount: string, currency: CurrencyCode }, limit: { amount: string, currency: CurrencyCode } | null } } | null, userErrors: Array<{ code: UserErrorCode, field: Array<string> | null, message: string }> } };

export type ConsoleSettlementRunFragment = { id: string, period: string, status: SettlementRunStatus, tenantCount: number, billedCount: number, skippedCount: number, failedCount: number, percentDone: string, startedAt: string, finishedAt: string | null, failures: Array<{ tenantId: string, code: SettlementFailureCode, message: string }> };

export type ConsoleSettlementRunsQueryVariables = Exact<{ [key: string]: never; }>;


export type ConsoleSettlementRunsQuery = { settlementRuns: { nodes: Array<{ id: string, period: string, status: SettlementRunStatus, tenantCount: number, billedCount: number, skippedCount: number, failedCount: number, percentDone: string, startedAt: string, finishedAt: string | null, failures: Array<{ tenantId: string, code: SettlementFailureCode, message: string }> }> } };

export type ConsoleSettlementProgressSubscriptionVariables = Exact<{
  runId: string | number;
}>;


export type ConsoleSettlementProgressSubscription = { settlementProgress: { id: string, period: string, status: SettlementRunStatus, tenantCount: number, billedCount: number, skippedCount: number, failedCount: number, percentDone: string, startedAt: string, finishedAt: string | null, failures: Array<{ tenantId: string, code: SettlementFailureCode, message: string }> } };

export type ConsoleSettleMutationVariables = Exact<{
  input: BillingPeriodSettleInput;
}>;


export type ConsoleSettleMutation = { billingPeriodSettle: { settlementRun: { id: string, period: string, status: SettlementRunStatus, tenantCount: number, billedCount: number, skippedCount: number, failedCount: number, percentDone: string, startedAt: string, finishedAt: string | null, failures: Array<{ tenantId: string, code: SettlementFailureCode, message: string }> } | null, userErrors: Array<{ code: UserErrorCode, field: Array<string> | null, message: string }> } };

export type ConsoleBillsQueryVariables = Exact<{
  tenantId?: string | number | null | undefined;
}>;


export type ConsoleBillsQuery = { bills: { nodes: Array<{ id: string, number: string | null, period: string, status: BillStatus, dueOn: string | null, tenant: { name: string }, total: { gross: { amount: string, currency: CurrencyCode } }, amountDue: { amount: string, currency: CurrencyCode }, exportUrls: { pdf: string, xlsx: string, csv: string, json: string } }> }, vatInvoices: { nodes: Array<{ id: string, number: string, type: InvoiceType, status: VatInvoiceStatus, issuedOn: string, isRedLetter: boolean, bill: { number: string | null }, total: { gross: { amount: string, currency: CurrencyCode } }, exportUrls: { pdf: string, xml: string, json: string } }> } };

export const ConsoleAlertFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ConsoleAlert"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Alert"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"raisedAt"}},{"kind":"Field","name":{"kind":"Name","value":"isAcknowledged"}},{"kind":"Field","name":{"kind":"Name","value":"acknowledgedAt"}},{"kind":"Field","name":{"kind":"Name","value":"scope"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"amount"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}},{"kind":"Field","name":{"kind":"Name","value":"limit"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}}]}}]} as unknown as DocumentNode<ConsoleAlertFragment, unknown>;
export const ConsoleSpendFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ConsoleSpend"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Spend"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"period"}},{"kind":"Field","name":{"kind":"Name","value":"periodStart"}},{"kind":"Field","name":{"kind":"Name","value":"spent"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}},{"kind":"Field","name":{"kind":"Name","value":"limit"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}},{"kind":"Field","name":{"kind":"Name","value":"percentUsed"}},{"kind":"Field","name":{"kind":"Name","value":"requestCount"}}]}}]} as unknown as DocumentNode<ConsoleSpendFragment, unknown>;
export const ConsoleBudgetFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ConsoleBudget"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Budget"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"scope"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"id"}}]}},{"kind":"Field","name":{"kind":"Name","value":"period"}},{"kind":"Field","name":{"kind":"Name","value":"isHard"}},{"kind":"Field","name":{"kind":"Name","value":"thresholds"}},{"kind":"Field","name":{"kind":"Name","value":"limit"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}},{"kind":"Field","name":{"kind":"Name","value":"spend"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ConsoleSpend"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ConsoleSpend"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Spend"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"period"}},{"kind":"Field","name":{"kind":"Name","value":"periodStart"}},{"kind":"Field","name":{"kind":"Name","value":"spent"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}},{"kind":"Field","name":{"kind":"Name","value":"limit"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}},{"kind":"Field","name":{"kind":"Name","value":"percentUsed"}},{"kind":"Field","name":{"kind":"Name","value":"requestCount"}}]}}]} as unknown as DocumentNode<ConsoleBudgetFragment, unknown>;
export const ConsoleSettlementRunFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ConsoleSettlementRun"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SettlementRun"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"period"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"tenantCount"}},{"kind":"Field","name":{"kind":"Name","value":"billedCount"}},{"kind":"Field","name":{"kind":"Name","value":"skippedCount"}},{"kind":"Field","name":{"kind":"Name","value":"failedCount"}},{"kind":"Field","name":{"kind":"Name","value":"percentDone"}},{"kind":"Field","name":{"kind":"Name","value":"startedAt"}},{"kind":"Field","name":{"kind":"Name","value":"finishedAt"}},{"kind":"Field","name":{"kind":"Name","value":"failures"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"tenantId"}},{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]} as unknown as DocumentNode<ConsoleSettlementRunFragment, unknown>;
export const ConsoleViewerDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ConsoleViewer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"viewer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"tenant"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]}}]} as unknown as DocumentNode<ConsoleViewerQuery, ConsoleViewerQueryVariables>;
export const ConsoleTenantsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ConsoleTenants"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"tenants"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"100"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]}}]} as unknown as DocumentNode<ConsoleTenantsQuery, ConsoleTenantsQueryVariables>;
export const ConsoleDirectoryDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ConsoleDirectory"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"tenantId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"tenant"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"tenantId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"billingCurrency"}},{"kind":"Field","name":{"kind":"Name","value":"timezone"}},{"kind":"Field","name":{"kind":"Name","value":"departments"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"100"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"parent"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"apiKeys"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"100"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"department"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<ConsoleDirectoryQuery, ConsoleDirectoryQueryVariables>;
export const ConsoleScopeSpendDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ConsoleScopeSpend"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"scope"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"SpendScopeInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","alias":{"kind":"Name","value":"today"},"name":{"kind":"Name","value":"spend"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"scope"},"value":{"kind":"Variable","name":{"kind":"Name","value":"scope"}}},{"kind":"Argument","name":{"kind":"Name","value":"period"},"value":{"kind":"EnumValue","value":"DAILY"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ConsoleSpend"}}]}},{"kind":"Field","alias":{"kind":"Name","value":"month"},"name":{"kind":"Name","value":"spend"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"scope"},"value":{"kind":"Variable","name":{"kind":"Name","value":"scope"}}},{"kind":"Argument","name":{"kind":"Name","value":"period"},"value":{"kind":"EnumValue","value":"MONTHLY"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ConsoleSpend"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ConsoleSpend"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Spend"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"period"}},{"kind":"Field","name":{"kind":"Name","value":"periodStart"}},{"kind":"Field","name":{"kind":"Name","value":"spent"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}},{"kind":"Field","name":{"kind":"Name","value":"limit"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}},{"kind":"Field","name":{"kind":"Name","value":"percentUsed"}},{"kind":"Field","name":{"kind":"Name","value":"requestCount"}}]}}]} as unknown as DocumentNode<ConsoleScopeSpendQuery, ConsoleScopeSpendQueryVariables>;
export const ConsoleSpendUpdatedDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"ConsoleSpendUpdated"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"scope"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"SpendScopeInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"spendUpdated"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"scope"},"value":{"kind":"Variable","name":{"kind":"Name","value":"scope"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"spends"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ConsoleSpend"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ConsoleSpend"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Spend"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"period"}},{"kind":"Field","name":{"kind":"Name","value":"periodStart"}},{"kind":"Field","name":{"kind":"Name","value":"spent"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}},{"kind":"Field","name":{"kind":"Name","value":"limit"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}},{"kind":"Field","name":{"kind":"Name","value":"percentUsed"}},{"kind":"Field","name":{"kind":"Name","value":"requestCount"}}]}}]} as unknown as DocumentNode<ConsoleSpendUpdatedSubscription, ConsoleSpendUpdatedSubscriptionVariables>;
export const ConsoleAlertsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ConsoleAlerts"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"tenantId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"alerts"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"50"}},{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"tenantId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"tenantId"}}}]}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ConsoleAlert"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ConsoleAlert"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Alert"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"raisedAt"}},{"kind":"Field","name":{"kind":"Name","value":"isAcknowledged"}},{"kind":"Field","name":{"kind":"Name","value":"acknowledgedAt"}},{"kind":"Field","name":{"kind":"Name","value":"scope"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"amount"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}},{"kind":"Field","name":{"kind":"Name","value":"limit"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}}]}}]} as unknown as DocumentNode<ConsoleAlertsQuery, ConsoleAlertsQueryVariables>;
export const ConsoleAlertRaisedDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"ConsoleAlertRaised"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"alertRaised"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ConsoleAlert"}},{"kind":"Field","name":{"kind":"Name","value":"scope"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"tenantId"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ConsoleAlert"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Alert"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"raisedAt"}},{"kind":"Field","name":{"kind":"Name","value":"isAcknowledged"}},{"kind":"Field","name":{"kind":"Name","value":"acknowledgedAt"}},{"kind":"Field","name":{"kind":"Name","value":"scope"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"amount"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}},{"kind":"Field","name":{"kind":"Name","value":"limit"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}}]}}]} as unknown as DocumentNode<ConsoleAlertRaisedSubscription, ConsoleAlertRaisedSubscriptionVariables>;
export const ConsoleAlertAcknowledgeDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ConsoleAlertAcknowledge"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"alertId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"alertAcknowledge"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"alertId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"alertId"}}}]}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"alert"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ConsoleAlert"}}]}},{"kind":"Field","name":{"kind":"Name","value":"userErrors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ConsoleAlert"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Alert"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"raisedAt"}},{"kind":"Field","name":{"kind":"Name","value":"isAcknowledged"}},{"kind":"Field","name":{"kind":"Name","value":"acknowledgedAt"}},{"kind":"Field","name":{"kind":"Name","value":"scope"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"amount"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}},{"kind":"Field","name":{"kind":"Name","value":"limit"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}}]}}]} as unknown as DocumentNode<ConsoleAlertAcknowledgeMutation, ConsoleAlertAcknowledgeMutationVariables>;
export const ConsoleBudgetsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ConsoleBudgets"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"tenantId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"budgets"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"100"}},{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"tenantId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"tenantId"}}}]}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ConsoleBudget"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ConsoleSpend"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Spend"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"period"}},{"kind":"Field","name":{"kind":"Name","value":"periodStart"}},{"kind":"Field","name":{"kind":"Name","value":"spent"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}},{"kind":"Field","name":{"kind":"Name","value":"limit"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}},{"kind":"Field","name":{"kind":"Name","value":"percentUsed"}},{"kind":"Field","name":{"kind":"Name","value":"requestCount"}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ConsoleBudget"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Budget"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"scope"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"id"}}]}},{"kind":"Field","name":{"kind":"Name","value":"period"}},{"kind":"Field","name":{"kind":"Name","value":"isHard"}},{"kind":"Field","name":{"kind":"Name","value":"thresholds"}},{"kind":"Field","name":{"kind":"Name","value":"limit"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}},{"kind":"Field","name":{"kind":"Name","value":"spend"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ConsoleSpend"}}]}}]}}]} as unknown as DocumentNode<ConsoleBudgetsQuery, ConsoleBudgetsQueryVariables>;
export const ConsoleBudgetSetDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ConsoleBudgetSet"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"BudgetSetInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"budgetSet"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"budget"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ConsoleBudget"}}]}},{"kind":"Field","name":{"kind":"Name","value":"userErrors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ConsoleSpend"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Spend"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"period"}},{"kind":"Field","name":{"kind":"Name","value":"periodStart"}},{"kind":"Field","name":{"kind":"Name","value":"spent"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}},{"kind":"Field","name":{"kind":"Name","value":"limit"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}},{"kind":"Field","name":{"kind":"Name","value":"percentUsed"}},{"kind":"Field","name":{"kind":"Name","value":"requestCount"}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ConsoleBudget"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Budget"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"scope"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"id"}}]}},{"kind":"Field","name":{"kind":"Name","value":"period"}},{"kind":"Field","name":{"kind":"Name","value":"isHard"}},{"kind":"Field","name":{"kind":"Name","value":"thresholds"}},{"kind":"Field","name":{"kind":"Name","value":"limit"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}},{"kind":"Field","name":{"kind":"Name","value":"spend"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ConsoleSpend"}}]}}]}}]} as unknown as DocumentNode<ConsoleBudgetSetMutation, ConsoleBudgetSetMutationVariables>;
export const ConsoleSettlementRunsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ConsoleSettlementRuns"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"settlementRuns"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"20"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ConsoleSettlementRun"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ConsoleSettlementRun"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SettlementRun"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"period"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"tenantCount"}},{"kind":"Field","name":{"kind":"Name","value":"billedCount"}},{"kind":"Field","name":{"kind":"Name","value":"skippedCount"}},{"kind":"Field","name":{"kind":"Name","value":"failedCount"}},{"kind":"Field","name":{"kind":"Name","value":"percentDone"}},{"kind":"Field","name":{"kind":"Name","value":"startedAt"}},{"kind":"Field","name":{"kind":"Name","value":"finishedAt"}},{"kind":"Field","name":{"kind":"Name","value":"failures"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"tenantId"}},{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]} as unknown as DocumentNode<ConsoleSettlementRunsQuery, ConsoleSettlementRunsQueryVariables>;
export const ConsoleSettlementProgressDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"ConsoleSettlementProgress"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"runId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"settlementProgress"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"runId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"runId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ConsoleSettlementRun"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ConsoleSettlementRun"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SettlementRun"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"period"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"tenantCount"}},{"kind":"Field","name":{"kind":"Name","value":"billedCount"}},{"kind":"Field","name":{"kind":"Name","value":"skippedCount"}},{"kind":"Field","name":{"kind":"Name","value":"failedCount"}},{"kind":"Field","name":{"kind":"Name","value":"percentDone"}},{"kind":"Field","name":{"kind":"Name","value":"startedAt"}},{"kind":"Field","name":{"kind":"Name","value":"finishedAt"}},{"kind":"Field","name":{"kind":"Name","value":"failures"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"tenantId"}},{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]} as unknown as DocumentNode<ConsoleSettlementProgressSubscription, ConsoleSettlementProgressSubscriptionVariables>;
export const ConsoleSettleDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ConsoleSettle"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"BillingPeriodSettleInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"billingPeriodSettle"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"settlementRun"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ConsoleSettlementRun"}}]}},{"kind":"Field","name":{"kind":"Name","value":"userErrors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ConsoleSettlementRun"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SettlementRun"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"period"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"tenantCount"}},{"kind":"Field","name":{"kind":"Name","value":"billedCount"}},{"kind":"Field","name":{"kind":"Name","value":"skippedCount"}},{"kind":"Field","name":{"kind":"Name","value":"failedCount"}},{"kind":"Field","name":{"kind":"Name","value":"percentDone"}},{"kind":"Field","name":{"kind":"Name","value":"startedAt"}},{"kind":"Field","name":{"kind":"Name","value":"finishedAt"}},{"kind":"Field","name":{"kind":"Name","value":"failures"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"tenantId"}},{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]} as unknown as DocumentNode<ConsoleSettleMutation, ConsoleSettleMutationVariables>;
export const ConsoleBillsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ConsoleBills"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"tenantId"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"bills"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"50"}},{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"tenantId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"tenantId"}}}]}},{"kind":"Argument","name":{"kind":"Name","value":"orderBy"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"field"},"value":{"kind":"EnumValue","value":"PERIOD"}},{"kind":"ObjectField","name":{"kind":"Name","value":"direction"},"value":{"kind":"EnumValue","value":"DESC"}}]}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"number"}},{"kind":"Field","name":{"kind":"Name","value":"period"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"dueOn"}},{"kind":"Field","name":{"kind":"Name","value":"tenant"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"total"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"gross"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"amountDue"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}},{"kind":"Field","name":{"kind":"Name","value":"exportUrls"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"pdf"}},{"kind":"Field","name":{"kind":"Name","value":"xlsx"}},{"kind":"Field","name":{"kind":"Name","value":"csv"}},{"kind":"Field","name":{"kind":"Name","value":"json"}}]}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"vatInvoices"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"50"}},{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"tenantId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"tenantId"}}}]}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"number"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"issuedOn"}},{"kind":"Field","name":{"kind":"Name","value":"isRedLetter"}},{"kind":"Field","name":{"kind":"Name","value":"bill"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"number"}}]}},{"kind":"Field","name":{"kind":"Name","value":"total"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"gross"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"exportUrls"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"pdf"}},{"kind":"Field","name":{"kind":"Name","value":"xml"}},{"kind":"Field","name":{"kind":"Name","value":"json"}}]}}]}}]}}]}}]} as unknown as DocumentNode<ConsoleBillsQuery, ConsoleBillsQueryVariables>;