import { Arg, Args, Authorized, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../../context.js';
import { PRICE_BOOK_READERS, Role } from '../../platform/auth/roles.js';
import { PageArgs } from '../../platform/graphql/relay.js';
import { collectUserErrors } from '../../platform/user-errors.js';
import { listModelPrices, setModelPrice } from './price.service.js';
import { ModelPriceConnection, ModelPriceFilterInput, ModelPricePayload, ModelPriceSetInput, toModelPriceNode } from './price.types.js';

@Resolver()
export class PriceResolver {
  @Authorized(PRICE_BOOK_READERS)
  @Query(() => ModelPriceConnection, {
    description:
      "The price book: the version of each model's price in force at `asOf` (default now), by model name. Operator, tenant users and the gateway; not ERP (a bill line names its price version).",
  })
  async modelPrices(
    @Ctx() context: RequestContext,
    @Args() page: PageArgs,
    @Arg('asOf', () => Date, { nullable: true, description: 'The instant to read the price book at; default now.' }) asOf: Date | null,
    @Arg('filter', () => ModelPriceFilterInput, { nullable: true, description: 'Only prices that match every condition given.' })
    filter: ModelPriceFilterInput | null,
  ) {
    return ModelPriceConnection.from(await listModelPrices(context, asOf, filter, page), toModelPriceNode);
  }

  @Authorized([Role.PLATFORM_ADMIN])
  @Mutation(() => ModelPricePayload, {
    description:
      "Add a version of a model's price (operator only). Existing versions are never edited; the new one supersedes the one before it from effectiveFrom.",
  })
  async modelPriceSet(
    @Ctx() context: RequestContext,
    @Arg('input', () => ModelPriceSetInput, { description: 'The model, tier, currency, rates and the instant the price takes effect.' })
    input: ModelPriceSetInput,
  ) {
    const { result, userErrors } = await collectUserErrors(() => setModelPrice(context, input));
    return { modelPrice: result ? toModelPriceNode(result) : null, userErrors };
  }
}
