import 'reflect-metadata';
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { buildSchema, type AuthChecker, type PubSub } from 'type-graphql';
import type { RequestContext } from './context.js';
import type { Role } from './platform/auth/roles.js';
import { answerRefusedInputInPayloads } from './platform/graphql/input-rules.js';
import { DateTimeScalar } from './platform/graphql/scalars.js';
import { RESOLVERS } from './modules/resolvers.js';

/** `@Authorized(roles)`: the caller's role must be listed; with no roles, any authenticated caller. */
const authChecker: AuthChecker<RequestContext, Role> = ({ context }, roles) => roles.length === 0 || roles.includes(context.actor.role);

/**
 * Subscriptions read from the per-app pubsub in their context (fed by PostgreSQL NOTIFY), so the
 * schema-wide one type-graphql insists on must never be used.
 */
const contextPubSubOnly: PubSub = {
  publish() {
    throw new Error('publish with publishOnCommit, inside the writing transaction');
  },
  subscribe() {
    throw new Error('subscribe through context.pubSub in a `subscribe` function');
  },
};

let built: Promise<GraphQLSchema> | undefined;

/** The schema is built once per process: type-graphql keeps its metadata globally. */
export function buildAppSchema(): Promise<GraphQLSchema> {
  built ??= buildSchema({
    resolvers: RESOLVERS,
    scalarsMap: [{ type: Date, scalar: DateTimeScalar }],
    authChecker,
    authMode: 'error',
    validate: false,
    pubSub: contextPubSubOnly,
  }).then((schema) => {
    answerRefusedInputInPayloads(schema);
    return schema;
  });
  return built;
}

export async function printAppSchema(): Promise<string> {
  return printSchema(lexicographicSortSchema(await buildAppSchema()));
}
