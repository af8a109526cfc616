import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../context.js';
import { BALANCE_LEDGER_READERS, MONEY_DOCUMENT_READERS, Role, VOUCHER_REDEEMERS } from '../../platform/auth/roles.js';
import { Money } from '../../platform/graphql/money.types.js';
import { PageArgs } from '../../platform/graphql/relay.js';
import { collectUserErrors } from '../../platform/user-errors.js';
import { argumentId } from '../../platform/validation.js';
import { TenantNode } from '../tenant/tenant.types.js';
import type { BalanceEntry } from './balance.entity.js';
import { adjustBalance, balanceOf, createRedemptionCodes, listBalanceEntries, redeemCode, topUpBalance } from './balance.service.js';
import {
  BalanceAdjustInput,
  BalanceEntryConnection,
  BalanceEntryPayload,
  BalanceTopUpInput,
  RedemptionCodeRedeemInput,
  RedemptionCodesCreateInput,
  RedemptionCodesCreatePayload,
  toBalanceEntryNode,
  toRedemptionCodeNode,
} from './balance.types.js';

async function entryPayload(work: () => Promise<BalanceEntry>): Promise<BalanceEntryPayload> {
  const { result, userErrors } = await collectUserErrors(work);
  return { balanceEntry: result ? toBalanceEntryNode(result) : null, userErrors };
}

@Resolver()
export class BalanceResolver {
  @Authorized(BALANCE_LEDGER_READERS)
  @Query(() => BalanceEntryConnection, {
    description:
      "A prepaid tenant's balance ledger, newest first: operator, ERP, tenant admins and finance (their own). Not viewers: they read Tenant.balance.",
  })
  async balanceEntries(
    @Ctx() context: RequestContext,
    @Arg('tenantId', () => ID, { description: 'The prepaid tenant whose ledger to read.' }) tenantId: string,
    @Args() page: PageArgs,
  ) {
    return BalanceEntryConnection.from(await listBalanceEntries(context, argumentId('Tenant', tenantId, 'tenantId'), page), toBalanceEntryNode);
  }

  @Authorized([Role.PLATFORM_ADMIN])
  @Mutation(() => BalanceEntryPayload, { description: 'Book money received for a prepaid tenant (operator only). Idempotent on idempotencyKey.' })
  balanceTopUp(
    @Ctx() context: RequestContext,
    @Arg('input', () => BalanceTopUpInput, { description: 'The tenant, the amount paid in, and its payment reference.' }) input: BalanceTopUpInput,
  ) {
    return entryPayload(() => topUpBalance(context, input));
  }

  @Authorized([Role.PLATFORM_ADMIN])
  @Mutation(() => BalanceEntryPayload, { description: 'Correct a prepaid balance, with a reason (operator only). Idempotent on idempotencyKey.' })
  balanceAdjust(
    @Ctx() context: RequestContext,
    @Arg('input', () => BalanceAdjustInput, { description: 'The tenant, the signed amount to post to its prepaid balance, and why.' })
    input: BalanceAdjustInput,
  ) {
    return entryPayload(() => adjustBalance(context, input));
  }

  @Authorized([Role.PLATFORM_ADMIN])
  @Mutation(() => RedemptionCodesCreatePayload, {
    description: 'Issue prepaid vouchers (operator only). The codes are in this payload and nowhere else, ever.',
  })
  async redemptionCodesCreate(
    @Ctx() context: RequestContext,
    @Arg('input', () => RedemptionCodesCreateInput, { description: 'How many codes, of what amount and currency, valid until when.' })
    input: RedemptionCodesCreateInput,
  ) {
    const { result, userErrors } = await collectUserErrors(() => createRedemptionCodes(context, input));
    return { codes: (result ?? []).map(({ code, redemptionCode }) => ({ code, redemptionCode: toRedemptionCodeNode(redemptionCode) })), userErrors };
  }

  @Authorized(VOUCHER_REDEEMERS)
  @Mutation(() => BalanceEntryPayload, {
    description:
      'Redeem a voucher into the prepaid balance: single use, even when redeemed twice at once. Expired, used or foreign-currency codes are refused with a code.',
  })
  redemptionCodeRedeem(
    @Ctx() context: RequestContext,
    @Arg('input', () => RedemptionCodeRedeemInput, { description: "The code to redeem into the caller's tenant's balance." }) input: RedemptionCodeRedeemInput,
  ) {
    return entryPayload(() => redeemCode(context, input));
  }
}

@Resolver(() => TenantNode)
export class TenantBalanceResolver {
  @Authorized(MONEY_DOCUMENT_READERS)
  @FieldResolver(() => Money, { nullable: true, description: 'The prepaid balance (the sum of its ledger entries); null for tenants that are not prepaid.' })
  async balance(@Ctx() context: RequestContext, @Root() node: TenantNode): Promise<Money | null> {
    const tenant = (await context.loaders.tenantById.load(node.id))!;
    const balance = await balanceOf(context, tenant);
    return balance ? Money.of(balance.amount, balance.currency) : null;
  }
}
