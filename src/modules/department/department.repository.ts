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
