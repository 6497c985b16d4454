import { loaderByKey } from "../common/loaders";
import type { InventoryDb } from "./store/database";
import { findStockLevels } from "./store/stockStore";

export function createInventoryLoaders(db: InventoryDb) {
  return {
    stockByProductId: loaderByKey(
      (ids) => findStockLevels(db, ids),
      (level) => level.productId,
    ),
  };
}

export type InventoryLoaders = ReturnType<typeof createInventoryLoaders>;
