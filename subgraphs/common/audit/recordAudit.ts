import { randomUUID } from "node:crypto";
import type { Caller } from "../auth/caller";
import type { SqlExecutor } from "../database/prismaOptions";
import type { Emit } from "../events/unitOfWork";
import type { ServiceName } from "../serviceNames";
import type { AuditActorKind, AuditEntityType, AuditRecord } from "./auditEntry";
import { auditEventOf } from "./auditEvents";
import { redacted } from "./redact";
import { insertAuditRecord } from "./auditStore";

/** A change to record: what the service knows; the kit adds the id, the time and the actor. */
export interface AuditChange {
  entityType: AuditEntityType;
  entityId: string;
  action: string;
  /** The entity before the change (null when it is new): chosen fields, secrets never. */
  before: unknown;
  /** The entity after the change (null when it is gone). */
  after: unknown;
}

/** Who acted, from the request's caller: an API key when the caller is one, else the signed-in user. */
export function auditActorOf(caller: Caller | null | undefined): { kind: AuditActorKind; id: string | null } {
  if (!caller) return { kind: "SYSTEM", id: null };
  // A key's caller also carries the key id as its userId (for rate limits); `apiKey` says which it is.
  if (caller.apiKey) return { kind: "API_KEY", id: caller.apiKey.id };
  return { kind: "USER", id: caller.userId };
}

/**
 * Records a back-office change in the service's own `audit_entry` table, inside `tx`, the
 * transaction that makes the change: the entry exists exactly when the change does. A service
 * other than users also emits the entry (through the same transaction's outbox), so the users
 * service keeps the one log the back office queries.
 */
export async function recordAudit(
  tx: SqlExecutor,
  emit: Emit,
  service: ServiceName,
  caller: Caller | null | undefined,
  change: AuditChange,
): Promise<AuditRecord> {
  const actor = auditActorOf(caller);
  const record: AuditRecord = {
    id: randomUUID(),
    service,
    actorKind: actor.kind,
    actorId: actor.id,
    entityType: change.entityType,
    entityId: change.entityId,
    action: change.action,
    before: redacted(change.before),
    after: redacted(change.after),
    occurredAt: new Date().toISOString(),
  };
  await insertAuditRecord(tx, record);
  const eventType = auditEventOf[service];
  if (eventType) emit(eventType, record);
  return record;
}
