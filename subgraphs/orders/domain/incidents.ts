import { recordAudit } from "../../common/audit/recordAudit";
import type { Caller } from "../../common/auth/caller";
import { BadUserInputError, ConflictError, NotFoundError } from "../../common/errors";
import type { UnitOfWork } from "../../common/events/unitOfWork";
import type { StoredDeadLetter } from "../../common/events/deadLetters";
import { isUuid } from "../../common/validation";
import type { OrdersReader, OrdersTx } from "../store/database";
import { findIncident, recordIncident, resolveIncident, type OrderIncidentRecord } from "../store/incidentStore";

const maxNoteLength = 1000;

/**
 * A dead letter about one of our orders becomes an incident on that order, so an order whose
 * stock or payment is stuck is seen in the back office rather than waiting for ever. Dead letters
 * about nothing we own (no order id, or another namespace's order) are passed over.
 */
export async function noteDeadLetter(db: OrdersReader, letter: StoredDeadLetter): Promise<boolean> {
  const { record } = letter;
  if (!record.orderId || !isUuid(record.orderId)) return false;
  const failedAt = new Date(record.failedAt);
  return recordIncident(db, {
    orderId: record.orderId,
    deadLetterSeq: letter.seq,
    service: record.service,
    consumer: record.consumer,
    eventType: record.eventType ?? null,
    eventId: record.eventId ?? null,
    reason: record.reason.slice(0, 2000),
    failedAt: Number.isNaN(failedAt.getTime()) ? new Date() : failedAt,
  });
}

/** What resolving an incident needs: the transaction it runs in and who does it (for the audit log). */
export interface IncidentResolutionDependencies {
  unitOfWork: UnitOfWork<OrdersTx>;
  caller: Caller;
}

/**
 * Staff say an incident is dealt with (the event replayed, or the order settled by hand); the
 * resolution is audited in its own transaction, as every back-office change.
 */
export async function resolveOrderIncident(
  deps: IncidentResolutionDependencies,
  id: string,
  note: string | null | undefined,
): Promise<OrderIncidentRecord> {
  if (!isUuid(id)) throw new NotFoundError("No order incident has this id.");
  const trimmed = note?.trim() || null;
  if (trimmed && trimmed.length > maxNoteLength) {
    throw new BadUserInputError(`The note is at most ${maxNoteLength} characters.`, "note");
  }
  return deps.unitOfWork(async (tx, emit) => {
    const resolved = await resolveIncident(tx, id, { by: deps.caller.userId, note: trimmed });
    if (!resolved) {
      if (!(await findIncident(tx, id))) throw new NotFoundError("No order incident has this id.");
      throw new ConflictError("This incident was resolved already.");
    }
    await recordAudit(tx, emit, "orders", deps.caller, {
      entityType: "ORDER",
      entityId: resolved.orderId,
      action: "order.incident_resolved",
      before: { incidentId: resolved.id, eventType: resolved.eventType, resolvedAt: null },
      after: {
        incidentId: resolved.id,
        eventType: resolved.eventType,
        resolvedAt: resolved.resolvedAt?.toISOString() ?? null,
        resolution: resolved.resolution,
      },
    });
    return resolved;
  });
}
