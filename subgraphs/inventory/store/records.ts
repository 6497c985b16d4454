import type { StockLocation, StockMovement } from "../generated/prisma/client";

/** A product as other subgraphs reference it: only its id. */
export interface ProductReference {
  id: string;
}

/** A variant as other subgraphs reference it: only its id. */
export interface VariantReference {
  id: string;
}

/** Whose stock a `Stock` is: one variant's, or the sum of a product's variants. */
export type StockOwner = { kind: "variant"; id: string } | { kind: "product"; id: string };

/** What the API's `Stock` is resolved from: all locations together. */
export interface StockRecord {
  owner: StockOwner;
  onHand: number;
  reserved: number;
  lowStockThreshold: number;
}

/** Stock at one location (of one variant, or summed over a product's variants). */
export interface LocationStockRecord {
  locationId: string;
  onHand: number;
  reserved: number;
}

export interface StockTransferRecord {
  from: LocationStockRecord;
  to: LocationStockRecord;
}

export type StockLocationRecord = StockLocation;
export type StockMovementRecord = StockMovement;

/** A location's postal address as stored (`stock_locations.address`). */
export interface LocationAddress {
  line1: string;
  line2: string | null;
  city: string;
  region: string | null;
  postalCode: string;
  country: string;
}
