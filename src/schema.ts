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

/** What the root types hold (type-graphql gives them no description of their own). */
const ROOT_DESCRIPTIONS = {
  query: 'Reads: every list is a Relay connection, every lookup by id answers null for what the caller cannot see.',
  mutation: 'Writes: each answers its payload with userErrors (naming the field and the rule) and writes nothing when it refuses.',
  subscription: 'Live events over graphql-ws at the same address (/graphql), from any server instance.',
} as const;

function describeRootTypes(schema: GraphQLSchema): void {
  for (const [type, description] of [
    [schema.getQueryType(), ROOT_DESCRIPTIONS.query],
    [schema.getMutationType(), ROOT_DESCRIPTIONS.mutation],
    [schema.getSubscriptionType(), ROOT_DESCRIPTIONS.subscription],
  ] as const)
    if (type) type.description = description;
}

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
    describeRootTypes(schema);
    return schema;
  });
  return built;
}

export async function printAppSchema(): Promise<string> {
  return printSchema(lexicographicSortSchema(await buildAppSchema()));
}
