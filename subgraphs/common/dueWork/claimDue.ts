import type { SqlExecutor } from "../database/prismaOptions";
import { sql, statement, type Statement } from "../database/sqlPool";

/**
 * A table whose rows carry work to do at a time: `next_attempt_at` says when a row is due, and
 * `pending` (a SQL condition on the row, a constant of the code) whether it still has work.
 */
export interface DueWorkTable {
  table: string;
  pending: string;
}

const identifier = /^[a-z_][a-z0-9_]*$/;

/** The claim statement of each kind of due work (its text is fixed by the table and condition). */
const claims = new Map<string, Statement>();

function claimStatement(work: DueWorkTable): Statement {
  const key = `${work.table}\u0000${work.pending}`;
  let claim = claims.get(key);
  if (!claim) {
    if (!identifier.test(work.table)) throw new Error(`not a table name: ${work.table}`);
    claim = statement(
      `claim_due_${work.table}_${claims.size}`,
      `UPDATE ${work.table} SET next_attempt_at = now() + make_interval(secs => $2)
        WHERE id IN (SELECT id FROM ${work.table} WHERE ${work.pending} AND next_attempt_at <= now()
                      ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
       RETURNING id::text AS id`,
    );
    claims.set(key, claim);
  }
  return claim;
}

/**
 * Takes up to `limit` due rows, leasing them for `leaseMs`: their `next_attempt_at` moves past
 * the lease, so no other worker (or replica) takes them meanwhile, and one whose worker crashed
 * is taken again once the lease ends. One named statement; rows another worker is claiming are
 * skipped, not waited for. The work itself then sets `next_attempt_at` to its next try, or to
 * null when nothing is left to do.
 */
export async function claimDue(db: SqlExecutor, work: DueWorkTable, limit: number, leaseMs: number): Promise<string[]> {
  const rows = await sql<{ id: string }>(db, claimStatement(work), [limit, leaseMs / 1000]);
  return rows.map((row) => row.id);
}
