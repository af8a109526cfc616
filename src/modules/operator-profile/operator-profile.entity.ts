import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';

/** The operator as the seller on every VAT invoice: one row per deployment (id 1). */
@Entity({ tableName: 'operator_profile' })
export class OperatorProfile {
  static readonly ID = 1;

  @PrimaryKey({ type: 'integer', autoincrement: false })
  id!: number;

  @Property({ type: 'text' })
  legalName!: string;

  @Property({ type: 'text' })
  taxpayerId!: string;

  @Property({ type: 'text' })
  address!: string;

  @Property({ type: 'text' })
  phone!: string;

  @Property({ type: 'text' })
  bankName!: string;

  @Property({ type: 'text' })
  bankAccount!: string;

  @Property({ type: 'timestamptz' })
  updatedAt!: Date;
}
