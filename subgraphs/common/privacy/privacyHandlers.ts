import type { EventDomain } from "../events/catalog";
import { onEvent, type AnyEventHandler } from "../events/eventConsumer";
import type { Emit } from "../events/unitOfWork";
import { boundedExportPart } from "./privacyParts";

/**
 * What one service does for privacy requests, as plain functions of its own store. Both run in
 * the transaction that records the request's event as applied, with the answer written to the
 * outbox in it, so a service that was down answers once it is back, and exactly once.
 */
export interface PrivacyParticipant<Tx> {
  /** Everything the service holds about the person, as JSON-able values (lists most recent first). */
  exportData(tx: Tx, userId: string): Promise<Record<string, unknown>>;
  /** Erases or anonymises it, keeping what the books need; what it changed, counted by kind. */
  erase(tx: Tx, userId: string): Promise<Record<string, number>>;
}

type AnsweringDomain = Exclude<EventDomain, "users">;

/** The two handlers a service answers privacy requests with, on its own domain's subjects. */
export function privacyEventHandlers<Tx>(
  domain: AnsweringDomain,
  participant: PrivacyParticipant<Tx>,
): Array<AnyEventHandler<Tx>> {
  // Every answering domain has the same two event shapes; the type names one of them for `emit`.
  const exportPart = `${domain}.privacy.export_part` as "orders.privacy.export_part";
  const erasureDone = `${domain}.privacy.erasure_done` as "orders.privacy.erasure_done";
  return [
    onEvent<Tx, "users.privacy.export_requested">("users.privacy.export_requested", async (event, tx, emit: Emit) => {
      const { requestId, userId } = event.data;
      const data = boundedExportPart(await participant.exportData(tx, userId));
      emit(exportPart, { requestId, userId, data });
    }) as AnyEventHandler<Tx>,
    onEvent<Tx, "users.privacy.erasure_requested">("users.privacy.erasure_requested", async (event, tx, emit: Emit) => {
      const { requestId, userId } = event.data;
      emit(erasureDone, { requestId, userId, counts: await participant.erase(tx, userId) });
    }) as AnyEventHandler<Tx>,
  ];
}
