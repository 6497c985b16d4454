import type { StockLevel, StockMovement } from "../generated/prisma/client";

/** A product as other subgraphs reference it: only its id. */
export interface ProductReference {
  id: string;
}

/** What the API's `Stock` is resolved from. */
export type StockRecord = Pick<StockLevel, "productId" | "onHand" | "reserved" | "lowStockThreshold">;

export type StockMovementRecord = StockMovement;
