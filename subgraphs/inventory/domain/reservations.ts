import type { Emit } from "../../common/events/unitOfWork";
import type { InventoryTx } from "../store/database";
import {
  closeOrder,
  findReservations,
  insertReservations,
  isClosed,
  lockOrder,
  settleReservation,
} from "../store/reservationStore";
import { lockStockLevels } from "../store/stockStore";
import { changeStock } from "./stockChanges";

export interface OrderLine {
  productId: string;
  quantity: number;
}

export type ReservationOutcome =
  | { kind: "reserved" }
  | { kind: "already-reserved" }
  /** The order was cancelled before it could be reserved: nothing to hold. */
  | { kind: "closed" }
  /** Not enough of one product: nothing of the order is reserved. */
  | { kind: "insufficient"; productId: string; requested: number; available: number };

/** One line per product, quantities summed, in product id order (rows are always locked in the same order, so concurrent reservations cannot deadlock). */
export function normaliseLines(lines: readonly OrderLine[]): OrderLine[] {
  const totals = new Map<string, number>();
  for (const line of lines) totals.set(line.productId, (totals.get(line.productId) ?? 0) + line.quantity);
  return [...totals]
    .map(([productId, quantity]) => ({ productId, quantity }))
    .sort((a, b) => a.productId.localeCompare(b.productId));
}

/**
 * Reserves every line of an order, or none. The order's stock rows are locked first (in product
 * order), every line is checked, and only then are the conditional updates made: a line that
 * cannot be met leaves nothing reserved, and concurrent orders can never oversell. Reserving an
 * order twice, or one already cancelled, changes nothing.
 */
export async function reserveOrder(
  tx: InventoryTx,
  emit: Emit,
  orderId: string,
  lines: readonly OrderLine[],
): Promise<ReservationOutcome> {
  await lockOrder(tx, orderId);
  if (await isClosed(tx, orderId)) return { kind: "closed" };
  if ((await findReservations(tx, orderId)).length > 0) return { kind: "already-reserved" };
  const normalised = normaliseLines(lines);
  const levels = await lockStockLevels(
    tx,
    normalised.map((line) => line.productId),
  );
  for (const line of normalised) {
    const level = levels.get(line.productId);
    const available = level ? level.onHand - level.reserved : 0;
    if (available < line.quantity)
      return { kind: "insufficient", productId: line.productId, requested: line.quantity, available };
  }
  for (const line of normalised) {
    const after = await changeStock(tx, emit, {
      productId: line.productId,
      onHandDelta: 0,
      reservedDelta: line.quantity,
      kind: "RESERVATION",
      reason: `reserved for order ${orderId}`,
      orderId,
    });
    if (!after) throw new Error(`stock of ${line.productId} changed under its lock`);
  }
  await insertReservations(tx, orderId, normalised);
  return { kind: "reserved" };
}

/**
 * Gives back an order's reserved units (cancelled, unpaid). Lines already settled are left
 * alone; an order not reserved yet is closed, so a late "placed" reserves nothing for it.
 */
export async function releaseOrder(tx: InventoryTx, emit: Emit, orderId: string, reason: string): Promise<number> {
  await lockOrder(tx, orderId);
  const reservations = await findReservations(tx, orderId);
  if (reservations.length === 0) await closeOrder(tx, orderId);
  let released = 0;
  for (const reservation of reservations) {
    if (reservation.status !== "RESERVED") continue;
    const after = await changeStock(tx, emit, {
      productId: reservation.productId,
      onHandDelta: 0,
      reservedDelta: -reservation.quantity,
      kind: "RELEASE",
      reason,
      orderId,
    });
    if (!after) throw new Error(`stock of ${reservation.productId} holds less than order ${orderId} reserved`);
    await settleReservation(tx, orderId, reservation.productId, "RELEASED");
    released += 1;
  }
  return released;
}

/** Turns an order's reservation into a deduction when it ships: on hand and reserved both drop. */
export async function deductOrder(tx: InventoryTx, emit: Emit, orderId: string): Promise<number> {
  await lockOrder(tx, orderId);
  let deducted = 0;
  for (const reservation of await findReservations(tx, orderId)) {
    if (reservation.status !== "RESERVED") continue;
    const after = await changeStock(tx, emit, {
      productId: reservation.productId,
      onHandDelta: -reservation.quantity,
      reservedDelta: -reservation.quantity,
      kind: "DEDUCTION",
      reason: `shipped with order ${orderId}`,
      orderId,
    });
    if (!after) throw new Error(`stock of ${reservation.productId} holds less than order ${orderId} reserved`);
    await settleReservation(tx, orderId, reservation.productId, "DEDUCTED");
    deducted += 1;
  }
  return deducted;
}
