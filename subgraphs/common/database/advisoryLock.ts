import type { SqlExecutor } from "./prismaOptions";
import { sql, statement } from "./sqlPool";

const lockStatement = statement(
  "common.advisoryLock",
  "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))::text AS locked",
);

/**
 * Holds a PostgreSQL advisory lock on `key` until the transaction ends: work on one thing that
 * has no row to lock yet (or whose row may not be committed yet) is serialised by its name.
 * Keys name their service and purpose (`payments:order:<id>`), so locks of different kinds never
 * meet. A named statement on the transaction's own connection where the pool is shared.
 */
export async function lockUntilCommit(tx: SqlExecutor, key: string): Promise<void> {
  await sql(tx, lockStatement, [key]);
}
