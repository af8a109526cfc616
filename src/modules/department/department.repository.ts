import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Whether `candidateId` is `ancestorId` or lies below it. Walks up from the candidate with a
 * recursive CTE: one round trip whatever the depth of the tree.
 */
export async function isDescendantOrSelf(em: EntityManager, candidateId: string, ancestorId: string): Promise<boolean> {
  const rows = await em.execute<{ found: number }[]>(
    `with recursive chain(id, parent_id) as (
       select id, parent_id from department where id = ?
       union all
       select d.id, d.parent_id from department d join chain c on d.id = c.parent_id
     )
     select 1 as found from chain where id = ? limit 1`,
    [candidateId, ancestorId],
  );
  return rows.length > 0;
}

/** The department and every department below it, in one recursive query. */
export async function subtreeIds(em: EntityManager, departmentId: string): Promise<string[]> {
  const rows = await em.execute<{ id: string }[]>(
    `with recursive subtree(id) as (
       select id from department where id = ?
       union all
       select d.id from department d join subtree s on d.parent_id = s.id
     )
     select id from subtree`,
    [departmentId],
  );
  return rows.map((row) => row.id);
}

/**
 * Active API keys held by a department, which may not be archived while it has any. Read in SQL:
 * keys belong to departments (api-key depends on department), so department does not import them.
 */
export async function activeApiKeyCount(em: EntityManager, departmentId: string): Promise<number> {
  const [row] = await em.execute<{ count: number }[]>(`select count(*)::int as count from api_key where department_id = ? and status = 'ACTIVE'`, [
    departmentId,
  ]);
  return row.count;
}
