import type { EntityManager, EntityName, FilterQuery } from '@mikro-orm/postgresql';
import { ArgsType, Field, ID, InterfaceType, Int, ObjectType, registerEnumType, type ClassType } from 'type-graphql';
import { BadInputError } from '../errors.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './page-size.js';

@InterfaceType('Node', { description: 'An object with a global, opaque, type-prefixed id, fetchable with `node(id:)`.' })
export abstract class Node {
  @Field(() => ID, { description: 'Opaque global id, prefixed by type (`ten_`, `dep_`, `key_` ...).' })
  id!: string;
}

export enum OrderDirection {
  ASC = 'ASC',
  DESC = 'DESC',
}
registerEnumType(OrderDirection, {
  name: 'OrderDirection',
  description: 'Sort direction.',
  valuesConfig: {
    ASC: { description: 'Ascending: lowest, earliest or first in alphabetical order first.' },
    DESC: { description: 'Descending: highest, latest or last in alphabetical order first.' },
  },
});

@ObjectType('PageInfo', { description: 'Where a page sits in its connection.' })
export class PageInfo {
  @Field({ description: 'Whether more items follow this page.' })
  hasNextPage!: boolean;

  @Field({ description: 'Whether items precede this page.' })
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true, description: 'Cursor of the first item of the page.' })
  startCursor!: string | null;

  @Field(() => String, { nullable: true, description: 'Cursor of the last item; pass it as `after` for the next page.' })
  endCursor!: string | null;
}

/**
 * Relay cursor paging, both ways: `first` items after `after`, or the `last` items before
 * `before` (pages backwards from the end). Neither: the first DEFAULT_PAGE_SIZE items.
 */
@ArgsType()
export class PageArgs {
  @Field(() => Int, {
    nullable: true,
    description: `How many items from the start (after \`after\`), 1 to ${MAX_PAGE_SIZE}. ${DEFAULT_PAGE_SIZE} when neither first nor last is given.`,
  })
  first?: number | null;

  @Field(() => String, { nullable: true, description: 'Return items after this cursor (a `pageInfo.endCursor`).' })
  after?: string | null;

  @Field(() => Int, { nullable: true, description: `How many items from the end (before \`before\`), 1 to ${MAX_PAGE_SIZE}: pages backwards. Not with first.` })
  last?: number | null;

  @Field(() => String, { nullable: true, description: 'Return items before this cursor (a `pageInfo.startCursor`).' })
  before?: string | null;
}

export interface ConnectionData<N> {
  edges: { cursor: string; node: N }[];
  pageInfo: PageInfo;
  countTotal: () => Promise<number>;
}

/** Builds the `XConnection` and `XEdge` types of a node type. */
export function connectionType<N extends object>(nodeType: ClassType<N>, name: string) {
  @ObjectType(`${name}Edge`, { description: `One ${name} in a page, with its cursor.` })
  class Edge {
    @Field({ description: 'Opaque cursor of this item.' })
    cursor!: string;

    @Field(() => nodeType, { description: `The ${name}.` })
    node!: N;
  }

  @ObjectType(`${name}Connection`, { description: `A page of ${name} objects (Relay cursor connection).` })
  class Connection implements ConnectionData<N> {
    @Field(() => [Edge], { description: 'The items of this page with their cursors.' })
    edges!: Edge[];

    @Field(() => PageInfo, { description: 'Paging information.' })
    pageInfo!: PageInfo;

    countTotal!: () => Promise<number>;

    @Field(() => [nodeType], { description: 'The items of this page, without cursors.' })
    nodes(): N[] {
      return this.edges.map((edge) => edge.node);
    }

    @Field(() => Int, { description: 'How many items match the filter, over all pages.' })
    totalCount(): Promise<number> {
      return this.countTotal();
    }

    /** Wraps a page of rows, mapping each row to its GraphQL node. */
    static from<Row>(data: ConnectionData<Row>, toNode: (row: Row) => N): Connection {
      return Object.assign(new Connection(), {
        edges: data.edges.map((edge) => ({ cursor: edge.cursor, node: toNode(edge.node) })),
        pageInfo: data.pageInfo,
        countTotal: data.countTotal,
      });
    }
  }
  return Connection;
}

/** An ILIKE pattern matching values that contain `text` literally (its % and _ are not wildcards). */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, '\\$&')}%`;
}

type CursorValue = string | number | boolean | null;

function encodeCursor(sortValue: unknown, id: string): string {
  const value = sortValue instanceof Date ? sortValue.toISOString() : (sortValue as CursorValue);
  return Buffer.from(JSON.stringify([value, id]), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string, argument: 'after' | 'before'): [CursorValue, string] {
  try {
    const decoded: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(decoded) && decoded.length === 2 && typeof decoded[1] === 'string') {
      return decoded as [CursorValue, string];
    }
  } catch {
    // fall through to the error below
  }
  throw new BadInputError(`${argument} is not a cursor this API issued.`, [argument]);
}

export interface PageQuery<E> {
  em: EntityManager;
  entity: EntityName<E>;
  where: FilterQuery<E>;
  sortField: keyof E & string;
  direction: OrderDirection;
  page: PageArgs;
}

/**
 * Keyset pagination on (sortField, id): stable while rows are inserted, no OFFSET scans. Forward
 * (`first`/`after`) reads in the connection's order; backward (`last`/`before`) reads the other
 * way from the end and turns the page round. One extra row says whether another page follows.
 */
export async function paginate<E extends { id: string }>(query: PageQuery<E>): Promise<ConnectionData<E>> {
  const { em, entity, where, sortField, direction, page } = query;
  if (page.first != null && page.last != null) throw new BadInputError('Pass first or last, not both.', ['last']);
  const isBackward = page.last != null;
  const size = (isBackward ? page.last : page.first) ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
    const name = isBackward ? 'last' : 'first';
    throw new BadInputError(`${name} must be between 1 and ${MAX_PAGE_SIZE}, got ${size}.`, [name]);
  }
  const conditions: FilterQuery<E>[] = [where];
  if (page.after) conditions.push(...beyondCursor<E>(sortField, decodeCursor(page.after, 'after'), direction === OrderDirection.ASC ? 'after' : 'before'));
  if (page.before) conditions.push(...beyondCursor<E>(sortField, decodeCursor(page.before, 'before'), direction === OrderDirection.ASC ? 'before' : 'after'));
  const isAscending = (direction === OrderDirection.ASC) !== isBackward;
  const order = isAscending ? 'asc' : 'desc';
  const rows = await em.find(entity, { $and: conditions } as FilterQuery<E>, {
    orderBy: [{ [sortField]: order }, { id: order }] as never,
    limit: size + 1,
  });
  const hasMore = rows.length > size;
  const pageRows = rows.slice(0, size);
  if (isBackward) pageRows.reverse();
  const edges = pageRows.map((row) => ({ cursor: encodeCursor(row[sortField], row.id), node: row }));
  return {
    edges,
    pageInfo: Object.assign(new PageInfo(), {
      hasNextPage: isBackward ? Boolean(page.before) : hasMore,
      hasPreviousPage: isBackward ? hasMore : Boolean(page.after),
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    }),
    countTotal: () => em.count(entity, where),
  };
}

/**
 * Rows strictly after (or before) a cursor in ascending (sortField, id) order. The same bound again
 * as a plain range, which an index on (sortField, id) can start from: the OR alone makes
 * PostgreSQL scan and sort every row before the page.
 */
function beyondCursor<E>(sortField: string, [value, id]: [CursorValue, string], side: 'after' | 'before'): FilterQuery<E>[] {
  const [strictly, orEqual] = side === 'after' ? ['$gt', '$gte'] : ['$lt', '$lte'];
  const bounds = [{ $or: [{ [sortField]: { [strictly]: value } }, { [sortField]: value, id: { [strictly]: id } }] } as FilterQuery<E>];
  if (value !== null) bounds.push({ [sortField]: { [orEqual]: value } } as FilterQuery<E>);
  return bounds;
}
