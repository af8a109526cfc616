import type pg from 'pg';

/**
 * Every row of every table of the database, as one comparable value per table: equal before and
 * after means nothing was written (the migrations' own bookkeeping aside).
 */
export async function tableFingerprint(sql: pg.Pool): Promise<Record<string, string>> {
  const { rows: tables } = await sql.query<{ name: string }>(
    `select quote_ident(table_name) as name from information_schema.tables
      where table_schema = 'public' and table_type = 'BASE TABLE' and table_name <> 'mikro_orm_migrations'
      order by table_name`,
  );
  const fingerprint: Record<string, string> = {};
  for (const { name } of tables) {
    const { rows } = await sql.query<{ rows: string; digest: string | null }>(
      `select count(*)::text as rows, md5(string_agg(t::text, '|' order by t::text)) as digest from ${name} t`,
    );
    fingerprint[name] = `${rows[0].rows}:${rows[0].digest ?? ''}`;
  }
  return fingerprint;
}
