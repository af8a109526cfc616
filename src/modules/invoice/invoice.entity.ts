import { BigIntType, OptionalProps } from '@mikro-orm/core';
import { Entity, Enum, Index, PrimaryKey, Property, Unique } from '@mikro-orm/decorators/legacy';
import { newId } from '../../platform/ids.js';
import { CurrencyCode, TaxMode } from '../../platform/money.js';
import type { TaxParty } from '../../platform/tax/tax-party.js';
import { InvoiceType } from '../contract/contract.entity.js';
import { TenantOwned } from '../../platform/database/tenant-scope.js';

export enum VatInvoiceStatus {
  ISSUED = 'ISSUED',
  REVERSED = 'REVERSED',
}

/** What an invoice line is for: one per group of bill lines, printed under its fapiao item name. */
export enum VatInvoiceItem {
  AI_API_ECONOMY = 'AI_API_ECONOMY',
  AI_API_STANDARD = 'AI_API_STANDARD',
  AI_API_PREMIUM = 'AI_API_PREMIUM',
  COMMITMENT_TRUE_UP = 'COMMITMENT_TRUE_UP',
}

const money = () => ({ type: 'decimal', precision: 20, scale: 2 }) as const;

/**
 * A VAT invoice (fapiao) against a bill. Never edited once issued: a red-letter invoice with
 * negated lines reverses it. Seller and buyer are snapshots taken at issuance. `amount` is in the
 * bill's priced terms (net under tax-exclusive terms, gross under tax-inclusive ones), negative on
 * a red-letter invoice, so a bill's invoiced amount is the sum of its invoices' amounts.
 */
@Entity({ tableName: 'vat_invoice' })
@Unique({ name: 'vat_invoice_number_unique', properties: ['tenantId', 'number'] })
@Unique({ name: 'vat_invoice_idempotency_unique', properties: ['tenantId', 'idempotencyKey'] })
@Index({ name: 'vat_invoice_bill_index', properties: ['billId', 'issuedAt'] })
@Index({ name: 'vat_invoice_tenant_issued_index', properties: ['tenantId', 'issuedAt'] })
@Index({ name: 'vat_invoice_updated_index', properties: ['updatedAt', 'syncVersion'] })
@Index({ name: 'vat_invoice_sync_index', properties: ['syncVersion', 'id'] })
@Index({
  name: 'vat_invoice_reversal_unique',
  expression: `create unique index "vat_invoice_reversal_unique" on "vat_invoice" ("tenant_id", "reversal_of_id") where "reversal_of_id" is not null`,
})
@TenantOwned('tenantId')
export class VatInvoice {
  [OptionalProps]?: 'reversalOfId' | 'reversedById' | 'reversalReason' | 'createdByTokenId';

  @PrimaryKey({ type: 'text' })
  id: string = newId('VatInvoice');

  @PrimaryKey({ type: 'text' })
  tenantId!: string;

  @Property({ type: 'text' })
  billId!: string;

  /** 20 digits: the year of issue and a gap-free sequence within it. */
  @Property({ type: 'text' })
  number!: string;

  @Enum({ items: () => InvoiceType, nativeEnumName: 'invoice_type' })
  type!: InvoiceType;

  @Enum({ items: () => VatInvoiceStatus, nativeEnumName: 'vat_invoice_status' })
  status!: VatInvoiceStatus;

  @Property({ type: 'boolean' })
  isRedLetter!: boolean;

  /** On a red-letter invoice: the invoice it reverses. */
  @Property({ type: 'text', nullable: true })
  reversalOfId?: string | null;

  /** On a reversed invoice: the red-letter invoice that reversed it. */
  @Property({ type: 'text', nullable: true })
  reversedById?: string | null;

  @Property({ type: 'text', nullable: true })
  reversalReason?: string | null;

  @Enum({ items: () => CurrencyCode, nativeEnumName: 'currency_code' })
  currency!: CurrencyCode;

  @Enum({ items: () => TaxMode, nativeEnumName: 'tax_mode' })
  taxMode!: TaxMode;

  @Property({ type: 'decimal', precision: 5, scale: 4 })
  taxRate!: string;

  @Property(money())
  amount!: string;

  @Property(money())
  netTotal!: string;

  @Property(money())
  taxTotal!: string;

  @Property(money())
  grossTotal!: string;

  @Property({ type: 'jsonb' })
  seller!: TaxParty;

  @Property({ type: 'jsonb' })
  buyer!: TaxParty;

  @Property({ type: 'timestamptz' })
  issuedAt!: Date;

  /** The date of issue in China, as printed. */
  @Property({ type: 'date' })
  issuedOn!: string;

  @Property({ type: 'text' })
  idempotencyKey!: string;

  @Property({ type: 'text' })
  inputFingerprint!: string;

  @Property({ type: 'text', nullable: true })
  createdByTokenId?: string | null;

  /** From the billing change counter shared with bills (one version per transaction): ERP pulls page by it. */
  @Property({ type: new BigIntType('number') })
  syncVersion!: number;

  @Property({ type: 'timestamptz' })
  createdAt!: Date;

  @Property({ type: 'timestamptz' })
  updatedAt!: Date;
}

/** A line of an invoice: net, rate, tax and gross rounded per line (DESIGN 3). */
@Entity({ tableName: 'vat_invoice_line' })
@TenantOwned('tenantId')
export class VatInvoiceLine {
  @PrimaryKey({ type: 'text' })
  invoiceId!: string;

  @PrimaryKey({ type: 'integer' })
  lineNumber!: number;

  /** The invoice's tenant: a tenant table keys on it (README, Scaling out). */
  @PrimaryKey({ type: 'text' })
  tenantId!: string;

  @Enum({ items: () => VatInvoiceItem, nativeEnumName: 'vat_invoice_item' })
  item!: VatInvoiceItem;

  @Property({ type: 'text' })
  itemName!: string;

  /** In the bill's priced terms, as the invoice's `amount`. */
  @Property(money())
  amount!: string;

  @Property(money())
  net!: string;

  @Property({ type: 'decimal', precision: 5, scale: 4 })
  taxRate!: string;

  @Property(money())
  tax!: string;

  @Property(money())
  gross!: string;
}

/** The last invoice number of each year: taken and bumped under its row lock, so a rollback leaves no gap. */
@Entity({ tableName: 'vat_invoice_number_counter' })
export class VatInvoiceNumberCounter {
  @PrimaryKey({ type: 'integer', autoincrement: false })
  year!: number;

  @Property({ type: new BigIntType('number') })
  lastNumber!: number;
}
