import type { Emit } from "../../common/events/unitOfWork";
import type { InventoryTx } from "../store/database";
import type { StockMovementKind } from "../generated/prisma/client";
import {
  appendMovement,
  findCatalogProduct,
  setLowStockAlerted,
  updateStockLevel,
  type StockAfter,
} from "../store/stockStore";

export interface StockChange {
  productId: string;
  onHandDelta: number;
  reservedDelta: number;
  kind: StockMovementKind;
  reason: string;
  actorId?: string | null;
  orderId?: string | null;
  lowStockThreshold?: number | null;
}

/**
 * Applies one change to a product's stock, inside the caller's transaction: the conditional
 * update, its ledger entry, `inventory.stock.changed`, and `inventory.stock.low` when
 * availability has just crossed the threshold. Null when the change would break
 * 0 <= reserved <= on hand (nothing is written then).
 */
export async function changeStock(tx: InventoryTx, emit: Emit, change: StockChange): Promise<StockAfter | null> {
  const after = await updateStockLevel(tx, change);
  if (!after) return null;
  await appendMovement(tx, {
    productId: change.productId,
    kind: change.kind,
    onHandDelta: change.onHandDelta,
    reservedDelta: change.reservedDelta,
    onHandAfter: after.onHand,
    reservedAfter: after.reserved,
    reason: change.reason,
    actorId: change.actorId ?? null,
    orderId: change.orderId ?? null,
  });
  const available = after.onHand - after.reserved;
  emit("inventory.stock.changed", {
    productId: change.productId,
    onHand: after.onHand,
    reserved: after.reserved,
    available,
    lowStockThreshold: after.lowStockThreshold,
    version: Number(after.version),
    kind: change.kind,
  });
  const isLow = available <= after.lowStockThreshold;
  if (isLow && !after.lowStockAlerted) {
    const product = await findCatalogProduct(tx, change.productId);
    emit("inventory.stock.low", {
      productId: change.productId,
      sku: product?.sku ?? "",
      name: product?.name ?? "(product not in the catalog read model yet)",
      available,
      threshold: after.lowStockThreshold,
    });
    await setLowStockAlerted(tx, change.productId, true);
  } else if (!isLow && after.lowStockAlerted) {
    await setLowStockAlerted(tx, change.productId, false);
  }
  return after;
}
