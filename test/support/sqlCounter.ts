import pg from "pg";
import type { PrismaLike } from "../../subgraphs/common/database/prismaOptions";

/** Statements of the event plumbing (outbox relay polls, transaction control), not of the request under test. */
const background = /outbox_event|processed_event|^\s*(BEGIN|COMMIT|ROLLBACK)/i;

/** Counts the SQL statements a Prisma client sends while `work` runs. */
export async function countStatements<T>(
  clients: Record<string, PrismaLike>,
  work: () => Promise<T>,
): Promise<{ result: T; counts: Record<string, number>; statements: string[] }> {
  const counts = Object.fromEntries(Object.keys(clients).map((name) => [name, 0]));
  const statements: string[] = [];
  let recording = true;
  for (const [name, client] of Object.entries(clients)) {
    client.$on("query", (event) => {
      if (!recording || background.test(event.query)) return;
      counts[name] = (counts[name] ?? 0) + 1;
      statements.push(`${name}: ${event.query}`);
    });
  }
  try {
    const result = await work();
    return { result, counts, statements };
  } finally {
    recording = false;
  }
}

type QueryArgument = string | { text?: string } | undefined;
type CountedClient = pg.Client & { database?: string; uncounted?: boolean };

/** A statement one `pg` connection of this process sent: to which database, and its text. */
export interface SentStatement {
  database: string;
  text: string;
  /** Which connection sent it (a number per connection of the process). */
  connection: number;
}

const connectionNumbers = new WeakMap<object, number>();
let connections = 0;

/**
 * Records every statement that any `pg` connection of this process sends while `work` runs
 * (Prisma's through its driver adapter and the services' own SQL on the shared pool alike), with
 * the database it went to; connections marked `uncounted` (a test's own probes) are left out.
 */
export async function recordSentStatements<T>(
  work: () => Promise<T>,
): Promise<{ result: T; statements: SentStatement[] }> {
  const statements: SentStatement[] = [];
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: CountedClient, ...args: unknown[]) {
    const first = args[0] as QueryArgument;
    if (!this.uncounted) {
      if (!connectionNumbers.has(this)) connectionNumbers.set(this, (connections += 1));
      statements.push({
        database: this.database ?? "",
        text: (typeof first === "string" ? first : (first?.text ?? "")).trim(),
        connection: connectionNumbers.get(this)!,
      });
    }
    return (original as (...rest: unknown[]) => unknown).apply(this, args);
  } as typeof pg.Client.prototype.query;
  try {
    return { result: await work(), statements };
  } finally {
    pg.Client.prototype.query = original;
  }
}

/**
 * Periodic work that is no request's or order's own: the outbox relay's and the due-work workers'
 * polls, the payment-window and cart-expiry scans, readiness probes and metrics gauges.
 */
export const periodicWork =
  /published_at IS NULL AND occurred_at <=|next_attempt_at <= now\(\)|payment_deadline < now\(\)|expires_at < now\(\)|^SELECT 1$|outbox_backlog|count\(\*\) AS pending/i;

/**
 * The relay stamping what it published: an order's own work, but run after the commit, whenever
 * the publish acknowledgement comes back (and lingering to share one UPDATE), so counted apart.
 */
export const outboxStamp = /^UPDATE outbox_event SET published_at/i;

/** A `pg` connection whose statements `recordSentStatements` leaves out (a test's probes). */
export async function uncountedClient(connectionString: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString }) as CountedClient;
  client.uncounted = true;
  await client.connect();
  return client;
}

/**
 * The statements that are not `background` (a poll), nor in a transaction with one: a poll's
 * transaction (the outbox relay's BEGIN, lock, COMMIT) is left out whole.
 */
export function withoutBackground(statements: readonly SentStatement[], background: RegExp): SentStatement[] {
  const groups: SentStatement[][] = [];
  const open = new Map<number, SentStatement[]>();
  for (const each of statements) {
    const verb = /^\s*(\w+)/.exec(each.text)?.[1]?.toUpperCase();
    let group = open.get(each.connection);
    if (!group) {
      group = [];
      groups.push(group);
      if (verb === "BEGIN" || verb === "START") open.set(each.connection, group);
    }
    group.push(each);
    if (verb === "COMMIT" || verb === "ROLLBACK" || verb === "END") open.delete(each.connection);
  }
  const dropped = new Set(groups.filter((group) => group.some((each) => background.test(each.text))).flat());
  return statements.filter((each) => !dropped.has(each));
}
