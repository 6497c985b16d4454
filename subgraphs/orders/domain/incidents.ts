import { BadUserInputError, ConflictError, NotFoundError } from "../../common/errors";
import type { StoredDeadLetter } from "../../common/events/deadLetters";
import { isUuid } from "../../common/validation";
import type { OrdersReader } from "../store/database";
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

/** Staff say an incident is dealt with (the event replayed, or the order settled by hand). */
export async function resolveOrderIncident(
  db: OrdersReader,
  staffId: string,
  id: string,
  note: string | null | undefined,
): Promise<OrderIncidentRecord> {
  if (!isUuid(id)) throw new NotFoundError("No order incident has this id.");
  const trimmed = note?.trim() || null;
  if (trimmed && trimmed.length > maxNoteLength) {
    throw new BadUserInputError(`The note is at most ${maxNoteLength} characters.`, "note");
  }
  const resolved = await resolveIncident(db, id, { by: staffId, note: trimmed });
  if (resolved) return resolved;
  if (!(await findIncident(db, id))) throw new NotFoundError("No order incident has this id.");
  throw new ConflictError("This incident was resolved already.");
}
