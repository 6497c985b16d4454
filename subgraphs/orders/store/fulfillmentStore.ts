import type { FulfillmentStatus } from "../generated/prisma/client";
import type { OrdersReader, OrdersTx } from "./database";
import type { FulfillmentLineRecord, FulfillmentRecord } from "./records";

export type FulfillmentWithLines = FulfillmentRecord & { lines: FulfillmentLineRecord[] };

/** Fulfillments of orders, oldest first, with their lines (at most 50 an order: bounded by who makes them). */
export function findFulfillmentsOfOrders(
  db: OrdersReader,
  orderIds: readonly string[],
): Promise<FulfillmentWithLines[]> {
  return db.fulfillment.findMany({
    where: { orderId: { in: [...orderIds] } },
    include: { lines: true },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
  });
}

/** Units of each line of an order already in fulfillments. */
export async function fulfilledUnits(db: OrdersReader, orderId: string): Promise<Map<string, number>> {
  const rows = await db.fulfillmentLine.groupBy({
    by: ["orderItemId"],
    where: { fulfillment: { orderId } },
    _sum: { quantity: true },
  });
  return new Map(rows.map((row) => [row.orderItemId, row._sum.quantity ?? 0]));
}

export function countFulfillments(db: OrdersReader, orderId: string): Promise<number> {
  return db.fulfillment.count({ where: { orderId } });
}

export function insertFulfillment(
  tx: OrdersTx,
  fulfillment: {
    orderId: string;
    locationId: string | null;
    carrierId: string | null;
    carrierName: string;
    trackingNumber: string;
    trackingUrl: string | null;
    lines: ReadonlyArray<{ orderItemId: string; quantity: number }>;
  },
): Promise<FulfillmentWithLines> {
  const { lines, ...fields } = fulfillment;
  return tx.fulfillment.create({
    data: { ...fields, lines: { create: lines.map((line) => ({ ...line })) } },
    include: { lines: true },
  });
}

/** The fulfillment a carrier's event names: by our id, or by the carrier and its tracking number. */
export async function findTrackedFulfillment(
  db: OrdersReader,
  by: { fulfillmentId?: string | null; carrierId: string; trackingNumber: string },
): Promise<FulfillmentRecord | null> {
  if (by.fulfillmentId) {
    const found = await db.fulfillment.findUnique({ where: { id: by.fulfillmentId } });
    return found?.carrierId === by.carrierId ? found : null;
  }
  return db.fulfillment.findFirst({
    where: { carrierId: by.carrierId, trackingNumber: by.trackingNumber },
    orderBy: { createdAt: "desc" },
  });
}

export function saveFulfillmentStatus(
  tx: OrdersTx,
  id: string,
  change: { status: FulfillmentStatus; statusAt: Date; deliveredAt?: Date },
): Promise<FulfillmentWithLines> {
  return tx.fulfillment.update({ where: { id }, data: change, include: { lines: true } });
}

/** Marks every fulfillment of an order delivered (the back office said the whole order is). */
export async function deliverAllFulfillments(tx: OrdersTx, orderId: string, at: Date): Promise<void> {
  await tx.fulfillment.updateMany({
    where: { orderId, status: { not: "DELIVERED" } },
    data: { status: "DELIVERED", statusAt: at, deliveredAt: at },
  });
}

/** Records a carrier's event id; false when it was applied already (a replay). */
export async function claimCarrierEvent(tx: OrdersTx, carrierCode: string, eventId: string): Promise<boolean> {
  const { count } = await tx.carrierEvent.createMany({ data: [{ carrierCode, eventId }], skipDuplicates: true });
  return count === 1;
}
