import pg from "pg";
import type { Redis } from "ioredis";
import type { NatsConnection } from "nats";
import { Counter, type Registry } from "prom-client";

/**
 * What one process asked of PostgreSQL and Redis, counted where it is sent: the work a request or
 * an event costs, which the benchmark divides by the orders it confirmed. Process-wide (several
 * services in one test process share them).
 */
const counts = { sqlStatements: 0, sqlCommits: 0, sqlRollbacks: 0, redisCommands: 0 };

type QueryArgument = string | { text?: string } | undefined;
type CountedClient = pg.Client & { inTransaction?: boolean };

let sqlCounting = false;

/**
 * Counts every statement sent by any `pg` client of this process (Prisma's adapter and raw SQL
 * alike) and every commit: a COMMIT, or a statement outside BEGIN, which PostgreSQL commits by
 * itself. Installed once; a wrapper around `Client.prototype.query`, so it costs an increment.
 */
export function countSqlStatements(): void {
  if (sqlCounting) return;
  sqlCounting = true;
  const original = pg.Client.prototype.query as (...args: unknown[]) => unknown;
  pg.Client.prototype.query = function (this: CountedClient, ...args: unknown[]) {
    const first = args[0] as QueryArgument;
    const text = typeof first === "string" ? first : (first?.text ?? "");
    counts.sqlStatements += 1;
    const keyword = /^\s*(\w+)(\s+TO\b)?/i.exec(text);
    const verb = keyword?.[1]?.toUpperCase();
    if (verb === "BEGIN" || verb === "START") this.inTransaction = true;
    else if (verb === "COMMIT" || verb === "END") {
      this.inTransaction = false;
      counts.sqlCommits += 1;
    } else if (verb === "ROLLBACK" && !keyword?.[2]) {
      this.inTransaction = false;
      counts.sqlRollbacks += 1;
    } else if (!this.inTransaction) counts.sqlCommits += 1;
    return original.apply(this, args);
  } as typeof pg.Client.prototype.query;
}

/** Counts the commands this Redis client sends (pipelines and transactions included, one per command). */
export function countRedisCommands(redis: Redis): Redis {
  const send = redis.sendCommand.bind(redis);
  redis.sendCommand = ((...args: Parameters<Redis["sendCommand"]>) => {
    counts.redisCommands += 1;
    return send(...args);
  }) as Redis["sendCommand"];
  return redis;
}

/** A counter whose value is read from `value()` when Prometheus scrapes. */
function readCounter(registry: Registry, name: string, help: string, value: () => number): void {
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      this.reset();
      this.inc(value());
    },
  });
}

/** Exposes the process's SQL and Redis counts on a registry. */
export function registerWorkCounters(registry: Registry): void {
  countSqlStatements();
  readCounter(registry, "sql_statements_total", "SQL statements this process sent.", () => counts.sqlStatements);
  readCounter(
    registry,
    "sql_commits_total",
    "Transactions this process committed (COMMITs and statements outside a transaction).",
    () => counts.sqlCommits,
  );
  readCounter(registry, "sql_rollbacks_total", "Transactions this process rolled back.", () => counts.sqlRollbacks);
  readCounter(registry, "redis_commands_total", "Redis commands this process sent.", () => counts.redisCommands);
}

/**
 * Exposes a NATS connection's traffic: messages it sent (publishes, JetStream acknowledgements
 * and pull requests) and received (deliveries and replies).
 */
export function registerNatsCounters(registry: Registry, nats: NatsConnection): void {
  readCounter(registry, "nats_messages_sent_total", "NATS messages this connection sent.", () => nats.stats().outMsgs);
  readCounter(
    registry,
    "nats_messages_received_total",
    "NATS messages this connection received.",
    () => nats.stats().inMsgs,
  );
}
