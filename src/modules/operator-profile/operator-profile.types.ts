import { Field, ObjectType } from 'type-graphql';
import { payloadType } from '../../platform/graphql/payload.js';
import { TaxPartyNode } from '../../platform/graphql/tax-party.types.js';
import type { OperatorProfile } from './operator-profile.entity.js';
import { sellerOf } from './operator-profile.service.js';

@ObjectType('OperatorProfile', { description: 'The operator as the seller on VAT invoices. Issued invoices keep the seller they were issued with.' })
export class OperatorProfileNode {
  @Field(() => TaxPartyNode, { description: 'The seller block printed on invoices.' })
  seller!: TaxPartyNode;

  @Field(() => Date, { description: 'When it last changed.' })
  updatedAt!: Date;
}

export function toOperatorProfileNode(profile: OperatorProfile): OperatorProfileNode {
  return Object.assign(new OperatorProfileNode(), { seller: Object.assign(new TaxPartyNode(), sellerOf(profile)), updatedAt: profile.updatedAt });
}

export const OperatorProfilePayload = payloadType('OperatorProfileSetPayload', 'operatorProfile', OperatorProfileNode, 'Result of operatorProfileSet.');
