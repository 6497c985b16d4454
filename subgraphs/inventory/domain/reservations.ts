import type { Emit } from "../../common/events/unitOfWork";
import type { InventoryTx } from "../store/database";
import { findReservations, insertReservations, lockOrder, settleReservation } from "../store/reservationStore";
import { changeStock } from "./stockChanges";

export interface OrderLine {
  productId: string;
  quantity: number;
}

/** Not enough units of a product are available: the whole reservation is refused. */
export class InsufficientStockError extends Error {
  override name = "InsufficientStockError";
  constructor(readonly productId: string, readonly requested: number) {
    super(`not enough stock of ${productId} for ${requested} units`);
  }
}

/** One line per product, quantities summed, in product id order (rows are always locked in the same order, so concurrent reservations cannot deadlock). */
export function normaliseLines(lines: readonly OrderLine[]): OrderLine[] {
  const totals = new Map<string, number>();
  for (const line of lines) totals.set(line.productId, (totals.get(line.productId) ?? 0) + line.quantity);
  return [...totals].map(([productId, quantity]) => ({ productId, quantity })).sort((a, b) => a.productId.localeCompare(b.productId));
}

/**
 * Reserves every line of an order, or none: each line is a conditional update, and the first
 * that cannot be met throws InsufficientStockError, which rolls back the caller's transaction.
 * Reserving an order that already has reservations changes nothing.
 */
export async function reserveOrder(tx: InventoryTx, emit: Emit, orderId: string, lines: readonly OrderLine[]): Promise<"reserved" | "already-reserved"> {
  await lockOrder(tx, orderId);
  if ((await findReservations(tx, orderId)).length > 0) return "already-reserved";
  const normalised = normaliseLines(lines);
  for (const line of normalised) {
    const after = await changeStock(tx, emit, {
      productId: line.productId,
      onHandDelta: 0,
      reservedDelta: line.quantity,
      kind: "RESERVATION",
      reason: `reserved for order ${orderId}`,
      orderId,
    });
    if (!after) throw new InsufficientStockError(line.productId, line.quantity);
  }
  await insertReservations(tx, orderId, normalised);
  return "reserved";
}

/** Gives back an order's reserved units (cancelled, unpaid). Lines already settled are left alone. */
export async function releaseOrder(tx: InventoryTx, emit: Emit, orderId: string, reason: string): Promise<number> {
  await lockOrder(tx, orderId);
  let released = 0;
  for (const reservation of await findReservations(tx, orderId)) {
    if (reservation.status !== "RESERVED") continue;
    const after = await changeStock(tx, emit, { productId: reservation.productId, onHandDelta: 0, reservedDelta: -reservation.quantity, kind: "RELEASE", reason, orderId });
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
