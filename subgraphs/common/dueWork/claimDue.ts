import type { SqlExecutor } from "../database/prismaOptions";

/**
 * A table whose rows carry work to do at a time: `next_attempt_at` says when a row is due, and
 * `pending` (a SQL condition on the row, a constant of the code) whether it still has work.
 */
export interface DueWorkTable {
  table: string;
  pending: string;
}

const identifier = /^[a-z_][a-z0-9_]*$/;

/**
 * Takes up to `limit` due rows, leasing them for `leaseMs`: their `next_attempt_at` moves past
 * the lease, so no other worker (or replica) takes them meanwhile, and one whose worker crashed
 * is taken again once the lease ends. One statement; rows another worker is claiming are
 * skipped, not waited for. The work itself then sets `next_attempt_at` to its next try, or to
 * null when nothing is left to do.
 */
export async function claimDue(db: SqlExecutor, work: DueWorkTable, limit: number, leaseMs: number): Promise<string[]> {
  if (!identifier.test(work.table)) throw new Error(`not a table name: ${work.table}`);
  const rows = await db.$queryRawUnsafe<Array<{ id: string }>>(
    `UPDATE ${work.table} SET next_attempt_at = now() + make_interval(secs => $2)
      WHERE id IN (SELECT id FROM ${work.table} WHERE ${work.pending} AND next_attempt_at <= now()
                    ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
     RETURNING id::text AS id`,
    limit,
    leaseMs / 1000,
  );
  return rows.map((row) => row.id);
}
