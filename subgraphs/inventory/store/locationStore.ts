import { Prisma } from "../generated/prisma/client";
import type { InventoryReader, InventoryTx } from "./database";
import type { LocationAddress, StockLocationRecord } from "./records";

export function listLocations(db: InventoryReader): Promise<StockLocationRecord[]> {
  return db.stockLocation.findMany({ orderBy: [{ priority: "asc" }, { name: "asc" }] });
}

export function findLocationsByIds(db: InventoryReader, ids: readonly string[]): Promise<StockLocationRecord[]> {
  return db.stockLocation.findMany({ where: { id: { in: [...ids] } } });
}

/** Where stock goes when no location is named: the first active location by priority (then the oldest). */
export function findDefaultLocation(db: InventoryReader): Promise<StockLocationRecord | null> {
  return db.stockLocation.findFirst({
    where: { active: true },
    orderBy: [{ priority: "asc" }, { createdAt: "asc" }, { id: "asc" }],
  });
}

export function countLocations(db: InventoryReader): Promise<number> {
  return db.stockLocation.count();
}

export interface LocationFields {
  name: string;
  address: LocationAddress | null;
  active: boolean;
  priority: number;
}

const addressValue = (address: LocationAddress | null) =>
  address ? (address as unknown as Prisma.InputJsonValue) : Prisma.DbNull;

export function insertLocation(tx: InventoryTx, location: LocationFields): Promise<StockLocationRecord> {
  return tx.stockLocation.create({ data: { ...location, address: addressValue(location.address) } });
}

export function changeLocation(
  tx: InventoryTx,
  id: string,
  changes: Partial<LocationFields>,
): Promise<StockLocationRecord> {
  const { address, ...fields } = changes;
  return tx.stockLocation.update({
    where: { id },
    data: { ...fields, ...(address !== undefined ? { address: addressValue(address) } : {}) },
  });
}
