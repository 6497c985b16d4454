import type { OrderIncident } from "../generated/prisma/client";
import type { OrdersReader } from "./database";

export type OrderIncidentRecord = OrderIncident;

export interface NewOrderIncident {
  orderId: string;
  deadLetterSeq: number;
  service: string;
  consumer: string;
  eventType: string | null;
  eventId: string | null;
  reason: string;
  failedAt: Date;
}

/**
 * Records the incident if its order exists here; the same dead letter twice records it once.
 * Returns whether a row was written.
 */
export async function recordIncident(db: OrdersReader, incident: NewOrderIncident): Promise<boolean> {
  const written = await db.$executeRaw`
    INSERT INTO order_incidents
      (id, order_id, dead_letter_seq, service, consumer, event_type, event_id, reason, failed_at)
    SELECT gen_random_uuid(), o.id, ${BigInt(incident.deadLetterSeq)}, ${incident.service}, ${incident.consumer},
           ${incident.eventType}, ${incident.eventId}, ${incident.reason}, ${incident.failedAt}
      FROM orders o
     WHERE o.id = ${incident.orderId}::uuid
    ON CONFLICT (dead_letter_seq) DO NOTHING`;
  return written > 0;
}

export function findIncidentsOfOrders(db: OrdersReader, orderIds: readonly string[]): Promise<OrderIncidentRecord[]> {
  return db.orderIncident.findMany({
    where: { orderId: { in: [...orderIds] } },
    orderBy: [{ orderId: "asc" }, { createdAt: "asc" }],
  });
}

/** The oldest unresolved incidents first: what needs someone's attention. */
export function listOpenIncidents(db: OrdersReader, size: number): Promise<OrderIncidentRecord[]> {
  return db.orderIncident.findMany({ where: { resolvedAt: null }, orderBy: [{ createdAt: "asc" }], take: size });
}

export function findIncident(db: OrdersReader, id: string): Promise<OrderIncidentRecord | null> {
  return db.orderIncident.findUnique({ where: { id } });
}

/** Marks an open incident dealt with; null when it was resolved already (or does not exist). */
export async function resolveIncident(
  db: OrdersReader,
  id: string,
  resolution: { by: string; note: string | null },
): Promise<OrderIncidentRecord | null> {
  const { count } = await db.orderIncident.updateMany({
    where: { id, resolvedAt: null },
    data: { resolvedAt: new Date(), resolvedBy: resolution.by, resolution: resolution.note },
  });
  return count ? db.orderIncident.findUnique({ where: { id } }) : null;
}
