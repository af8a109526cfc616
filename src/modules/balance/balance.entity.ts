import { OptionalProps } from '@mikro-orm/core';
import { Entity, Enum, Index, PrimaryKey, Property, Unique } from '@mikro-orm/decorators/legacy';
import { newId } from '../../platform/ids.js';
import { CurrencyCode } from '../../platform/money.js';
import { TenantOwned } from '../../platform/database/tenant-scope.js';

export enum BalanceEntryType {
  TOP_UP = 'TOP_UP',
  REDEMPTION = 'REDEMPTION',
  USAGE = 'USAGE',
  ADJUSTMENT = 'ADJUSTMENT',
  REFUND = 'REFUND',
}

export enum PaymentMethod {
  BANK_TRANSFER = 'BANK_TRANSFER',
  ALIPAY = 'ALIPAY',
  WECHAT_PAY = 'WECHAT_PAY',
  CARD = 'CARD',
}

/**
 * A prepaid tenant's running balance: always the sum of its ledger entries, because the two only
 * change together, in one transaction, with this row locked.
 */
@Entity({ tableName: 'balance_account' })
@TenantOwned('tenantId')
export class BalanceAccount {
  @PrimaryKey({ type: 'text' })
  tenantId!: string;

  @Property({ type: 'decimal', precision: 30, scale: 16 })
  balance!: string;

  @Property({ type: 'timestamptz' })
  updatedAt!: Date;
}

/** Append-only: money into or out of a prepaid balance. Entries are never changed or deleted. */
@Entity({ tableName: 'balance_entry' })
@Unique({ name: 'balance_entry_idempotency_unique', properties: ['tenantId', 'idempotencyKey'] })
@Index({ properties: ['tenantId', 'createdAt', 'id'] })
@TenantOwned('tenantId')
export class BalanceEntry {
  [OptionalProps]?: 'idempotencyKey' | 'inputFingerprint' | 'paymentMethod' | 'reference' | 'reason' | 'createdByTokenId';

  @PrimaryKey({ type: 'text' })
  id: string = newId('BalanceEntry');

  @PrimaryKey({ type: 'text' })
  tenantId!: string;

  @Enum({ items: () => BalanceEntryType, nativeEnumName: 'balance_entry_type' })
  type!: BalanceEntryType;

  /** Signed: credits positive, debits negative. */
  @Property({ type: 'decimal', precision: 30, scale: 16 })
  amount!: string;

  @Enum({ items: () => CurrencyCode, nativeEnumName: 'currency_code' })
  currency!: CurrencyCode;

  @Property({ type: 'decimal', precision: 30, scale: 16 })
  balanceAfter!: string;

  @Property({ type: 'text', nullable: true })
  idempotencyKey?: string | null;

  /** What the idempotent request asked for, so a reused key with other input is refused. */
  @Property({ type: 'text', nullable: true })
  inputFingerprint?: string | null;

  @Enum({ items: () => PaymentMethod, nativeEnumName: 'payment_method', nullable: true })
  paymentMethod?: PaymentMethod | null;

  @Property({ type: 'text', nullable: true })
  reference?: string | null;

  @Property({ type: 'text', nullable: true })
  reason?: string | null;

  @Property({ type: 'text', nullable: true })
  createdByTokenId?: string | null;

  @Property({ type: 'timestamptz' })
  createdAt!: Date;
}

/** A prepaid voucher: the code is shown once and stored as a hash; single use. */
@Entity({ tableName: 'redemption_code' })
export class RedemptionCode {
  [OptionalProps]?: 'redeemedAt' | 'redeemedByTenantId';

  @PrimaryKey({ type: 'text' })
  id: string = newId('RedemptionCode');

  @Property({ type: 'text', unique: true })
  codeHash!: string;

  @Property({ type: 'text' })
  codePrefix!: string;

  @Property({ type: 'decimal', precision: 24, scale: 10 })
  amount!: string;

  @Enum({ items: () => CurrencyCode, nativeEnumName: 'currency_code' })
  currency!: CurrencyCode;

  @Property({ type: 'timestamptz' })
  expiresAt!: Date;

  @Property({ type: 'timestamptz' })
  createdAt!: Date;

  @Property({ type: 'text', nullable: true })
  createdByTokenId?: string | null;

  @Property({ type: 'timestamptz', nullable: true })
  redeemedAt?: Date | null;

  @Property({ type: 'text', nullable: true })
  redeemedByTenantId?: string | null;
}
