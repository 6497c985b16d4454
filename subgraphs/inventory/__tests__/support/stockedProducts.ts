import type { UnitOfWork } from "../../../common/events/unitOfWork";
import { applyStockChanges } from "../../domain/stockChanges";
import type { InventoryTx } from "../../store/database";
import { ensureLocationLevels, ensureStockLevels } from "../../store/stockStore";

/**
 * Units of a variant counted in at a location, through the same path as a back-office adjustment;
 * with a low-stock threshold when given.
 */
export async function countIn(
  unitOfWork: UnitOfWork<InventoryTx>,
  stock: { variantId: string; productId: string; locationId: string; onHand: number },
  lowStockThreshold?: number,
): Promise<void> {
  const { variantId, productId, locationId, onHand } = stock;
  await unitOfWork(async (tx, emit) => {
    await ensureStockLevels(tx, [{ variantId, productId }]);
    await ensureLocationLevels(tx, [{ variantId, productId, locationId }]);
    await applyStockChanges(
      tx,
      emit,
      [
        {
          variantId,
          productId,
          locationId,
          onHandDelta: onHand,
          reservedDelta: 0,
          kind: "ADJUSTMENT",
          reason: "initial count",
        },
      ],
      lowStockThreshold === undefined ? new Map() : new Map([[variantId, lowStockThreshold]]),
    );
  });
}

/**
 * Makes products without options (each one variant with the product's id) counted at one
 * location. `idBlock` keeps one test file's ids apart from another's (four hex digits).
 */
export function stockedProducts(unitOfWork: UnitOfWork<InventoryTx>, location: () => string, idBlock: string) {
  let sequence = 0;
  /** A product with `onHand` units at the location, low below `threshold`. */
  return async function productWith(onHand: number, threshold = 0): Promise<string> {
    sequence += 1;
    const productId = `00000000-0000-4000-${idBlock}-${String(sequence).padStart(12, "0")}`;
    await countIn(unitOfWork, { variantId: productId, productId, locationId: location(), onHand }, threshold);
    return productId;
  };
}
