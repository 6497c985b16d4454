import type { InventoryReader, InventoryTx } from "./database";

/** Claims an idempotency key for a stock request; false when it was already claimed (waits for a concurrent claim to commit). */
export async function claimStockRequest(
  tx: InventoryTx,
  request: { actorId: string; idempotencyKey: string; requestHash: string },
): Promise<boolean> {
  const { count } = await tx.stockRequest.createMany({ data: [request], skipDuplicates: true });
  return count === 1;
}

export function findStockRequest(db: InventoryReader, actorId: string, idempotencyKey: string) {
  return db.stockRequest.findUnique({ where: { actorId_idempotencyKey: { actorId, idempotencyKey } } });
}
