/**
 * Whether a database failure says nothing about the work itself: the server could not be
 * reached, went away, or asked for the transaction to be tried again. Such a failure heals by
 * waiting; anything else (a constraint, a bug, bad data) fails again however often it is tried.
 */

/** Prisma's codes for an unreachable or overloaded server, a pool or transaction timeout, a write conflict or deadlock. */
const transientPrismaCodes = new Set(["P1001", "P1002", "P1008", "P1011", "P1017", "P2024", "P2028", "P2034"]);

/** What the pg driver adapter reports when the connection itself failed. */
const transientAdapterKinds = new Set([
  "DatabaseNotReachable",
  "ConnectionClosed",
  "SocketTimeout",
  "TooManyConnections",
  "TransactionWriteConflict",
]);

/** PostgreSQL's SQLSTATEs for a connection lost, a server shutting down, too many connections, a serialization failure or deadlock. */
function isTransientSqlState(code: string): boolean {
  return code.startsWith("08") || ["40001", "40P01", "53300", "57P01", "57P02", "57P03"].includes(code);
}

/** Node's codes for a network connection that failed or broke. */
const transientNetworkCodes = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

interface ErrorShape {
  code?: unknown;
  meta?: { driverAdapterError?: { cause?: { kind?: unknown; code?: unknown; originalCode?: unknown } } };
  cause?: unknown;
}

export function isTransientDatabaseFailure(error: unknown): boolean {
  for (
    let current = error as ErrorShape | undefined, depth = 0;
    current && depth < 5;
    current = current.cause as ErrorShape | undefined, depth += 1
  ) {
    const code = typeof current.code === "string" ? current.code : undefined;
    if (
      code &&
      (transientPrismaCodes.has(code) ||
        transientNetworkCodes.has(code) ||
        (/^[0-9A-Z]{5}$/.test(code) && isTransientSqlState(code)))
    )
      return true;
    const adapter = current.meta?.driverAdapterError?.cause;
    if (adapter) {
      if (typeof adapter.kind === "string" && transientAdapterKinds.has(adapter.kind)) return true;
      const sqlState = adapter.originalCode ?? adapter.code;
      if (typeof sqlState === "string" && isTransientSqlState(sqlState)) return true;
    }
  }
  return false;
}
