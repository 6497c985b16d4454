import type { SqlExecutor } from "./prismaOptions";

const identifier = /^[a-z_][a-z0-9_]*$/;

/**
 * The row of `table` whose uuid `column` is `value`, locked until the transaction ends
 * (`SELECT ... FOR UPDATE`), in one statement: Prisma's API cannot lock a row. `columns` selects
 * the row under the names of its record type (a constant of the store).
 */
export async function lockRow<T>(
  tx: SqlExecutor,
  table: { name: string; columns: string },
  column: string,
  value: string,
): Promise<T | null> {
  if (!identifier.test(table.name) || !identifier.test(column))
    throw new Error(`not an identifier: ${table.name}.${column}`);
  const [row] = await tx.$queryRawUnsafe<T[]>(
    `SELECT ${table.columns} FROM ${table.name} WHERE ${column} = $1::uuid FOR UPDATE`,
    value,
  );
  return row ?? null;
}
