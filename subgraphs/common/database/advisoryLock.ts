import type { SqlExecutor } from "./prismaOptions";

/**
 * Holds a PostgreSQL advisory lock on `key` until the transaction ends: work on one thing that
 * has no row to lock yet (or whose row may not be committed yet) is serialised by its name.
 * Keys name their service and purpose (`payments:order:<id>`), so locks of different kinds never
 * meet.
 */
export async function lockUntilCommit(tx: SqlExecutor, key: string): Promise<void> {
  await tx.$queryRawUnsafe("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))::text AS locked", key);
}
