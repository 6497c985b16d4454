import type { InventoryReader, InventoryTx } from "./database";
import type { StockRecord } from "./records";

export function findStockLevels(db: InventoryReader, productIds: readonly string[]): Promise<StockRecord[]> {
  return db.stockLevel.findMany({ where: { productId: { in: [...productIds] } } });
}

/** Creates the product's stock record at zero units; an existing record is left as it is. */
export async function ensureStockLevel(tx: InventoryTx, productId: string): Promise<void> {
  await tx.stockLevel.upsert({ where: { productId }, create: { productId }, update: {} });
}
