import { Authorized, Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { SPEND_READERS } from '../../platform/auth/roles.js';
import { CurrencyCode } from '../../platform/money.js';
import { Money } from '../../platform/graphql/money.types.js';
import { payloadType } from '../../platform/graphql/payload.js';
import { DecimalScalar } from '../../platform/graphql/scalars.js';
import { connectionType, Node, OrderDirection } from '../../platform/graphql/relay.js';
import { FailedRequestPolicy, TenantStatus, type BuyerTaxProfile, type Tenant } from './tenant.entity.js';

registerEnumType(TenantStatus, {
  name: 'TenantStatus',
  description: 'Lifecycle of a tenant. A SUSPENDED tenant keeps its data but its keys are refused.',
  valuesConfig: {
    ACTIVE: { description: 'Normal operation.' },
    SUSPENDED: { description: 'Temporarily stopped by the operator; can be reactivated.' },
    CLOSED: { description: 'Contract ended; read-only.' },
  },
});

registerEnumType(FailedRequestPolicy, {
  name: 'FailedRequestPolicy',
  description: 'Whether gateway requests that failed are charged.',
  valuesConfig: {
    NOT_CHARGED: { description: 'Failed requests cost nothing (default).' },
    CHARGED: { description: 'Failed requests are charged for the tokens they consumed.' },
  },
});

@ObjectType('BuyerTaxProfile', { description: "The buyer block of the tenant's VAT invoices (fapiao)." })
export class BuyerTaxProfileNode {
  @Field(() => String, { nullable: true, description: 'Registered legal name (购买方名称).' })
  legalName!: string | null;

  @Field(() => String, { nullable: true, description: 'Unified social credit code, 18 characters (纳税人识别号).' })
  taxpayerId!: string | null;

  @Field(() => String, { nullable: true, description: 'Registered address.' })
  address!: string | null;

  @Field(() => String, { nullable: true, description: 'Registered phone number.' })
  phone!: string | null;

  @Field(() => String, { nullable: true, description: 'Bank of the account (开户行).' })
  bankName!: string | null;

  @Field(() => String, { nullable: true, description: 'Bank account number.' })
  bankAccount!: string | null;
}

@ObjectType('Tenant', {
  implements: Node,
  description:
    'A customer company of the operator. ERP reads its billing identity (name, status, currency, time zone, buyer tax profile), contract and balance, not its directory, spend or alerts.',
})
export class TenantNode extends Node {
  @Field({ description: 'Legal or trading name.' })
  name!: string;

  @Field(() => String, { nullable: true, description: "The tenant's customer code in the operator's ERP, in every export; null until set." })
  externalId!: string | null;

  @Field(() => TenantStatus, { description: 'Lifecycle status.' })
  status!: TenantStatus;

  @Field({ description: 'IANA time zone; billing periods are calendar months in it.' })
  timezone!: string;

  @Field(() => CurrencyCode, { description: "Currency of the tenant's prices, spend and bills." })
  billingCurrency!: CurrencyCode;

  @Field(() => FailedRequestPolicy, { description: 'Whether failed gateway requests are charged.' })
  failedRequestPolicy!: FailedRequestPolicy;

  @Field(() => BuyerTaxProfileNode, { description: 'Buyer details printed on VAT invoices.' })
  buyerTaxProfile!: BuyerTaxProfileNode;

  @Field(() => Date, { nullable: true, description: 'When the tenant was last suspended, while it is.' })
  suspendedAt!: Date | null;

  @Authorized(SPEND_READERS)
  @Field(() => Money, {
    nullable: true,
    description: 'Below this prepaid balance a BALANCE_LOW alert is raised; null for none. Not for ERP (an alert setting).',
  })
  balanceLowLevel!: Money | null;

  @Field({ description: 'When the tenant was created.' })
  createdAt!: Date;

  @Field({ description: 'When the tenant last changed.' })
  updatedAt!: Date;
}

function toBuyerTaxProfileNode(profile: BuyerTaxProfile): BuyerTaxProfileNode {
  return Object.assign(new BuyerTaxProfileNode(), {
    legalName: profile.legalName ?? null,
    taxpayerId: profile.taxpayerId ?? null,
    address: profile.address ?? null,
    phone: profile.phone ?? null,
    bankName: profile.bankName ?? null,
    bankAccount: profile.bankAccount ?? null,
  });
}

export function toTenantNode(tenant: Tenant): TenantNode {
  return Object.assign(new TenantNode(), {
    id: tenant.id,
    name: tenant.name,
    externalId: tenant.externalId ?? null,
    status: tenant.status,
    timezone: tenant.timezone,
    billingCurrency: tenant.billingCurrency,
    failedRequestPolicy: tenant.failedRequestPolicy,
    buyerTaxProfile: toBuyerTaxProfileNode(tenant.buyerTaxProfile),
    suspendedAt: tenant.status === TenantStatus.SUSPENDED ? (tenant.suspendedAt ?? null) : null,
    balanceLowLevel: tenant.balanceLowLevel ? Money.of(tenant.balanceLowLevel, tenant.billingCurrency) : null,
    createdAt: tenant.createdAt,
    updatedAt: tenant.updatedAt,
  });
}

export const TenantConnection = connectionType(TenantNode, 'Tenant');
export const TenantPayload = payloadType('TenantPayload', 'tenant', TenantNode, 'Result of a mutation on a tenant.');

export enum TenantOrderField {
  NAME = 'name',
  CREATED_AT = 'createdAt',
  UPDATED_AT = 'updatedAt',
}
registerEnumType(TenantOrderField, {
  name: 'TenantOrderField',
  description: 'What to sort tenants by.',
  valuesConfig: {
    NAME: { description: "The tenant's name." },
    CREATED_AT: { description: 'When the tenant was created (the order used when none is given).' },
    UPDATED_AT: { description: 'When the tenant last changed.' },
  },
});

@InputType('TenantOrder', { description: 'Sort order of `tenants`.' })
export class TenantOrderInput {
  @Field(() => TenantOrderField, { description: 'Sort key; ties are broken by id.' })
  field!: TenantOrderField;

  @Field(() => OrderDirection, { defaultValue: OrderDirection.ASC, description: 'Direction.' })
  direction!: OrderDirection;
}

@InputType('TenantFilter', { description: 'Narrows `tenants`.' })
export class TenantFilterInput {
  @Field(() => [TenantStatus], { nullable: true, description: 'Only tenants in one of these statuses.' })
  status?: TenantStatus[] | null;

  @Field(() => String, { nullable: true, description: 'Only tenants whose name contains this text (case-insensitive).' })
  nameContains?: string | null;

  @Field(() => String, { nullable: true, description: "Only the tenant with this ERP customer code (an ERP's lookup of its own customer)." })
  externalId?: string | null;

  @Field(() => Date, { nullable: true, description: 'Only tenants changed at or after this instant (ERP sync).' })
  updatedSince?: Date | null;
}

@InputType('BuyerTaxProfileInput', { description: 'Buyer details for VAT invoices. Omitted fields are unchanged; null clears.' })
export class BuyerTaxProfileInput {
  @Field(() => String, { nullable: true, description: 'Registered legal name, at most 100 characters.' })
  legalName?: string | null;

  @Field(() => String, { nullable: true, description: 'Unified social credit code: 18 characters with a valid check character (GB 32100-2015).' })
  taxpayerId?: string | null;

  @Field(() => String, { nullable: true, description: 'Registered address, at most 200 characters.' })
  address?: string | null;

  @Field(() => String, { nullable: true, description: 'Registered phone, at most 40 characters.' })
  phone?: string | null;

  @Field(() => String, { nullable: true, description: 'Bank name, at most 100 characters.' })
  bankName?: string | null;

  @Field(() => String, { nullable: true, description: 'Bank account number, at most 40 characters.' })
  bankAccount?: string | null;
}

@InputType('TenantCreateInput', { description: 'A new tenant.' })
export class TenantCreateInput {
  @Field({ description: 'Legal or trading name, 1 to 200 characters.' })
  name!: string;

  @Field(() => String, {
    nullable: true,
    description: "The tenant's customer code in the operator's ERP: at most 64 letters, digits and . _ : / -, unique among tenants (TAKEN otherwise).",
  })
  externalId?: string | null;

  @Field(() => String, { nullable: true, description: 'IANA time zone; default Asia/Shanghai.' })
  timezone?: string | null;

  @Field(() => CurrencyCode, { nullable: true, description: 'Billing currency; default CNY.' })
  billingCurrency?: CurrencyCode | null;

  @Field(() => FailedRequestPolicy, { nullable: true, description: 'Default NOT_CHARGED.' })
  failedRequestPolicy?: FailedRequestPolicy | null;

  @Field(() => BuyerTaxProfileInput, { nullable: true, description: 'Buyer details for VAT invoices.' })
  buyerTaxProfile?: BuyerTaxProfileInput | null;
}

@InputType('TenantUpdateInput', {
  description: 'Changes to a tenant. Omitted fields are unchanged. Tenant admins may change name and buyerTaxProfile only.',
})
export class TenantUpdateInput {
  @Field(() => ID, { description: 'The tenant to change.' })
  tenantId!: string;

  @Field(() => String, { nullable: true, description: 'Legal or trading name, 1 to 200 characters.' })
  name?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'The ERP customer code, as in TenantCreateInput; null clears it (platform admins only).',
  })
  externalId?: string | null;

  @Field(() => String, { nullable: true, description: 'IANA time zone (platform admins only).' })
  timezone?: string | null;

  @Field(() => CurrencyCode, { nullable: true, description: 'Billing currency (platform admins only).' })
  billingCurrency?: CurrencyCode | null;

  @Field(() => FailedRequestPolicy, { nullable: true, description: 'Failed-request policy (platform admins only).' })
  failedRequestPolicy?: FailedRequestPolicy | null;

  @Field(() => BuyerTaxProfileInput, { nullable: true, description: 'Buyer details; omitted fields inside are unchanged.' })
  buyerTaxProfile?: BuyerTaxProfileInput | null;

  @Field(() => DecimalScalar, { nullable: true, description: 'The BALANCE_LOW alert level; "0" turns the alert off (platform admins only).' })
  balanceLowLevel?: string | null;
}

@InputType('TenantSuspendInput', { description: 'Suspend a tenant: its API keys are refused until it is reactivated.' })
export class TenantSuspendInput {
  @Field(() => ID, { description: 'The tenant to suspend.' })
  tenantId!: string;

  @Field({ description: 'Why, for the audit trail; 1 to 500 characters.' })
  reason!: string;
}

@InputType('TenantReactivateInput', { description: 'Reactivate a suspended tenant.' })
export class TenantReactivateInput {
  @Field(() => ID, { description: 'The tenant to reactivate.' })
  tenantId!: string;
}
