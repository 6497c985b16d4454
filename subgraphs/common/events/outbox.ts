import type { SqlExecutor } from "../database/prismaOptions";
import { sql, statement } from "../database/sqlPool";
import type { EventEnvelope } from "./envelope";

/**
 * The outbox insert of events given as four array parameters from `$first` on (`outboxRows`),
 * with a condition of the statement it is part of (`where`), for a statement that writes its
 * own events.
 */
export const outboxInsertOf = (
  first: number,
  where = "true",
) => `INSERT INTO outbox_event (id, type, envelope, occurred_at)
   SELECT id, type, envelope, occurred_at
     FROM unnest($${first}::uuid[], $${first + 1}::text[], $${first + 2}::jsonb[], $${first + 3}::timestamptz[])
          WITH ORDINALITY AS event(id, type, envelope, occurred_at, n)
    WHERE ${where}
    ORDER BY n`;

/** The four parameters of `outboxInsertOf`: the events' ids, types, envelopes and times. */
export function outboxRows(events: readonly EventEnvelope[]): [string[], string[], string[], string[]] {
  return [
    events.map((event) => event.id),
    events.map((event) => event.type),
    events.map((event) => JSON.stringify(event)),
    events.map((event) => event.occurredAt),
  ];
}

const insertEvents = statement("outbox_insert", outboxInsertOf(1));

/**
 * Writes events to the service's outbox table, in one statement however many (their `seq` in
 * the order given). Call it inside the transaction that makes the change the events describe:
 * they commit or roll back together.
 */
export async function appendToOutbox(tx: SqlExecutor, events: readonly EventEnvelope[]): Promise<void> {
  if (events.length === 0) return;
  await sql(tx, insertEvents, outboxRows(events));
}

export interface OutboxRow {
  seq: bigint;
  id: string;
  type: string;
  envelope: EventEnvelope;
}

const unpublishedSince = "published_at IS NULL AND occurred_at <= now() - make_interval(secs => $1)";

const anyUnpublished = statement(
  "outbox_any_unpublished",
  `SELECT 1 AS found FROM outbox_event WHERE ${unpublishedSince} LIMIT 1`,
);

/** Whether a row at least `minAgeMs` old waits to be published (no lock taken). */
export async function hasUnpublished(db: SqlExecutor, minAgeMs: number): Promise<boolean> {
  const rows = await sql(db, anyUnpublished, [minAgeMs / 1000]);
  return rows.length > 0;
}

const lockOldest = statement(
  "outbox_lock_unpublished",
  `SELECT seq, id::text AS id, type, envelope FROM outbox_event
    WHERE ${unpublishedSince} ORDER BY seq LIMIT $2 FOR UPDATE SKIP LOCKED`,
);

/**
 * Locks the oldest unpublished rows at least `minAgeMs` old; rows another relay holds are
 * skipped, not waited for.
 */
export function lockUnpublished(tx: SqlExecutor, limit: number, minAgeMs = 0): Promise<OutboxRow[]> {
  return sql<OutboxRow>(tx, lockOldest, [minAgeMs / 1000, limit]);
}

const stampBySeq = statement(
  "outbox_stamp_by_seq",
  "UPDATE outbox_event SET published_at = now() WHERE seq = ANY($1::int8[])",
);

export async function markPublished(tx: SqlExecutor, rows: readonly OutboxRow[]): Promise<void> {
  await sql(tx, stampBySeq, [rows.map((row) => String(row.seq))]);
}

/**
 * The stamp commits without waiting for its WAL to reach the disk (`synchronous_commit` off for
 * its own transaction only: `set_config(..., true)`), which saves the commit's flush, the
 * largest part of the statement's cost. Losing it to a crash is harmless by design: the rows
 * look unpublished again, the poll publishes them again, and consumers apply an event once
 * (their record of applied events; JetStream also drops a repeated `Nats-Msg-Id`).
 */
const stampByIds = statement(
  "outbox_stamp_by_ids",
  `UPDATE outbox_event SET published_at = now()
     FROM (SELECT set_config('synchronous_commit', 'off', true)) AS unflushed
    WHERE id = ANY($1::uuid[]) AND published_at IS NULL`,
);

/**
 * Stamps rows published straight after their commit, found by event id. Run on its own, never
 * inside a transaction: the stamp's relaxed commit would be that transaction's.
 */
export async function markPublishedByIds(db: SqlExecutor, ids: readonly string[]): Promise<void> {
  await sql(db, stampByIds, [ids]);
}

/** How many events wait to be published, and the age in seconds of the oldest. */
export async function outboxBacklog(db: SqlExecutor): Promise<{ pending: number; oldestAgeSeconds: number }> {
  const [row] = await db.$queryRawUnsafe<Array<{ pending: bigint; oldest: Date | null }>>(
    "SELECT count(*) AS pending, min(occurred_at) AS oldest FROM outbox_event WHERE published_at IS NULL",
  );
  const oldest = row?.oldest ? new Date(row.oldest) : null;
  return { pending: Number(row?.pending ?? 0), oldestAgeSeconds: oldest ? (Date.now() - oldest.getTime()) / 1000 : 0 };
}

/** Deletes published rows older than the retention, keeping the table small. */
export function pruneOutbox(db: SqlExecutor, retentionHours: number): PromiseLike<number> {
  return db.$executeRawUnsafe(
    "DELETE FROM outbox_event WHERE published_at < now() - make_interval(hours => $1)",
    retentionHours,
  );
}
