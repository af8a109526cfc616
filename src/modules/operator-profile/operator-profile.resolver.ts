import { Arg, Authorized, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../../context.js';
import { MONEY_DOCUMENT_READERS, Role } from '../../platform/auth/roles.js';
import { TaxPartyInput } from '../../platform/graphql/tax-party.types.js';
import { collectUserErrors } from '../../platform/user-errors.js';
import { findOperatorProfile, setOperatorProfile } from './operator-profile.service.js';
import { OperatorProfileNode, OperatorProfilePayload, toOperatorProfileNode } from './operator-profile.types.js';

@Resolver(() => OperatorProfileNode)
export class OperatorProfileResolver {
  @Authorized(MONEY_DOCUMENT_READERS)
  @Query(() => OperatorProfileNode, {
    nullable: true,
    description: 'The seller printed on VAT invoices (operator, ERP, tenant users; not the gateway); null until the operator sets it.',
  })
  async operatorProfile(@Ctx() context: RequestContext): Promise<OperatorProfileNode | null> {
    const profile = await findOperatorProfile(context);
    return profile ? toOperatorProfileNode(profile) : null;
  }

  @Authorized([Role.PLATFORM_ADMIN])
  @Mutation(() => OperatorProfilePayload, {
    description:
      'Set the seller on VAT invoices (operator only): every field is required, the taxpayer id must be a valid unified social credit code. Invoices already issued keep their seller.',
  })
  async operatorProfileSet(
    @Ctx() context: RequestContext,
    @Arg('input', () => TaxPartyInput, { description: 'The seller as printed on every invoice and statement.' }) input: TaxPartyInput,
  ) {
    const { result, userErrors } = await collectUserErrors(() => setOperatorProfile(context, input));
    return { operatorProfile: result ? toOperatorProfileNode(result) : null, userErrors };
  }
}
