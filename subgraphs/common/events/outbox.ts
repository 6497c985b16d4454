import type { SqlExecutor } from "../database/prismaOptions";
import type { EventEnvelope } from "./envelope";

/**
 * Writes events to the service's outbox table. Call it inside the transaction that makes the
 * change the events describe: they commit or roll back together.
 */
export async function appendToOutbox(tx: SqlExecutor, events: readonly EventEnvelope[]): Promise<void> {
  if (events.length === 0) return;
  const values: unknown[] = [];
  const rows = events.map((event, index) => {
    values.push(event.id, event.type, JSON.stringify(event), event.occurredAt);
    const n = index * 4;
    return `($${n + 1}::uuid, $${n + 2}, $${n + 3}::jsonb, $${n + 4}::timestamptz)`;
  });
  await tx.$executeRawUnsafe(
    `INSERT INTO outbox_event (id, type, envelope, occurred_at) VALUES ${rows.join(", ")}`,
    ...values,
  );
}

export interface OutboxRow {
  seq: bigint;
  id: string;
  type: string;
  envelope: EventEnvelope;
}

const unpublishedSince = "published_at IS NULL AND occurred_at <= now() - make_interval(secs => $1)";

/** Whether a row at least `minAgeMs` old waits to be published (no lock taken). */
export async function hasUnpublished(db: SqlExecutor, minAgeMs: number): Promise<boolean> {
  const rows = await db.$queryRawUnsafe<unknown[]>(
    `SELECT 1 FROM outbox_event WHERE ${unpublishedSince} LIMIT 1`,
    minAgeMs / 1000,
  );
  return rows.length > 0;
}

/**
 * Locks the oldest unpublished rows at least `minAgeMs` old; rows another relay holds are
 * skipped, not waited for.
 */
export function lockUnpublished(tx: SqlExecutor, limit: number, minAgeMs = 0): PromiseLike<OutboxRow[]> {
  return tx.$queryRawUnsafe<OutboxRow[]>(
    `SELECT seq, id::text AS id, type, envelope FROM outbox_event
      WHERE ${unpublishedSince} ORDER BY seq LIMIT $2 FOR UPDATE SKIP LOCKED`,
    minAgeMs / 1000,
    limit,
  );
}

export function markPublished(tx: SqlExecutor, rows: readonly OutboxRow[]): PromiseLike<number> {
  const placeholders = rows.map((_, index) => `$${index + 1}`).join(", ");
  return tx.$executeRawUnsafe(
    `UPDATE outbox_event SET published_at = now() WHERE seq IN (${placeholders})`,
    ...rows.map((row) => row.seq),
  );
}

/** Stamps rows published straight after their commit, found by event id. */
export function markPublishedByIds(db: SqlExecutor, ids: readonly string[]): PromiseLike<number> {
  return db.$executeRawUnsafe(
    "UPDATE outbox_event SET published_at = now() WHERE id = ANY($1::uuid[]) AND published_at IS NULL",
    ids,
  );
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
