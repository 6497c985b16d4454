import type { PrivacyParticipant } from "../../common/privacy/privacyHandlers";
import { maxExportRecords } from "../../common/privacy/privacyParts";
import type { InventoryTx } from "../store/database";
import { countMovementsByActor, deleteStockRequestsOfActor, findMovementsByActor } from "../store/privacyStore";

/**
 * The inventory service's answer to privacy requests. It keeps nothing about customers (a
 * reservation knows its order, not who placed it); about staff, the stock movements they made.
 * Those are the stock ledger, kept for the books: after an erasure their actor id names only the
 * users service's tombstone.
 */
export const inventoryPrivacy: PrivacyParticipant<InventoryTx> = {
  async exportData(tx, userId) {
    const movements = await findMovementsByActor(tx, userId, maxExportRecords);
    return {
      stockMovements: movements.map((movement) => ({
        productId: movement.productId,
        variantId: movement.variantId,
        locationId: movement.locationId,
        kind: movement.kind,
        onHandDelta: movement.onHandDelta,
        reservedDelta: movement.reservedDelta,
        reason: movement.reason,
        at: movement.createdAt,
      })),
    };
  },
  async erase(tx, userId) {
    return {
      stockRequestsDeleted: await deleteStockRequestsOfActor(tx, userId),
      stockMovementsKept: await countMovementsByActor(tx, userId),
    };
  },
};
