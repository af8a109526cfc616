import { Arg, Args, Authorized, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../context.js';
import { MONEY_DOCUMENT_READERS, Role } from '../../platform/auth/roles.js';
import { PageArgs } from '../../platform/graphql/relay.js';
import { periodOf } from '../../platform/period.js';
import { collectUserErrors } from '../../platform/user-errors.js';
import { TenantNode, toTenantNode } from '../tenant/tenant.types.js';
import type { Contract } from './contract.entity.js';
import { activeContract, amendContract, createContract, listContracts, terminateContract, versionInForce } from './contract.service.js';
import {
  ContractAmendInput,
  ContractConnection,
  ContractCreateInput,
  ContractFilterInput,
  ContractNode,
  ContractPayload,
  ContractTerminateInput,
  ContractTermsNode,
  toContractNode,
  toContractTermsNode,
} from './contract.types.js';

async function contractPayload(work: () => Promise<Contract>) {
  const { result, userErrors } = await collectUserErrors(work);
  return { contract: result ? toContractNode(result) : null, userErrors };
}

@Resolver(() => ContractNode)
export class ContractResolver {
  @Authorized(MONEY_DOCUMENT_READERS)
  @Query(() => ContractConnection, { description: "Contracts, latest start first: operator, ERP and tenant users (their own tenant's). Not the gateway." })
  async contracts(
    @Ctx() context: RequestContext,
    @Args() page: PageArgs,
    @Arg('filter', () => ContractFilterInput, { nullable: true, description: 'Only contracts that match every condition given.' })
    filter: ContractFilterInput | null,
  ) {
    return ContractConnection.from(await listContracts(context, filter, page), toContractNode);
  }

  @Authorized([Role.PLATFORM_ADMIN])
  @Mutation(() => ContractPayload, { description: "Create a tenant's contract (operator only). Overlapping another contract of the tenant is refused." })
  contractCreate(
    @Ctx() context: RequestContext,
    @Arg('input', () => ContractCreateInput, { description: "The tenant's new contract: type, start, terms." }) input: ContractCreateInput,
  ) {
    return contractPayload(() => createContract(context, input));
  }

  @Authorized([Role.PLATFORM_ADMIN])
  @Mutation(() => ContractPayload, { description: 'Amend a contract from a period on (operator only): a new version of its terms; history is kept.' })
  contractAmend(
    @Ctx() context: RequestContext,
    @Arg('input', () => ContractAmendInput, { description: 'The contract and the terms that change from a date; a new version of it.' })
    input: ContractAmendInput,
  ) {
    return contractPayload(() => amendContract(context, input));
  }

  @Authorized([Role.PLATFORM_ADMIN])
  @Mutation(() => ContractPayload, { description: 'Terminate a contract at the end of a period the notice period allows (operator only).' })
  contractTerminate(
    @Ctx() context: RequestContext,
    @Arg('input', () => ContractTerminateInput, { description: 'The contract to end, and from which day.' }) input: ContractTerminateInput,
  ) {
    return contractPayload(() => terminateContract(context, input));
  }

  @FieldResolver(() => TenantNode, { description: 'The tenant the contract is with.' })
  async tenant(@Ctx() context: RequestContext, @Root() contract: ContractNode): Promise<TenantNode> {
    return toTenantNode((await context.loaders.tenantById.load(contract.tenantId))!);
  }

  @FieldResolver(() => ContractTermsNode, { description: 'The terms in force this month (before the contract starts: its first terms).' })
  async terms(@Ctx() context: RequestContext, @Root() contract: ContractNode): Promise<ContractTermsNode> {
    const tenant = (await context.loaders.tenantById.load(contract.tenantId))!;
    const versions = await context.loaders.contractVersions.load(contract.id);
    return toContractTermsNode(versionInForce(versions, periodOf(context.clock.now(), tenant.timezone)), tenant.billingCurrency);
  }

  @FieldResolver(() => [ContractTermsNode], { description: 'Every version of the terms, oldest first: the amendment history.' })
  async versions(@Ctx() context: RequestContext, @Root() contract: ContractNode): Promise<ContractTermsNode[]> {
    const tenant = (await context.loaders.tenantById.load(contract.tenantId))!;
    const versions = await context.loaders.contractVersions.load(contract.id);
    return versions.map((version) => toContractTermsNode(version, tenant.billingCurrency));
  }
}

@Resolver(() => TenantNode)
export class TenantContractResolver {
  @Authorized(MONEY_DOCUMENT_READERS)
  @FieldResolver(() => ContractNode, {
    nullable: true,
    description: "The contract in force today in the tenant's time zone; null without one (list prices, postpaid).",
  })
  async activeContract(@Ctx() context: RequestContext, @Root() node: TenantNode): Promise<ContractNode | null> {
    const active = await activeContract(context, (await context.loaders.tenantById.load(node.id))!);
    return active ? toContractNode(active) : null;
  }
}
