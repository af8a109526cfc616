import type pg from 'pg';

/**
 * Every row of every table of the database, as one comparable value per table: equal before and
 * after means nothing was written (the migrations' own bookkeeping aside). One round trip.
 */
export async function tableFingerprint(sql: pg.Pool): Promise<Record<string, string>> {
  const { rows: tables } = await sql.query<{ name: string }>(
    `select quote_ident(table_name) as name from information_schema.tables
      where table_schema = 'public' and table_type = 'BASE TABLE' and table_name <> 'mikro_orm_migrations'
      order by table_name`,
  );
  const { rows } = await sql.query<{ name: string; fingerprint: string }>(
    tables
      .map(
        ({ name }) => `select '${name}' as name, count(*) || ':' || coalesce(md5(string_agg(t::text, '|' order by t::text)), '') as fingerprint from ${name} t`,
      )
      .join(' union all '),
  );
  return Object.fromEntries(rows.map((row) => [row.name, row.fingerprint]));
}
