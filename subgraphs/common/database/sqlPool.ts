import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import type { SqlExecutor } from "./prismaOptions";

/**
 * Hand-written SQL on the `pg` pool that Prisma's driver adapter uses too (`new PrismaPg(pool)`):
 * one pool per service, so a hot path's statements and Prisma's share its connections, and inside
 * a Prisma interactive transaction they run on the transaction's own connection. Statements are
 * named (prepared once per connection, then sent without their text being parsed again), and
 * answer rows typed by hand; Prisma stays for the schema, the migrations and the back office.
 */

/**
 * The service's pool. `started` is the connection of the interactive transaction whose start
 * (BEGIN, and the isolation level) the driver adapter has just finished: see `SharedPoolAdapter`.
 */
export class SharedPool extends pg.Pool {
  /** Set by the adapter when a transaction has begun; taken by the `$transaction` it belongs to. */
  started: pg.PoolClient | undefined;

  constructor(config?: pg.PoolConfig) {
    super(config);
    // An idle connection that breaks (the server restarted) is dropped by the pool itself; with
    // no listener its error would end the process before Prisma's adapter (which listens once
    // Prisma first connects) or after work that uses only SQL.
    this.on("error", () => undefined);
  }
}

interface AdapterTransaction {
  client?: unknown;
}
interface Adapter {
  startTransaction(isolationLevel?: unknown): Promise<AdapterTransaction>;
}

/**
 * Prisma's pg driver adapter on a shared pool, telling the pool the connection of each
 * transaction it begins, as its start completes.
 *
 * How a `$transaction` learns its connection without an async context (AsyncLocalStorage turns
 * Node 20's promise hooks on for the whole process): the adapter's `startTransaction` resolves
 * when the reply to BEGIN (or SET TRANSACTION) is read from that connection's socket, and from
 * there Prisma reaches the interactive transaction's callback through promise continuations only
 * (the transaction manager records it, the engine answers its id, `$transaction` calls back), all
 * run before Node reads another socket. So the connection the adapter last reported is, in the
 * callback, this transaction's own: another transaction's start completes on its own socket's
 * read, which comes after. `sqlPool.test.ts` checks it against `pg_backend_pid()` under load.
 */
export class SharedPoolAdapter extends PrismaPg {
  constructor(
    private readonly sharedPool: SharedPool,
    options?: ConstructorParameters<typeof PrismaPg>[1],
  ) {
    super(sharedPool, options);
  }

  override async connect(): ReturnType<PrismaPg["connect"]> {
    const adapter = await super.connect();
    const pool = this.sharedPool;
    const start = (adapter as unknown as Adapter).startTransaction.bind(adapter);
    (adapter as unknown as Adapter).startTransaction = async (isolationLevel) => {
      const transaction = await start(isolationLevel);
      pool.started = transaction.client as pg.PoolClient | undefined;
      return transaction;
    };
    return adapter;
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
 * connection (when the client's adapter is a `SharedPoolAdapter` on `pool`; otherwise `sql(tx)`
 * inside a transaction goes through Prisma's raw queries, still on the transaction). Answers `db`.
 */
export function sharePool<Db extends object>(db: Db, pool: pg.Pool): Db {
  if (poolOfClient.has(db)) return db;
  poolOfClient.set(db, pool);
  if (!(pool instanceof SharedPool)) return db;
  const client = db as Db & { $transaction: TransactionFunction };
  const original = client.$transaction.bind(db) as TransactionFunction;
  Object.defineProperty(db, "$transaction", {
    configurable: true,
    writable: true,
    value: (work: unknown, options?: unknown) => {
      if (typeof work !== "function") return original(work, options);
      return original((tx: object) => {
        // Called in the continuation of this transaction's start: see SharedPoolAdapter.
        const connection = pool.started;
        pool.started = undefined;
        if (connection) connectionOfTransaction.set(tx, connection);
        return (work as (tx: object) => Promise<unknown>)(tx);
      }, options);
    },
  });
  return db;
}

/** The pool each shared adapter was made on, to find a client's pool by its adapter. */
const poolOfAdapter = new WeakMap<object, SharedPool>();

/** Remembers the pool of an adapter (prismaOptions.ts makes both). */
export function rememberAdapterPool(adapter: object, pool: SharedPool): void {
  poolOfAdapter.set(adapter, pool);
}

/**
 * Shares the pool of a Prisma client made with `prismaClientOptions` (its adapter a
 * `SharedPoolAdapter`), so that the plumbing's statements (outbox, consumers, due work) run on the
 * pool as named statements in every service. A client made otherwise is left as it is.
 */
export function shareClientPool<Db extends object>(db: Db): Db {
  if (poolOfClient.has(db)) return db;
  const adapter = (db as { _engineConfig?: { adapter?: object } })._engineConfig?.adapter;
  const pool = adapter && poolOfAdapter.get(adapter);
  return pool ? sharePool(db, pool) : db;
}

/** Makes `sql(tx)` run on `connection`: the transaction `tx` is of ours (sqlTransaction.ts). */
export function bindConnection(tx: object, connection: pg.PoolClient): void {
  connectionOfTransaction.set(tx, connection);
}

/** The pool a database client shares (`sharePool`), if it shares one. */
export function poolOf(db: object): pg.Pool | undefined {
  return poolOfClient.get(db);
}

/** int8 as bigint, as Prisma's raw queries answer it: a row has one type on either path. */
export const rowTypes: pg.CustomTypesConfig = {
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

/** Every statement declared in the process, by name (`scripts/explainHotPaths.ts` explains them all). */
const declared = new Map<string, Statement>();

/** Declares a statement; its name must be unique in the process (the prepared statement's name). */
export function statement(name: string, text: string): Statement {
  if (declared.has(name)) throw new Error(`two statements are named ${name}`);
  const declaration = { name, text };
  declared.set(name, declaration);
  return declaration;
}

/** The statements the modules loaded so far declared. */
export function declaredStatements(): readonly Statement[] {
  return [...declared.values()];
}

/**
 * An array parameter (`$1`, of `type`) hidden from the planner in a one-row subquery, for a
 * statement whose plan must not depend on how many elements it is given. PostgreSQL plans a named
 * statement's first five executions with their values (custom plans), and then keeps the plan made
 * without them (generic) only while it is estimated no dearer than they were: with the array's
 * values seen, one id looks cheaper than the generic plan's guess of ten, so a statement given one
 * or a few ids was planned again at every execution (products.product.byIds: 240-460 µs of backend
 * CPU per execution, 80 µs with the generic plan). Hidden, both plans are estimated alike and the
 * generic one, index-driven as `npm run bench:hot-paths` shows, is kept.
 */
export const opaqueParameter = (parameter: string, type: string): string => `(SELECT ${parameter}::${type})::${type}`;

/** `ANY(...)` of an array parameter, hidden from the planner (`opaqueParameter`): a look-up by a list of ids. */
export const anyOfParameter = (parameter: string, type = "uuid[]"): string =>
  `ANY(${opaqueParameter(parameter, type)})`;

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

/**
 * A store function for a named statement whose one parameter (`$1`) is a list of ids, as the
 * loaders and look-ups by id use: no ids, no round trip.
 */
export function sqlOfIds<T>(query: Statement): (db: SqlExecutor, ids: readonly string[]) => Promise<T[]> {
  return (db, ids) => (ids.length === 0 ? Promise.resolve([]) : sql<T>(db, query, [ids]));
}
