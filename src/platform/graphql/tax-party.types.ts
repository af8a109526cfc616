import { Field, InputType, ObjectType } from 'type-graphql';
import type { TaxParty } from '../tax/tax-party.js';

@ObjectType('TaxParty', { description: 'A seller or buyer as printed on a VAT invoice (fapiao).' })
export class TaxPartyNode {
  @Field({ description: 'Registered legal name (名称).' })
  legalName!: string;

  @Field(() => String, { nullable: true, description: 'Unified social credit code, 18 characters (统一社会信用代码/纳税人识别号).' })
  taxpayerId!: string | null;

  @Field(() => String, { nullable: true, description: 'Registered address (地址).' })
  address!: string | null;

  @Field(() => String, { nullable: true, description: 'Registered phone (电话).' })
  phone!: string | null;

  @Field(() => String, { nullable: true, description: 'Bank of the account (开户银行).' })
  bankName!: string | null;

  @Field(() => String, { nullable: true, description: 'Bank account number (账号).' })
  bankAccount!: string | null;
}

export function toTaxPartyNode(party: TaxParty): TaxPartyNode {
  return Object.assign(new TaxPartyNode(), party);
}

@InputType('TaxPartyInput', {
  description:
    'A seller or buyer for VAT invoices. Text in the GBK character set; legalName, address with phone, and bankName with bankAccount each at most 100 GBK bytes (a Chinese character counts 2), as invoicing software enforces.',
})
export class TaxPartyInput {
  @Field(() => String, { nullable: true, description: 'Registered legal name; required.' })
  legalName?: string | null;

  @Field(() => String, { nullable: true, description: 'Unified social credit code: 18 characters with a valid check character (GB 32100-2015).' })
  taxpayerId?: string | null;

  @Field(() => String, { nullable: true, description: 'Registered address.' })
  address?: string | null;

  @Field(() => String, { nullable: true, description: 'Registered phone.' })
  phone?: string | null;

  @Field(() => String, { nullable: true, description: 'Bank of the account.' })
  bankName?: string | null;

  @Field(() => String, { nullable: true, description: 'Bank account number.' })
  bankAccount?: string | null;
}
