import { Arg, Authorized, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../context.js';
import { BALANCE_LEDGER_READERS } from '../../platform/auth/roles.js';
import { argumentId } from '../../platform/validation.js';
import { TenantNode, toTenantNode } from '../tenant/tenant.types.js';
import { statementOf } from './statement.service.js';
import { StatementExportUrls, StatementNode, toStatementNode } from './statement.types.js';

@Resolver(() => StatementNode)
export class StatementResolver {
  @Authorized(BALANCE_LEDGER_READERS)
  @Query(() => StatementNode, {
    description:
      "A tenant's statement of account for one month of its local calendar: operator, ERP, tenant admins and finance (their own). NOT_FOUND for another tenant's.",
  })
  async statement(
    @Ctx() context: RequestContext,
    @Arg('tenantId', () => ID, { description: 'The tenant.' }) tenantId: string,
    @Arg('period', { description: 'The month, "YYYY-MM".' }) period: string,
  ): Promise<StatementNode> {
    return toStatementNode(await statementOf(context, argumentId('Tenant', tenantId, 'tenantId'), period));
  }

  @FieldResolver(() => StatementExportUrls, { description: 'The statement as files, signed for the caller.' })
  exportUrls(@Ctx() context: RequestContext, @Root() statement: StatementNode): StatementExportUrls {
    const formats = { xlsx: { suffix: '.xlsx' }, pdf: { suffix: '.pdf' } };
    const urls = context.exportLinks.signFormats(`/exports/statements/${statement.tenantId}/${statement.period}`, formats, {}, context.actor.tokenId);
    return Object.assign(new StatementExportUrls(), urls);
  }

  @FieldResolver(() => TenantNode, { description: 'The tenant.' })
  async tenant(@Ctx() context: RequestContext, @Root() statement: StatementNode): Promise<TenantNode> {
    return toTenantNode((await context.loaders.tenantById.load(statement.tenantId))!);
  }
}
