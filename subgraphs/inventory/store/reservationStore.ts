import type { InventoryReader, InventoryTx } from "./database";

export function findReservations(db: InventoryReader, orderId: string) {
  return db.reservation.findMany({ where: { orderId }, orderBy: { productId: "asc" } });
}

export async function insertReservations(tx: InventoryTx, orderId: string, lines: ReadonlyArray<{ productId: string; quantity: number }>): Promise<void> {
  await tx.reservation.createMany({ data: lines.map((line) => ({ orderId, productId: line.productId, quantity: line.quantity })) });
}

export async function settleReservation(tx: InventoryTx, orderId: string, productId: string, status: "RELEASED" | "DEDUCTED"): Promise<void> {
  await tx.reservation.update({ where: { orderId_productId: { orderId, productId } }, data: { status } });
}
