import type { UnitOfWork } from "../../../common/events/unitOfWork";
import { applyStockChanges } from "../../domain/stockChanges";
import type { InventoryTx } from "../../store/database";
import { ensureLocationLevels, ensureStockLevels } from "../../store/stockStore";

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
    const locationId = location();
    await unitOfWork(async (tx, emit) => {
      await ensureStockLevels(tx, [{ variantId: productId, productId }]);
      await ensureLocationLevels(tx, [{ variantId: productId, productId, locationId }]);
      await applyStockChanges(
        tx,
        emit,
        [
          {
            variantId: productId,
            productId,
            locationId,
            onHandDelta: onHand,
            reservedDelta: 0,
            kind: "ADJUSTMENT",
            reason: "initial count",
          },
        ],
        new Map([[productId, threshold]]),
      );
    });
    return productId;
  };
}
