import { rememberAdapterPool, SharedPool, SharedPoolAdapter } from "./sqlPool";

export interface DatabaseOptions {
  poolSize?: number;
  /**
   * How long PostgreSQL lets a connection sit idle inside a transaction before it ends the session
   * (milliseconds; 0: never). Bounds a transaction whose work hangs between statements: our own
   * SQL transactions have no client-side timeout as Prisma's interactive ones do.
   */
  idleTransactionTimeoutMs?: number;
  /** Emit an event for every SQL statement (tests count them); it costs CPU on every query. */
  logQueries?: boolean;
}

/** As long as the longest interactive transaction Prisma is allowed (the outbox relay's, 3 × its publish timeout). */
export const defaultIdleTransactionTimeoutMs = 15_000;

/** How long a pooled connection may sit unused before the pool ends it. */
export const connectionIdleTimeoutMs = 5 * 60_000;

const queryEvents: Array<{ emit: "event"; level: "query" }> = [{ emit: "event", level: "query" }];

/** The service's one `pg` pool: Prisma's driver adapter and the hot paths' own SQL share it (see sqlPool.ts). */
export function databasePool(databaseUrl: string, options: DatabaseOptions = {}): SharedPool {
  return new SharedPool({
    connectionString: databaseUrl,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: 5000,
    idle_in_transaction_session_timeout: options.idleTransactionTimeoutMs ?? defaultIdleTransactionTimeoutMs,
    // A new connection costs its backend's start, its catalog caches, the parse of every named
    // statement again and their first plans; with pg's default (an idle connection ends after
    // 10 s) the consumers' bursts opened several a minute under load.
    idleTimeoutMillis: connectionIdleTimeoutMs,
    // Idle connections do not keep a process alive (a script that forgot to end its pool exits,
    // as it did after pg's 10 s before).
    allowExitOnIdle: true,
  });
}

/**
 * Options for a generated PrismaClient: the pg driver adapter (Prisma runs without native
 * engines here, see docs/toolchain.md) on the service's pool, which the client ends on
 * `$disconnect`, and, when asked for, query events.
 */
export function prismaClientOptions(
  databaseUrl: string,
  options: DatabaseOptions = {},
  pool: SharedPool = databasePool(databaseUrl, options),
) {
  const adapter = new SharedPoolAdapter(pool, { disposeExternalPool: true });
  rememberAdapterPool(adapter, pool);
  return {
    adapter,
    log: options.logQueries ? queryEvents : queryEvents.slice(0, 0),
  };
}

/** What every generated PrismaClient offers that the shared plumbing needs. */
export interface PrismaLike extends SqlExecutor {
  $connect(): Promise<void>;
  $disconnect(): Promise<void>;
  $on(event: "query", listener: (event: { query: string; duration: number }) => void): void;
}

/** Raw SQL on a client or inside a transaction. Queries are constants with $n placeholders. */
export interface SqlExecutor {
  $executeRawUnsafe(query: string, ...values: unknown[]): PromiseLike<number>;
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): PromiseLike<T>;
}

export interface TransactionOptions {
  maxWait?: number;
  timeout?: number;
  isolationLevel?: "ReadCommitted" | "RepeatableRead" | "Serializable";
}

/** A client that runs interactive transactions, handing `Tx` to the callback. */
export interface TransactionRunner<Tx extends SqlExecutor> {
  $transaction<R>(work: (tx: Tx) => Promise<R>, options?: TransactionOptions): Promise<R>;
}

/** The transaction client a generated PrismaClient hands to `$transaction(async (tx) => ...)`. */
export type TransactionClientOf<Db> = Db extends {
  $transaction(work: (tx: infer Tx) => never, ...rest: never[]): unknown;
}
  ? Tx & SqlExecutor
  : never;
