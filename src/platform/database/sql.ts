import type { EntityManager, PostgreSqlConnection } from '@mikro-orm/postgresql';
import type pg from 'pg';

/**
 * The `pg` pool under MikroORM, for the hot paths that go below the ORM (usage ingestion and
 * authorization). They need real `$n` parameters (MikroORM inlines `?` values into the SQL text and
 * expands arrays), named prepared statements, and one transaction on one connection.
 */
export function nativePool(em: EntityManager): Promise<pg.Pool> {
  return (em.getConnection() as PostgreSqlConnection).getNativeClient();
}

/** Runs `work` in one transaction on one pooled connection: committed if it resolves, rolled back if it throws. */
export async function sqlTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    const result = await work(client);
    await client.query('commit');
    return result;
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/**
 * A timestamptz as the pool returns it: MikroORM's type parsers keep PostgreSQL's text form
 * ("2026-11-24 00:35:03.465+00"), which `Date` does not parse reliably.
 */
export function parseTimestamptz(text: string): Date;
export function parseTimestamptz(text: string | null): Date | null;
export function parseTimestamptz(text: string | null): Date | null {
  if (text === null) return null;
  return new Date(text.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00'));
}

/** Where a statement runs: an ORM transaction's EntityManager, or a raw `pg` client inside a transaction. */
export type SqlTarget = EntityManager | pg.ClientBase | pg.Pool;

/** Runs one statement written with `$n` placeholders (in any order, repeated or not) on either kind of target. */
export async function queryRows<Row>(target: SqlTarget, sql: string, params: unknown[]): Promise<Row[]> {
  if ('execute' in target) {
    // The ORM binds positional `?`: one value per occurrence, in the order they appear.
    const bound: unknown[] = [];
    const text = sql.replace(/\$(\d+)/g, (_placeholder, position: string) => {
      bound.push(params[Number(position) - 1]);
      return '?';
    });
    return target.execute<Row[]>(text, bound);
  }
  return (await target.query(sql, params)).rows as Row[];
}
