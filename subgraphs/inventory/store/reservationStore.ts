import { lockUntilCommit } from "../../common/database/advisoryLock";
import type { InventoryReader, InventoryTx } from "./database";

/**
 * Serialises reservation work on one order (reserve, release, deduct) until the transaction
 * ends, so that a redelivered or concurrent event sees the first one's outcome.
 */
export function lockOrder(tx: InventoryTx, orderId: string): Promise<void> {
  return lockUntilCommit(tx, `inventory:order:${orderId}`);
}

export function findReservations(db: InventoryReader, orderId: string) {
  return db.reservation.findMany({ where: { orderId }, orderBy: { productId: "asc" } });
}

export async function insertReservations(
  tx: InventoryTx,
  orderId: string,
  lines: ReadonlyArray<{ productId: string; quantity: number }>,
): Promise<void> {
  await tx.reservation.createMany({
    data: lines.map((line) => ({ orderId, productId: line.productId, quantity: line.quantity })),
  });
}

export async function settleReservation(
  tx: InventoryTx,
  orderId: string,
  productId: string,
  status: "RELEASED" | "DEDUCTED",
): Promise<void> {
  await tx.reservation.update({ where: { orderId_productId: { orderId, productId } }, data: { status } });
}

export async function closeOrder(tx: InventoryTx, orderId: string): Promise<void> {
  await tx.orderClosure.createMany({ data: [{ orderId }], skipDuplicates: true });
}

export async function isClosed(tx: InventoryTx, orderId: string): Promise<boolean> {
  return (await tx.orderClosure.count({ where: { orderId } })) > 0;
}
