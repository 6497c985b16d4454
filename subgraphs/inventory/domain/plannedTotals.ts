import type { Emit } from "../../common/events/unitOfWork";
import type { TotalsRow } from "../store/reservationSql";
import { displayName } from "./stockChanges";

/** A variant's totals as a plan of stock changes goes (from its locked row), with what the plan changed. */
export interface PlannedTotals extends TotalsRow {
  /** How many changes the plan made (the version rises by one for each). */
  changes: number;
  onHandDelta: number;
  reservedDelta: number;
}

/**
 * The stock events of one change of a variant's totals, already applied to `total`:
 * `inventory.stock.changed` with its version, and `inventory.stock.low` when its availability
 * has just crossed the threshold. The low-stock flag then follows availability, as it is written.
 */
export function announceTotals(
  emit: Emit,
  variantId: string,
  total: PlannedTotals,
  kind: "RESERVATION" | "RELEASE" | "DEDUCTION",
): void {
  const available = total.onHand - total.reserved;
  emit("inventory.stock.changed", {
    productId: total.productId,
    variantId,
    onHand: total.onHand,
    reserved: total.reserved,
    available,
    lowStockThreshold: total.lowStockThreshold,
    version: total.version,
    kind,
  });
  const isLow = available <= total.lowStockThreshold;
  if (isLow && !total.lowStockAlerted) {
    const known =
      total.sku === null
        ? undefined
        : { productName: total.productName ?? "", title: total.title ?? "", hasOptions: total.hasOptions ?? false };
    emit("inventory.stock.low", {
      productId: total.productId,
      variantId,
      sku: total.sku ?? "",
      name: displayName(known),
      available,
      threshold: total.lowStockThreshold,
    });
  }
  total.lowStockAlerted = isLow;
}
