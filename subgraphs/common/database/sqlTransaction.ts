import type pg from "pg";
import type { SqlExecutor } from "./prismaOptions";
import { bindConnection, rowTypes } from "./sqlPool";

export type IsolationLevel = "ReadCommitted" | "RepeatableRead" | "Serializable";

const isolation: Record<IsolationLevel, string> = {
  ReadCommitted: "BEGIN ISOLATION LEVEL READ COMMITTED",
  RepeatableRead: "BEGIN ISOLATION LEVEL REPEATABLE READ",
  Serializable: "BEGIN ISOLATION LEVEL SERIALIZABLE",
};

/**
 * A transaction of our own on a pooled connection: `sql(tx)` runs on it, and so do its raw
 * queries (rows typed as `sql` types them: int8 as bigint, numeric as text). No ORM: work that
 * uses Prisma's models takes Prisma's `$transaction` instead.
 */
class PoolTransaction implements SqlExecutor {
  constructor(private readonly client: pg.PoolClient) {}

  async $executeRawUnsafe(query: string, ...values: unknown[]): Promise<number> {
    return (await this.client.query({ text: query, values, types: rowTypes })).rowCount ?? 0;
  }

  async $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T> {
    return (await this.client.query({ text: query, values, types: rowTypes })).rows as T;
  }
}

/**
 * Runs `work` in a transaction on a connection of `pool`: BEGIN (at the isolation level asked
 * for), the work, COMMIT; ROLLBACK if the work throws, and the error is thrown on. What Prisma's
 * interactive transaction does, without its client: ~0.25 ms of CPU where Prisma's costs ~1 ms
 * (bench/plumbingCost.ts). A connection that failed is not put back in the pool.
 */
export async function inSqlTransaction<R>(
  pool: pg.Pool,
  work: (tx: SqlExecutor) => Promise<R>,
  options: { isolationLevel?: IsolationLevel; singleStatement?: boolean } = {},
): Promise<R> {
  const client = await pool.connect();
  // Work that is one statement is atomic by itself: no BEGIN, no COMMIT (two round trips and a
  // commit fewer), on a connection of its own all the same.
  const inTransaction = !options.singleStatement;
  let healthy = true;
  // The server may end the session while we hold it (idle in the transaction too long, an
  // administrator): `pg` then emits an error on the client, which would crash the process if no
  // one listened. The statement that follows fails, and the connection is not put back.
  const onSessionError = () => {
    healthy = false;
  };
  client.on("error", onSessionError);
  // BEGIN, COMMIT, ROLLBACK: one the server refused (an SQLSTATE) leaves the connection usable.
  const control = async (text: string) => {
    try {
      await client.query(text);
    } catch (error) {
      if (!hasSqlState(error)) healthy = false;
      throw error;
    }
  };
  try {
    if (inTransaction) await control(options.isolationLevel ? isolation[options.isolationLevel] : "BEGIN");
    const tx = new PoolTransaction(client);
    bindConnection(tx, client);
    let result: R;
    try {
      result = await work(tx);
    } catch (error) {
      if (inTransaction) await control("ROLLBACK").catch(() => undefined);
      else if (!hasSqlState(error)) healthy = false;
      throw error;
    }
    if (inTransaction) await control("COMMIT");
    return result;
  } finally {
    client.removeListener("error", onSessionError);
    client.release(healthy ? undefined : true);
  }
}

function hasSqlState(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && /^[0-9A-Z]{5}$/.test(code);
}
