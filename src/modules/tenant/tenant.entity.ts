import { Embeddable, Embedded, Entity, Enum, Index, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Timestamped } from '../../platform/database/timestamps.js';
import { newId } from '../../platform/ids.js';
import { CurrencyCode } from '../../platform/money.js';
import { TenantOwned } from '../../platform/database/tenant-scope.js';

export enum TenantStatus {
  ACTIVE = 'ACTIVE',
  SUSPENDED = 'SUSPENDED',
  CLOSED = 'CLOSED',
}

export enum FailedRequestPolicy {
  NOT_CHARGED = 'NOT_CHARGED',
  CHARGED = 'CHARGED',
}

/** The buyer block printed on the tenant's VAT invoices. */
@Embeddable()
export class BuyerTaxProfile {
  @Property({ type: 'text', nullable: true })
  legalName?: string | null;

  @Property({ type: 'text', nullable: true })
  taxpayerId?: string | null;

  @Property({ type: 'text', nullable: true })
  address?: string | null;

  @Property({ type: 'text', nullable: true })
  phone?: string | null;

  @Property({ type: 'text', nullable: true })
  bankName?: string | null;

  @Property({ type: 'text', nullable: true })
  bankAccount?: string | null;
}

export const TENANT_EXTERNAL_ID_CONSTRAINT = 'tenant_external_id_unique';

@Entity({ tableName: 'tenant' })
@Index({ name: 'tenant_created_at_index', properties: ['createdAt', 'id'] })
@Index({ name: 'tenant_updated_at_index', properties: ['updatedAt', 'id'] })
@Index({
  name: TENANT_EXTERNAL_ID_CONSTRAINT,
  expression: `create unique index "${TENANT_EXTERNAL_ID_CONSTRAINT}" on "tenant" ("external_id") where "external_id" is not null`,
})
@TenantOwned('id')
export class Tenant extends Timestamped<'status' | 'timezone' | 'billingCurrency' | 'failedRequestPolicy' | 'buyerTaxProfile'> {
  @PrimaryKey({ type: 'text' })
  id: string = newId('Tenant');

  @Property({ type: 'text' })
  name!: string;

  @Enum({ items: () => TenantStatus, nativeEnumName: 'tenant_status' })
  status: TenantStatus = TenantStatus.ACTIVE;

  @Property({ type: 'text' })
  timezone: string = 'Asia/Shanghai';

  @Enum({ items: () => CurrencyCode, nativeEnumName: 'currency_code' })
  billingCurrency: CurrencyCode = CurrencyCode.CNY;

  @Enum({ items: () => FailedRequestPolicy, nativeEnumName: 'failed_request_policy' })
  failedRequestPolicy: FailedRequestPolicy = FailedRequestPolicy.NOT_CHARGED;

  @Embedded({ entity: () => BuyerTaxProfile, prefix: 'buyer_' })
  buyerTaxProfile: BuyerTaxProfile = new BuyerTaxProfile();

  @Property({ type: 'timestamptz', nullable: true })
  suspendedAt?: Date | null;

  /** The tenant's customer code in the operator's ERP (Kingdee, Yonyou ...): unique, in every export. */
  @Property({ type: 'text', nullable: true })
  externalId?: string | null;

  /** Below this balance a BALANCE_LOW alert is raised; null for none. */
  @Property({ type: 'decimal', precision: 24, scale: 10, nullable: true })
  balanceLowLevel?: string | null;
}
