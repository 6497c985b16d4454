import type { SqlExecutor } from "../../common/database/prismaOptions";
import type { AuditRecord } from "../../common/audit/auditEntry";

/** Which entries to read; every field given must match. */
export interface AuditLogQuery {
  entityType?: string | null;
  entityId?: string | null;
  actorId?: string | null;
}

export interface AuditLogRow extends Omit<AuditRecord, "occurredAt"> {
  occurredAt: Date;
}

/** The WHERE clause of a query and its values, from `$1` on. */
function conditions(query: AuditLogQuery): { where: string[]; values: unknown[] } {
  const where: string[] = [];
  const values: unknown[] = [];
  if (query.entityType) where.push(`entity_type = $${values.push(query.entityType)}`);
  if (query.entityId) where.push(`entity_id = $${values.push(query.entityId)}`);
  if (query.actorId) where.push(`actor_id = $${values.push(query.actorId)}::uuid`);
  return { where, values };
}

/**
 * A page of the log, newest first, after the keyset position `(occurredAt, id)`: one index scan
 * whichever filter is given (entity, actor, or none; see the indexes of `audit_entry`).
 */
export function listAuditEntries(
  db: SqlExecutor,
  query: AuditLogQuery,
  size: number,
  after: { occurredAt: Date; id: string } | null,
): PromiseLike<AuditLogRow[]> {
  const { where, values } = conditions(query);
  if (after) {
    const at = values.push(after.occurredAt);
    const id = values.push(after.id);
    where.push(`(occurred_at, id) < ($${at}::timestamptz, $${id}::uuid)`);
  }
  const limit = values.push(size + 1);
  return db.$queryRawUnsafe<AuditLogRow[]>(
    `SELECT id::text AS id, service, actor_kind AS "actorKind", actor_id::text AS "actorId", entity_type AS "entityType",
            entity_id AS "entityId", action, before, after, occurred_at AS "occurredAt"
       FROM audit_entry ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
      ORDER BY occurred_at DESC, id DESC LIMIT $${limit}`,
    ...values,
  );
}

export async function countAuditEntries(db: SqlExecutor, query: AuditLogQuery): Promise<number> {
  const { where, values } = conditions(query);
  const [row] = await db.$queryRawUnsafe<Array<{ count: bigint }>>(
    `SELECT count(*) AS count FROM audit_entry ${where.length ? `WHERE ${where.join(" AND ")}` : ""}`,
    ...values,
  );
  return Number(row?.count ?? 0);
}
