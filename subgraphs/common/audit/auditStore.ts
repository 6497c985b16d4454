import type { SqlExecutor } from "../database/prismaOptions";
import type { AuditRecord } from "./auditEntry";

/**
 * Appends an entry; an entry already there (the same event delivered again) is left as it is.
 * The table refuses UPDATE and DELETE (a trigger), so this is the only write it ever takes.
 */
export async function insertAuditRecord(db: SqlExecutor, record: AuditRecord): Promise<void> {
  await db.$executeRawUnsafe(
    `INSERT INTO audit_entry (id, service, actor_kind, actor_id, entity_type, entity_id, action, before, after, occurred_at)
     VALUES ($1::uuid, $2, $3, $4::uuid, $5, $6, $7, $8::jsonb, $9::jsonb, $10::timestamptz)
     ON CONFLICT (id) DO NOTHING`,
    record.id,
    record.service,
    record.actorKind,
    record.actorId,
    record.entityType,
    record.entityId,
    record.action,
    record.before === null ? null : JSON.stringify(record.before),
    record.after === null ? null : JSON.stringify(record.after),
    record.occurredAt,
  );
}
