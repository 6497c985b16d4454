import type { Emit } from "../../common/events/unitOfWork";
import type { InventoryTx } from "../store/database";
import { findReservations, lockOrder, saveReservation } from "../store/reservationStore";
import { ensureLocationLevels, lockLocationLevels } from "../store/stockStore";
import { normaliseLines, type OrderLine } from "./reservations";
import { applyStockChanges, type LocationChange } from "./stockChanges";

export interface ShippedParcel {
  orderId: string;
  fulfillmentId: string;
  /** Where it left from; null: from wherever its units were reserved. */
  locationId: string | null;
  lines: readonly OrderLine[];
}

/**
 * Takes a parcel's units out of stock where it left from. Units held for the order there are
 * deducted from the reservation; units held elsewhere are released there and deducted here; and
 * units no longer held at all (a full refund released them before this event arrived) are
 * deducted from what is available here, never below it. So a parcel deducts each unit once,
 * whichever of the order's events comes first. Applied once per event (the consumer records it).
 */
export async function deductParcel(tx: InventoryTx, emit: Emit, parcel: ShippedParcel): Promise<void> {
  const { orderId, fulfillmentId } = parcel;
  await lockOrder(tx, orderId);
  const lines = normaliseLines(parcel.lines);
  const reservations = await findReservations(tx, orderId);
  const reason = `shipped in fulfillment ${fulfillmentId} of order ${orderId}`;
  const changes: LocationChange[] = [];
  const unheld: Array<OrderLine & { locationId: string }> = [];
  for (const line of lines) {
    let left = line.quantity;
    const own = reservations.filter((each) => each.variantId === line.variantId);
    const from = parcel.locationId ?? own[0]?.locationId ?? null;
    const held = own
      .filter((each) => each.status === "RESERVED" && each.quantity > each.shipped)
      .sort((a, b) => Number(b.locationId === from) - Number(a.locationId === from));
    for (const reservation of held) {
      const take = Math.min(left, reservation.quantity - reservation.shipped);
      if (take <= 0) continue;
      const base = {
        variantId: line.variantId,
        productId: line.productId,
        locationId: reservation.locationId,
        orderId,
      };
      if (parcel.locationId === null || reservation.locationId === from) {
        changes.push({ ...base, onHandDelta: -take, reservedDelta: -take, kind: "DEDUCTION", reason });
        reservation.shipped += take;
      } else {
        changes.push({
          ...base,
          onHandDelta: 0,
          reservedDelta: -take,
          kind: "RELEASE",
          reason: `${reason}, from another location`,
        });
        reservation.quantity -= take;
        unheld.push({ ...line, quantity: take, locationId: from! });
      }
      left -= take;
    }
    if (left > 0 && from) unheld.push({ ...line, quantity: left, locationId: from });
  }
  if (unheld.length > 0) {
    await ensureLocationLevels(
      tx,
      unheld.map(({ variantId, productId, locationId }) => ({ variantId, productId, locationId })),
    );
    const levels = await lockLocationLevels(tx, [...new Set(unheld.map((each) => each.variantId))]);
    for (const part of unheld) {
      const level = levels.find((each) => each.variantId === part.variantId && each.locationId === part.locationId);
      // Units released elsewhere in this same parcel are not available here; what is here is.
      const available = level ? level.onHand - level.reserved : 0;
      const take = Math.min(part.quantity, Math.max(0, available));
      if (level) level.reserved += take;
      if (take > 0) {
        changes.push({
          variantId: part.variantId,
          productId: part.productId,
          locationId: part.locationId,
          orderId,
          onHandDelta: -take,
          reservedDelta: 0,
          kind: "DEDUCTION",
          reason,
        });
      }
    }
  }
  if (changes.length > 0 && !(await applyStockChanges(tx, emit, changes)))
    throw new Error(`stock of order ${orderId} changed under its lock`);
  for (const reservation of reservations) {
    const open = reservation.quantity - reservation.shipped;
    const status =
      reservation.status !== "RESERVED" || open > 0
        ? reservation.status
        : reservation.shipped > 0
          ? "DEDUCTED"
          : "RELEASED";
    await saveReservation(tx, reservation, { quantity: reservation.quantity, shipped: reservation.shipped, status });
  }
}

/** Returned units back on hand at a location (the back office chose to restock them). */
export async function restockReturn(
  tx: InventoryTx,
  emit: Emit,
  returned: { orderId: string; returnId: string; locationId: string; lines: readonly OrderLine[] },
): Promise<void> {
  const lines = normaliseLines(returned.lines);
  await ensureLocationLevels(
    tx,
    lines.map((line) => ({ variantId: line.variantId, productId: line.productId, locationId: returned.locationId })),
  );
  const changes: LocationChange[] = lines.map((line) => ({
    variantId: line.variantId,
    productId: line.productId,
    locationId: returned.locationId,
    orderId: returned.orderId,
    onHandDelta: line.quantity,
    reservedDelta: 0,
    kind: "ADJUSTMENT",
    reason: `returned with order ${returned.orderId} (return ${returned.returnId})`,
  }));
  if (!(await applyStockChanges(tx, emit, changes))) throw new Error(`could not restock return ${returned.returnId}`);
}
