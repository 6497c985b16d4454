import type { Emit } from "../../common/events/unitOfWork";
import type { StockMovementKind } from "../generated/prisma/client";
import { findCatalogVariants } from "../store/catalogStore";
import type { InventoryTx } from "../store/database";
import {
  appendMovements,
  lockLocationLevels,
  setLowStockAlerted,
  updateLocationLevel,
  updateStockLevel,
  type StockAfter,
} from "../store/stockStore";

/** One change of one variant's stock at one location. */
export interface LocationChange {
  variantId: string;
  productId: string;
  locationId: string;
  onHandDelta: number;
  reservedDelta: number;
  kind: StockMovementKind;
  reason: string;
  actorId?: string | null;
  orderId?: string | null;
}

/** How a low-stock alert names a variant: its product, and its title when the product has options. */
export function displayName(variant: { productName: string; title: string; hasOptions: boolean } | undefined): string {
  if (!variant) return "(product not in the catalog read model yet)";
  return variant.hasOptions ? `${variant.productName} (${variant.title})` : variant.productName;
}

/**
 * Applies changes of stock inside the caller's transaction. The location rows are locked first,
 * in (variant, location) order; each change is a conditional update of its location row and one
 * ledger entry (with that location's units after it); then each variant's totals change once,
 * by the sum of its changes, with `inventory.stock.changed`, and `inventory.stock.low` when its
 * availability has just crossed the threshold.
 *
 * Null when a change would break 0 <= reserved <= on hand at its location: changes applied
 * before it in this call stay written, so a caller with more than one change must then roll
 * back (throw). With one change, nothing is written.
 */
export async function applyStockChanges(
  tx: InventoryTx,
  emit: Emit,
  changes: readonly LocationChange[],
  lowStockThresholds: ReadonlyMap<string, number> = new Map(),
): Promise<Map<string, StockAfter> | null> {
  const ordered = [...changes].sort(
    (a, b) => a.variantId.localeCompare(b.variantId) || a.locationId.localeCompare(b.locationId),
  );
  const variantIds = [...new Set(ordered.map((change) => change.variantId))];
  await lockLocationLevels(tx, variantIds, [...new Set(ordered.map((change) => change.locationId))]);
  const movements = [];
  for (const change of ordered) {
    const at = await updateLocationLevel(tx, change);
    if (!at) return null;
    movements.push({
      productId: change.productId,
      variantId: change.variantId,
      locationId: change.locationId,
      kind: change.kind,
      onHandDelta: change.onHandDelta,
      reservedDelta: change.reservedDelta,
      onHandAfter: at.onHand,
      reservedAfter: at.reserved,
      reason: change.reason,
      actorId: change.actorId ?? null,
      orderId: change.orderId ?? null,
    });
  }
  await appendMovements(tx, movements);
  const totals = new Map<string, StockAfter>();
  for (const variantId of variantIds) {
    const own = ordered.filter((change) => change.variantId === variantId);
    const after = await updateStockLevel(tx, {
      variantId,
      onHandDelta: own.reduce((sum, change) => sum + change.onHandDelta, 0),
      reservedDelta: own.reduce((sum, change) => sum + change.reservedDelta, 0),
      lowStockThreshold: lowStockThresholds.get(variantId) ?? null,
    });
    if (!after) throw new Error(`the totals of variant ${variantId} disagree with its locations`);
    totals.set(variantId, after);
    await announce(tx, emit, variantId, own[0]!.kind, after);
  }
  return totals;
}

async function announce(
  tx: InventoryTx,
  emit: Emit,
  variantId: string,
  kind: StockMovementKind,
  after: StockAfter,
): Promise<void> {
  const available = after.onHand - after.reserved;
  emit("inventory.stock.changed", {
    productId: after.productId,
    variantId,
    onHand: after.onHand,
    reserved: after.reserved,
    available,
    lowStockThreshold: after.lowStockThreshold,
    version: Number(after.version),
    // Transfers change no total and are never announced; the event's kinds are the others.
    kind: kind === "TRANSFER" ? "ADJUSTMENT" : kind,
  });
  const isLow = available <= after.lowStockThreshold;
  if (isLow && !after.lowStockAlerted) {
    const [variant] = await findCatalogVariants(tx, [variantId]);
    emit("inventory.stock.low", {
      productId: after.productId,
      variantId,
      sku: variant?.sku ?? "",
      name: displayName(variant),
      available,
      threshold: after.lowStockThreshold,
    });
    await setLowStockAlerted(tx, variantId, true);
  } else if (!isLow && after.lowStockAlerted) {
    await setLowStockAlerted(tx, variantId, false);
  }
}
