import { lockUntilCommit } from "../../common/database/advisoryLock";
import type { InventoryReader, InventoryTx } from "./database";

/**
 * Serialises reservation work on one order (reserve, release, deduct) until the transaction
 * ends, so that a redelivered or concurrent event sees the first one's outcome.
 */
export function lockOrder(tx: InventoryTx, orderId: string): Promise<void> {
  return lockUntilCommit(tx, `inventory:order:${orderId}`);
}

/** An order's reservations, in (variant, location) order: the order stock rows are locked in. */
export function findReservations(db: InventoryReader, orderId: string) {
  return db.reservation.findMany({ where: { orderId }, orderBy: [{ variantId: "asc" }, { locationId: "asc" }] });
}

/** Writes what is left of one reservation after a parcel (units shipped, units released elsewhere). */
export async function saveReservation(
  tx: InventoryTx,
  key: { orderId: string; variantId: string; locationId: string },
  change: { quantity: number; shipped: number; status: "RESERVED" | "RELEASED" | "DEDUCTED" },
): Promise<void> {
  await tx.reservation.update({
    where: {
      orderId_variantId_locationId: { orderId: key.orderId, variantId: key.variantId, locationId: key.locationId },
    },
    data: change,
  });
}
