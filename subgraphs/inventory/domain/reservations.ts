import type { Emit } from "../../common/events/unitOfWork";
import type { InventorySqlTx, InventoryTx } from "../store/database";
import { findReservations, lockOrder, saveReservation } from "../store/reservationStore";
import { normaliseLines, reserveOrders, type OrderLine, type ReservationOutcome } from "./reserveOrders";
import { settleOrders } from "./settleOrders";
import { applyStockChanges, type LocationChange } from "./stockChanges";

export { normaliseLines, type OrderLine, type ReservationOutcome } from "./reserveOrders";

/**
 * Reserves every line of an order, or none: `reserveOrders` for a batch of one (three
 * statements). Reserving an order twice, or one already cancelled, changes nothing.
 */
export async function reserveOrder(
  tx: InventorySqlTx,
  emit: Emit,
  orderId: string,
  lines: readonly OrderLine[],
): Promise<ReservationOutcome> {
  const [outcome] = await reserveOrders(tx, emit, [{ orderId, lines }]);
  return outcome!;
}

/**
 * Gives back an order's reserved units at the locations they were held (cancelled, unpaid):
 * `settleOrders` for a batch of one. Reservations already settled are left alone; an order not
 * reserved yet is closed, so a late "placed" reserves nothing for it. Returns how many
 * reservations were released.
 */
export async function releaseOrder(tx: InventorySqlTx, emit: Emit, orderId: string, reason: string): Promise<number> {
  const [released] = await settleOrders(tx, emit, [{ orderId, action: "release", reason }]);
  return released!;
}

/** Turns an order's reservations into deductions where they were held, when it ships: on hand and reserved both drop. */
export async function deductOrder(tx: InventorySqlTx, emit: Emit, orderId: string): Promise<number> {
  const [deducted] = await settleOrders(tx, emit, [
    { orderId, action: "deduct", reason: `shipped with order ${orderId}` },
  ]);
  return deducted!;
}

/**
 * An order edited before it shipped gives back the units its lines gave up, at the locations
 * they were held: each variant's reservations shrink by that many units still held (a
 * reservation left holding nothing is RELEASED). Applied once per event (the consumer records
 * it); units no longer held (the order was released meanwhile) are not released twice.
 */
export async function releaseEditedUnits(
  tx: InventoryTx,
  emit: Emit,
  edit: { orderId: string; editId: string; lines: readonly OrderLine[] },
): Promise<void> {
  const { orderId } = edit;
  await lockOrder(tx, orderId);
  const reservations = await findReservations(tx, orderId);
  const reason = `order ${orderId} edited (edit ${edit.editId})`;
  const changes: LocationChange[] = [];
  const touched: typeof reservations = [];
  const released = new Map<(typeof reservations)[number], number>();
  for (const line of normaliseLines(edit.lines)) {
    let left = line.quantity;
    for (const reservation of reservations) {
      if (left === 0) break;
      if (reservation.variantId !== line.variantId || reservation.status !== "RESERVED") continue;
      const take = Math.min(left, reservation.quantity - reservation.shipped);
      if (take <= 0) continue;
      changes.push({
        variantId: line.variantId,
        productId: reservation.productId,
        locationId: reservation.locationId,
        orderId,
        onHandDelta: 0,
        reservedDelta: -take,
        kind: "RELEASE",
        reason,
      });
      reservation.quantity -= take;
      left -= take;
      touched.push(reservation);
      released.set(reservation, (released.get(reservation) ?? 0) + take);
    }
  }
  if (changes.length === 0) return;
  if (!(await applyStockChanges(tx, emit, changes))) throw new Error(`stock holds less than order ${orderId} reserved`);
  for (const reservation of new Set(touched)) {
    const open = reservation.quantity - reservation.shipped;
    // A reservation keeps a positive quantity: one released in full keeps what it held, RELEASED.
    const change =
      open > 0
        ? { quantity: reservation.quantity, shipped: reservation.shipped, status: "RESERVED" as const }
        : reservation.shipped > 0
          ? { quantity: reservation.shipped, shipped: reservation.shipped, status: "DEDUCTED" as const }
          : { quantity: reservation.quantity + released.get(reservation)!, shipped: 0, status: "RELEASED" as const };
    await saveReservation(tx, reservation, change);
  }
}
