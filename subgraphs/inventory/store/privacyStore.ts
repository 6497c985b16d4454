import type { InventoryReader, InventoryTx } from "./database";

/** Stock movements the person made (as staff), most recent first. */
export function findMovementsByActor(db: InventoryReader, actorId: string, take: number) {
  return db.stockMovement.findMany({ where: { actorId }, orderBy: { id: "desc" }, take });
}

export function countMovementsByActor(db: InventoryReader, actorId: string): Promise<number> {
  return db.stockMovement.count({ where: { actorId } });
}

/** Forgets the person's idempotency keys of stock requests; returns how many. */
export async function deleteStockRequestsOfActor(tx: InventoryTx, actorId: string): Promise<number> {
  const { count } = await tx.stockRequest.deleteMany({ where: { actorId } });
  return count;
}
