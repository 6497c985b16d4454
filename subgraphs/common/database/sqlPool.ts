import { AsyncLocalStorage } from "node:async_hooks";
import pg from "pg";
import type { SqlExecutor } from "./prismaOptions";

/**
 * Hand-written SQL on the `pg` pool that Prisma's driver adapter uses too (`new PrismaPg(pool)`):
 * one pool per service, so a hot path's statements and Prisma's share its connections, and inside
 * a Prisma interactive transaction they run on the transaction's own connection. Statements are
 * named (prepared once per connection, then sent without their text being parsed again), and
 * answer rows typed by hand; Prisma stays for the schema, the migrations and the back office.
 */

/** Where a wrapped `$transaction` learns which pooled connection its transaction took. */
const transactionScope = new AsyncLocalStorage<{ client?: pg.PoolClient }>();

/**
 * A pool that tells the `$transaction` it is called in which connection it handed out: the
 * driver adapter takes one (`connect()` without a callback) to begin an interactive transaction.
 * Plain queries (`pool.query`, Prisma's statements outside a transaction) are unaffected.
 */
export class SharedPool extends pg.Pool {
  override connect(): Promise<pg.PoolClient>;
  override connect(
    callback: (err: Error | undefined, client: pg.PoolClient | undefined, done: (release?: unknown) => void) => void,
  ): void;
  override connect(...args: unknown[]): Promise<pg.PoolClient> | void {
    if (args.length > 0) return (super.connect as (...rest: unknown[]) => void)(...args);
    const holder = transactionScope.getStore();
    return super.connect().then((client) => {
      if (holder && !holder.client) holder.client = client;
      return client;
    });
  }
}

/** The connection of each transaction client a wrapped `$transaction` handed to its work. */
const connectionOfTransaction = new WeakMap<object, pg.PoolClient>();
/** The pool of each database client made with one. */
const poolOfClient = new WeakMap<object, pg.Pool>();

type TransactionFunction = (work: unknown, options?: unknown) => Promise<unknown>;

/**
 * Registers `pool` as the pool of the Prisma client `db` (made with `new PrismaPg(pool)`), and
 * wraps its interactive `$transaction` so that `sql(tx)` inside it runs on the transaction's own
 * connection. Answers `db`.
 */
export function sharePool<Db extends object>(db: Db, pool: pg.Pool): Db {
  poolOfClient.set(db, pool);
  const client = db as Db & { $transaction: TransactionFunction };
  const original = client.$transaction.bind(db) as TransactionFunction;
  Object.defineProperty(db, "$transaction", {
    configurable: true,
    writable: true,
    value: (work: unknown, options?: unknown) => {
      if (typeof work !== "function") return original(work, options);
      const holder: { client?: pg.PoolClient } = {};
      return transactionScope.run(holder, () =>
        original(async (tx: object) => {
          if (holder.client) connectionOfTransaction.set(tx, holder.client);
          return (work as (tx: object) => Promise<unknown>)(tx);
        }, options),
      );
    },
  });
  return db;
}

/** int8 as bigint, as Prisma's raw queries answer it: a row has one type on either path. */
const rowTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === pg.types.builtins.INT8 && format !== "binary"
      ? (value: string) => BigInt(value)
      : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig["getTypeParser"],
};

/** A named statement: prepared once per connection, then sent by name. */
export interface Statement {
  readonly name: string;
  readonly text: string;
}

const names = new Set<string>();

/** Declares a statement; its name must be unique in the process (the prepared statement's name). */
export function statement(name: string, text: string): Statement {
  if (names.has(name)) throw new Error(`two statements are named ${name}`);
  names.add(name);
  return { name, text };
}

/** A parameter as `pg` sends it; bigint goes as text (the statement casts it). */
export type SqlValue = string | number | boolean | Date | null | readonly string[] | readonly number[];

/**
 * Runs a statement on what `db` is: a transaction client of a wrapped `$transaction` (its own
 * connection), a database client with a shared pool (any connection of it), or else (a client
 * made without a shared pool) Prisma's raw query, which answers rows of the same types.
 */
export async function sql<T>(db: SqlExecutor, query: Statement, values: readonly SqlValue[]): Promise<T[]> {
  const runner = connectionOfTransaction.get(db) ?? poolOfClient.get(db);
  if (runner) {
    const result = await runner.query<T & pg.QueryResultRow>({
      name: query.name,
      text: query.text,
      values: values as unknown[],
      types: rowTypes,
    });
    return result.rows;
  }
  return db.$queryRawUnsafe<T[]>(query.text, ...values);
}

/** Whether `db` runs statements on the pg pool (false: through Prisma's raw queries). */
export function runsOnPool(db: SqlExecutor): boolean {
  return connectionOfTransaction.has(db) || poolOfClient.has(db);
}
