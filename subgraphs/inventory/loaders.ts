import { loaderByKey, loaderOfMany } from "../common/loaders";
import type { InventoryDb } from "./store/database";
import { findLocationsByIds } from "./store/locationStore";
import { findLocationStock, findProductStock, findVariantStock } from "./store/stockStore";

/** Keys of the location-stock loader: `variant:<id>` or `product:<id>`. */
export const ownerKey = (owner: { kind: "variant" | "product"; id: string }) => `${owner.kind}:${owner.id}`;

export function createInventoryLoaders(db: InventoryDb) {
  return {
    stockOfVariant: loaderByKey(
      (ids) => findVariantStock(db, ids),
      (level) => level.variantId,
    ),
    stockOfProduct: loaderByKey(
      (ids) => findProductStock(db, ids),
      (level) => level.productId,
    ),
    locationStockOf: loaderOfMany(
      async (keys) => {
        const ids = (kind: string) =>
          keys.filter((key) => key.startsWith(`${kind}:`)).map((key) => key.slice(kind.length + 1));
        const [variants, products] = await Promise.all([
          findLocationStock(db, "variant", ids("variant")),
          findLocationStock(db, "product", ids("product")),
        ]);
        return [
          ...variants.map((row) => ({ ...row, key: `variant:${row.ownerId}` })),
          ...products.map((row) => ({ ...row, key: `product:${row.ownerId}` })),
        ];
      },
      (row) => row.key,
    ),
    locationById: loaderByKey(
      (ids) => findLocationsByIds(db, ids),
      (location) => location.id,
    ),
  };
}

export type InventoryLoaders = ReturnType<typeof createInventoryLoaders>;
