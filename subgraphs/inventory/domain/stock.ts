import type { StockOwner, StockRecord } from "../store/records";

/** Stock as the API shows it, derived from what the store keeps. */
export interface StockView {
  onHand: number;
  reserved: number;
  available: number;
  inStock: boolean;
  lowStock: boolean;
  lowStockThreshold: number;
}

export const defaultLowStockThreshold = 5;

export function viewStock(level: { onHand: number; reserved: number; lowStockThreshold: number }): StockView {
  const available = Math.max(0, level.onHand - level.reserved);
  return {
    onHand: level.onHand,
    reserved: level.reserved,
    available,
    inStock: available > 0,
    lowStock: available <= level.lowStockThreshold,
    lowStockThreshold: level.lowStockThreshold,
  };
}

/** A variant (or product) the inventory has no record of yet holds nothing. */
export function emptyStock(owner: StockOwner): StockRecord {
  return { owner, onHand: 0, reserved: 0, lowStockThreshold: defaultLowStockThreshold };
}
