import type { SqlExecutor } from "./prismaOptions";
import { sql, statement } from "./sqlPool";

const lockStatement = statement(
  "common.advisoryLock",
  "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))::text AS locked",
);

/** Takes the advisory locks of the keys in parameter `$n` (text[]), in key order; answers `locked`. */
export const takeLocksOf = (n: number) =>
  `SELECT count(pg_advisory_xact_lock(hashtextextended(k, 0)))::int AS locked
     FROM (SELECT k FROM unnest($${n}::text[]) AS k ORDER BY k) AS keys`;

const lockManyStatement = statement("common.advisoryLocks", takeLocksOf(1));

/**
 * The advisory locks each transaction took (its `tx`, which lives as long as the transaction):
 * a lock taken again would send a statement for nothing, so it is not asked for twice. Locks
 * taken by a statement that does more (`heldUntilCommit`) are counted too.
 */
const heldOf = new WeakMap<object, Set<string>>();

/** Remembers that the transaction holds these locks, taken by a statement of its own that does more. */
export function heldUntilCommit(tx: SqlExecutor, keys: readonly string[]): void {
  const held = heldOf.get(tx) ?? new Set<string>();
  for (const key of keys) held.add(key);
  heldOf.set(tx, held);
}

/** The keys the transaction does not hold yet, each once, in the order they are always taken in. */
function notHeld(tx: SqlExecutor, keys: readonly string[]): string[] {
  const held = heldOf.get(tx);
  return [...new Set(keys)].filter((key) => !held?.has(key)).sort();
}

/**
 * Holds a PostgreSQL advisory lock on `key` until the transaction ends: work on one thing that
 * has no row to lock yet (or whose row may not be committed yet) is serialised by its name.
 * Keys name their service and purpose (`payments:order:<id>`), so locks of different kinds never
 * meet. A named statement on the transaction's own connection where the pool is shared; none
 * when the transaction holds the lock already.
 */
export async function lockUntilCommit(tx: SqlExecutor, key: string): Promise<void> {
  if (notHeld(tx, [key]).length === 0) return;
  await sql(tx, lockStatement, [key]);
  heldUntilCommit(tx, [key]);
}

/**
 * `lockUntilCommit` for many keys, in key order (two transactions sharing keys cannot
 * deadlock), in one statement: what is read after it sees what the previous holders of the
 * locks committed. None for the keys the transaction holds already.
 */
export async function lockAllUntilCommit(tx: SqlExecutor, keys: readonly string[]): Promise<void> {
  const missing = notHeld(tx, keys);
  if (missing.length === 0) return;
  await sql(tx, lockManyStatement, [missing]);
  heldUntilCommit(tx, missing);
}
