export enum Role {
  PLATFORM_ADMIN = 'PLATFORM_ADMIN',
  TENANT_ADMIN = 'TENANT_ADMIN',
  TENANT_FINANCE = 'TENANT_FINANCE',
  TENANT_VIEWER = 'TENANT_VIEWER',
  GATEWAY = 'GATEWAY',
  ERP = 'ERP',
}

/** Roles that always belong to exactly one tenant. */
export const TENANT_ROLES: readonly Role[] = [Role.TENANT_ADMIN, Role.TENANT_FINANCE, Role.TENANT_VIEWER];
/** Roles that never belong to a tenant. ERP may be either: the operator's ERP or one tenant's. */
export const PLATFORM_ROLES: readonly Role[] = [Role.PLATFORM_ADMIN, Role.GATEWAY];

// Who reads and changes what (README "Roles" is this table for portal and ERP teams). Each list
// guards one kind of data; tenant roles and a tenant's ERP are limited to their own tenant
// elsewhere: by the tenant filter on their EntityManager (database/tenant-scope.ts), by tenantScope
// for arguments that name a tenant, and by canSeeTenant for events.

/** A tenant's billing identity: the Tenant object (name, status, currency, time zone, buyer tax profile). */
export const TENANT_READERS: readonly Role[] = [Role.PLATFORM_ADMIN, ...TENANT_ROLES, Role.ERP];
/** A tenant's directory: departments and API keys. */
export const DIRECTORY_READERS: readonly Role[] = [Role.PLATFORM_ADMIN, ...TENANT_ROLES];
export const DIRECTORY_WRITERS: readonly Role[] = [Role.PLATFORM_ADMIN, Role.TENANT_ADMIN];
/** A tenant's name and buyer tax profile; every other tenant field is the operator's. */
export const TENANT_PROFILE_WRITERS: readonly Role[] = [Role.PLATFORM_ADMIN, Role.TENANT_ADMIN];
/** The spend dashboards: spend, usage summaries (aggregates), budgets, alerts. */
export const SPEND_READERS: readonly Role[] = [Role.PLATFORM_ADMIN, ...TENANT_ROLES];
/** Budgets and alert acknowledgement. */
export const SPEND_CONTROLLERS: readonly Role[] = [Role.PLATFORM_ADMIN, Role.TENANT_ADMIN, Role.TENANT_FINANCE];
/** Rate limits (requests and tokens per minute on a scope) and the tenant's ceiling on them. */
export const RATE_LIMIT_READERS: readonly Role[] = [Role.PLATFORM_ADMIN, ...TENANT_ROLES];
export const RATE_LIMIT_WRITERS: readonly Role[] = [Role.PLATFORM_ADMIN, Role.TENANT_ADMIN];
/** The ceiling is what the operator sells: the most a tenant's own limits may allow. */
export const RATE_LIMIT_CEILING_WRITERS: readonly Role[] = [Role.PLATFORM_ADMIN];
/** Per-request usage records: they carry the tenant's end-user tags. */
export const USAGE_RECORD_READERS: readonly Role[] = [Role.PLATFORM_ADMIN, Role.TENANT_ADMIN, Role.TENANT_FINANCE];
/**
 * Money documents: bills with their lines and payments, VAT invoices, contracts, the prepaid
 * balance amount, the seller (operator profile), and the bill and invoice exports.
 */
export const MONEY_DOCUMENT_READERS: readonly Role[] = [Role.PLATFORM_ADMIN, ...TENANT_ROLES, Role.ERP];
/** The prepaid balance ledger, entry by entry. */
export const BALANCE_LEDGER_READERS: readonly Role[] = [Role.PLATFORM_ADMIN, Role.TENANT_ADMIN, Role.TENANT_FINANCE, Role.ERP];
/** Redeeming a voucher into the tenant's prepaid balance. */
export const VOUCHER_REDEEMERS: readonly Role[] = [Role.PLATFORM_ADMIN, Role.TENANT_ADMIN];
/** Issuing and reversing VAT invoices: the tenant's finance staff, or the operator. */
export const INVOICE_ISSUERS: readonly Role[] = [Role.PLATFORM_ADMIN, Role.TENANT_FINANCE];
/** The price book; the gateway reads it to estimate a call's cost for usageAuthorize. */
export const PRICE_BOOK_READERS: readonly Role[] = [Role.PLATFORM_ADMIN, ...TENANT_ROLES, Role.GATEWAY];
/** Access tokens of this API: listing, creating, revoking. */
export const ACCESS_TOKEN_ADMINS: readonly Role[] = [Role.PLATFORM_ADMIN, Role.TENANT_ADMIN];
/** The audit trail. */
export const AUDIT_READERS: readonly Role[] = [Role.PLATFORM_ADMIN, Role.TENANT_ADMIN];
/** Webhook endpoints: adding, changing, rotating secrets, redelivering. Operator endpoints are the operator's alone. */
export const WEBHOOK_MANAGERS: readonly Role[] = [Role.PLATFORM_ADMIN, Role.TENANT_ADMIN];
/** Webhook endpoints and their delivery log. */
export const WEBHOOK_READERS: readonly Role[] = [Role.PLATFORM_ADMIN, Role.TENANT_ADMIN, Role.TENANT_FINANCE];
/** The pre-call check, which may reserve spend: the gateway only. */
export const USAGE_AUTHORIZERS: readonly Role[] = [Role.GATEWAY];
/** Recording usage batches (the operator may replay one). */
export const USAGE_RECORDERS: readonly Role[] = [Role.GATEWAY, Role.PLATFORM_ADMIN];
