import type { Client } from "pg";

/** The tables of a database (but Prisma's own), by name. */
export async function tablesOf(sql: Client): Promise<string[]> {
  const { rows } = await sql.query<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables
      WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> '_prisma_migrations'
      ORDER BY table_name`,
  );
  return rows.map((row) => row.name);
}

/** The columns of each table, as they are now. */
export async function columnsOf(sql: Client, tables: readonly string[]): Promise<Record<string, string[]>> {
  const columns: Record<string, string[]> = {};
  for (const table of tables) {
    const { rows } = await sql.query<{ name: string }>(
      `SELECT column_name AS name FROM information_schema.columns
        WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position`,
      [table],
    );
    columns[table] = rows.map((row) => row.name);
  }
  return columns;
}

/**
 * Every row of every table, as JSON of the given columns, in a stable order: what a migration must
 * keep. Reading the columns a table had before a migration, rows compare equal after it even when
 * the migration added columns.
 */
export async function everyRow(sql: Client, columns: Record<string, string[]>): Promise<Record<string, string[]>> {
  const rows: Record<string, string[]> = {};
  for (const [table, names] of Object.entries(columns)) {
    const list = names.map((name) => `"${name}"`).join(", ");
    const { rows: found } = await sql.query<{ row: string }>(
      `SELECT to_jsonb(t)::text AS row FROM (SELECT ${list} FROM "${table}") t`,
    );
    rows[table] = found.map((each) => each.row).sort();
  }
  return rows;
}
