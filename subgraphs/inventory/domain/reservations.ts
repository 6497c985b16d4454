import type { Emit } from "../../common/events/unitOfWork";
import type { InventoryTx } from "../store/database";
import {
  closeOrder,
  findReservations,
  insertReservations,
  isClosed,
  lockOrder,
  saveReservation,
  settleReservations,
} from "../store/reservationStore";
import { lockLocationLevels } from "../store/stockStore";
import { allocate } from "./allocation";
import { applyStockChanges, type LocationChange } from "./stockChanges";

export interface OrderLine {
  productId: string;
  variantId: string;
  quantity: number;
}

export type ReservationOutcome =
  | { kind: "reserved" }
  | { kind: "already-reserved" }
  /** The order was cancelled before it could be reserved: nothing to hold. */
  | { kind: "closed" }
  /** Not enough of one variant: nothing of the order is reserved. */
  | { kind: "insufficient"; productId: string; variantId: string; requested: number; available: number };

/** One line per variant, quantities summed, in variant id order (rows are always locked in the same order, so concurrent reservations cannot deadlock). */
export function normaliseLines(lines: readonly OrderLine[]): OrderLine[] {
  const totals = new Map<string, OrderLine>();
  for (const line of lines) {
    const seen = totals.get(line.variantId);
    totals.set(line.variantId, { ...line, quantity: (seen?.quantity ?? 0) + line.quantity });
  }
  return [...totals.values()].sort((a, b) => a.variantId.localeCompare(b.variantId));
}

/**
 * Reserves every line of an order, or none. The variants' location rows are locked first (in
 * variant and location order), every line is given its locations (priority, then most
 * available; a line may be split), and only then are the conditional updates made: a line that
 * cannot be met leaves nothing reserved, and concurrent orders can never oversell a variant at
 * any location. Each reservation records its location, so shipping deducts and cancelling
 * releases there. Reserving an order twice, or one already cancelled, changes nothing.
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
  const levels = await lockLocationLevels(
    tx,
    normalised.map((line) => line.variantId),
  );
  const changes: LocationChange[] = [];
  for (const line of normalised) {
    const candidates = levels
      .filter((level) => level.variantId === line.variantId && level.active)
      .map((level) => ({
        locationId: level.locationId,
        priority: level.priority,
        available: level.onHand - level.reserved,
      }));
    const plan = allocate(line.quantity, candidates);
    if (!plan) {
      const available = candidates.reduce((sum, candidate) => sum + Math.max(0, candidate.available), 0);
      return {
        kind: "insufficient",
        productId: line.productId,
        variantId: line.variantId,
        requested: line.quantity,
        available,
      };
    }
    for (const part of plan) {
      changes.push({
        variantId: line.variantId,
        productId: line.productId,
        locationId: part.locationId,
        onHandDelta: 0,
        reservedDelta: part.quantity,
        kind: "RESERVATION",
        reason: `reserved for order ${orderId}`,
        orderId,
      });
    }
  }
  if (!(await applyStockChanges(tx, emit, changes)))
    throw new Error(`stock of order ${orderId} changed under its lock`);
  await insertReservations(
    tx,
    orderId,
    changes.map((change) => ({
      variantId: change.variantId,
      productId: change.productId,
      locationId: change.locationId,
      quantity: change.reservedDelta,
    })),
  );
  return { kind: "reserved" };
}

/** The order's reservations still held, as changes of stock at their locations. */
async function heldChanges(
  tx: InventoryTx,
  orderId: string,
  change: (quantity: number) => Pick<LocationChange, "onHandDelta" | "reservedDelta" | "kind" | "reason">,
): Promise<{ all: number; changes: LocationChange[] }> {
  const reservations = await findReservations(tx, orderId);
  return {
    all: reservations.length,
    changes: reservations
      .filter((reservation) => reservation.status === "RESERVED" && reservation.quantity > reservation.shipped)
      .map((reservation) => ({
        variantId: reservation.variantId,
        productId: reservation.productId,
        locationId: reservation.locationId,
        orderId,
        // Units already shipped in fulfillments left with them; only the rest is still held.
        ...change(reservation.quantity - reservation.shipped),
      })),
  };
}

/**
 * Gives back an order's reserved units at the locations they were held (cancelled, unpaid).
 * Reservations already settled are left alone; an order not reserved yet is closed, so a late
 * "placed" reserves nothing for it. Returns how many reservations were released.
 */
export async function releaseOrder(tx: InventoryTx, emit: Emit, orderId: string, reason: string): Promise<number> {
  await lockOrder(tx, orderId);
  const held = await heldChanges(tx, orderId, (quantity) => ({
    onHandDelta: 0,
    reservedDelta: -quantity,
    kind: "RELEASE",
    reason,
  }));
  if (held.all === 0) await closeOrder(tx, orderId);
  if (held.changes.length === 0) return 0;
  if (!(await applyStockChanges(tx, emit, held.changes)))
    throw new Error(`stock holds less than order ${orderId} reserved`);
  await settleReservations(tx, orderId, "RELEASED");
  return held.changes.length;
}

/** Turns an order's reservations into deductions where they were held, when it ships: on hand and reserved both drop. */
export async function deductOrder(tx: InventoryTx, emit: Emit, orderId: string): Promise<number> {
  await lockOrder(tx, orderId);
  const held = await heldChanges(tx, orderId, (quantity) => ({
    onHandDelta: -quantity,
    reservedDelta: -quantity,
    kind: "DEDUCTION",
    reason: `shipped with order ${orderId}`,
  }));
  if (held.changes.length === 0) return 0;
  if (!(await applyStockChanges(tx, emit, held.changes)))
    throw new Error(`stock holds less than order ${orderId} reserved`);
  await settleReservations(tx, orderId, "DEDUCTED");
  return held.changes.length;
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
