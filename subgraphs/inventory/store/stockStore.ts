import { anyOfParameter, sql, sqlOfIds, statement } from "../../common/database/sqlPool";
import { Prisma } from "../generated/prisma/client";
import type { InventoryReader, InventoryTx } from "./database";
import type { LocationStockRecord, StockMovementRecord } from "./records";

const uuids = (ids: readonly string[]) => Prisma.join(ids.map((id) => Prisma.sql`${id}::uuid`));

/** A variant's stock, all locations together. */
export interface VariantStockRow {
  variantId: string;
  productId: string;
  onHand: number;
  reserved: number;
  lowStockThreshold: number;
}

const variantStockStatement = statement(
  "inventory.variantStock",
  `SELECT variant_id::text AS "variantId", product_id::text AS "productId", on_hand AS "onHand", reserved,
          low_stock_threshold AS "lowStockThreshold"
     FROM stock_levels WHERE variant_id = ${anyOfParameter("$1")}`,
);

/** Variants' stock, in one named statement (the product pages' read). */
export const findVariantStock = sqlOfIds<VariantStockRow>(variantStockStatement);

const productStockStatement = statement(
  "inventory.productStock",
  `SELECT product_id::text AS "productId", sum(on_hand)::int AS "onHand", sum(reserved)::int AS reserved,
          sum(low_stock_threshold)::int AS "lowStockThreshold"
     FROM stock_levels WHERE product_id = ${anyOfParameter("$1")} GROUP BY product_id`,
);

/** Each product's stock: the sums over its variants, in one grouped statement. */
export const findProductStock = sqlOfIds<{
  productId: string;
  onHand: number;
  reserved: number;
  lowStockThreshold: number;
}>(productStockStatement);

const locationStockText = (column: "variant_id" | "product_id") => `
  SELECT l.${column}::text AS "ownerId", l.location_id::text AS "locationId", sum(l.on_hand)::int AS "onHand",
         sum(l.reserved)::int AS reserved
    FROM location_stock_levels l JOIN stock_locations s ON s.id = l.location_id
   WHERE l.${column} = ${anyOfParameter("$1")}
   GROUP BY l.${column}, l.location_id, s.priority, s.name
  HAVING sum(l.on_hand) > 0 OR sum(l.reserved) > 0
   ORDER BY l.${column}, s.priority, s.name`;

const locationStockStatements = {
  variant: statement("inventory.locationStockOfVariants", locationStockText("variant_id")),
  product: statement("inventory.locationStockOfProducts", locationStockText("product_id")),
};

/** Stock of variants (or of products, summed over their variants) location by location, locations holding nothing left out. */
export function findLocationStock(
  db: InventoryReader,
  owner: "variant" | "product",
  ids: readonly string[],
): Promise<Array<LocationStockRecord & { ownerId: string }>> {
  if (ids.length === 0) return Promise.resolve([]);
  return sql(db, locationStockStatements[owner], [[...ids]]);
}

/** Creates variants' stock records at zero units; existing records are left as they are. */
export async function ensureStockLevels(
  tx: InventoryTx,
  variants: ReadonlyArray<{ variantId: string; productId: string }>,
): Promise<void> {
  if (variants.length === 0) return;
  await tx.stockLevel.createMany({
    // In one order everywhere, so that two transactions creating overlapping rows cannot deadlock.
    data: variants
      .map(({ variantId, productId }) => ({ variantId, productId }))
      .sort((a, b) => (a.variantId < b.variantId ? -1 : a.variantId > b.variantId ? 1 : 0)),
    skipDuplicates: true,
  });
}

/** Creates a variant's record at a location at zero units, when there is none. */
export async function ensureLocationLevels(
  tx: InventoryTx,
  rows: ReadonlyArray<{ variantId: string; productId: string; locationId: string }>,
): Promise<void> {
  if (rows.length === 0) return;
  const ordered = [...rows].sort((a, b) =>
    a.variantId === b.variantId ? a.locationId.localeCompare(b.locationId) : a.variantId < b.variantId ? -1 : 1,
  );
  await tx.locationStockLevel.createMany({ data: ordered, skipDuplicates: true });
}

/** A variant's stock at one location, locked, with what reservation needs to know of the location. */
export interface LockedLocationLevel {
  variantId: string;
  locationId: string;
  onHand: number;
  reserved: number;
  active: boolean;
  priority: number;
}

/**
 * Locks the location rows of these variants (at these locations only, when given) until the
 * transaction ends, always in (variant, location) order: every change of stock takes its
 * location rows first and in this order, and only then the variants' totals, so concurrent
 * changes queue instead of deadlocking.
 */
export async function lockLocationLevels(
  tx: InventoryTx,
  variantIds: readonly string[],
  locationIds?: readonly string[],
): Promise<LockedLocationLevel[]> {
  if (variantIds.length === 0) return [];
  const atLocations = locationIds ? Prisma.sql`AND l.location_id IN (${uuids(locationIds)})` : Prisma.empty;
  return tx.$queryRaw<LockedLocationLevel[]>`
    SELECT l.variant_id::text AS "variantId", l.location_id::text AS "locationId", l.on_hand AS "onHand", l.reserved,
           s.active, s.priority
      FROM location_stock_levels l JOIN stock_locations s ON s.id = l.location_id
     WHERE l.variant_id IN (${uuids(variantIds)}) ${atLocations}
     ORDER BY l.variant_id, l.location_id
       FOR UPDATE OF l`;
}

/**
 * Changes a variant's stock at one location in one conditional statement: it happens only if
 * the result keeps 0 <= reserved <= on hand there. Null when it would not (nothing is written).
 */
export async function updateLocationLevel(
  tx: InventoryTx,
  change: { variantId: string; locationId: string; onHandDelta: number; reservedDelta: number },
): Promise<{ onHand: number; reserved: number } | null> {
  const rows = await tx.$queryRaw<Array<{ onHand: number; reserved: number }>>`
    UPDATE location_stock_levels
       SET on_hand = on_hand + ${change.onHandDelta}, reserved = reserved + ${change.reservedDelta}, updated_at = now()
     WHERE variant_id = ${change.variantId}::uuid AND location_id = ${change.locationId}::uuid
       AND on_hand + ${change.onHandDelta} >= 0
       AND reserved + ${change.reservedDelta} >= 0
       AND reserved + ${change.reservedDelta} <= on_hand + ${change.onHandDelta}
    RETURNING on_hand AS "onHand", reserved`;
  return rows[0] ?? null;
}

export interface StockAfter {
  productId: string;
  onHand: number;
  reserved: number;
  lowStockThreshold: number;
  version: bigint;
  lowStockAlerted: boolean;
}

/**
 * Changes a variant's totals by the sum of its location changes (and its threshold), raising
 * its version; the same bounds hold as at each location. Null when they would not hold.
 */
export async function updateStockLevel(
  tx: InventoryTx,
  delta: { variantId: string; onHandDelta: number; reservedDelta: number; lowStockThreshold?: number | null },
): Promise<StockAfter | null> {
  const rows = await tx.$queryRaw<StockAfter[]>`
    UPDATE stock_levels
       SET on_hand = on_hand + ${delta.onHandDelta},
           reserved = reserved + ${delta.reservedDelta},
           low_stock_threshold = coalesce(${delta.lowStockThreshold ?? null}::int, low_stock_threshold),
           version = version + 1,
           updated_at = now()
     WHERE variant_id = ${delta.variantId}::uuid
       AND on_hand + ${delta.onHandDelta} >= 0
       AND reserved + ${delta.reservedDelta} >= 0
       AND reserved + ${delta.reservedDelta} <= on_hand + ${delta.onHandDelta}
    RETURNING product_id::text AS "productId", on_hand AS "onHand", reserved, low_stock_threshold AS "lowStockThreshold",
              version, low_stock_alerted AS "lowStockAlerted"`;
  return rows[0] ?? null;
}

export async function setLowStockAlerted(tx: InventoryTx, variantId: string, alerted: boolean): Promise<void> {
  await tx.stockLevel.update({ where: { variantId }, data: { lowStockAlerted: alerted } });
}

export async function appendMovements(
  tx: InventoryTx,
  movements: ReadonlyArray<Omit<StockMovementRecord, "id" | "createdAt">>,
): Promise<void> {
  await tx.stockMovement.createMany({ data: [...movements] });
}

export interface MovementQuery {
  owner: "variant" | "product";
  id: string;
  size: number;
  afterId: bigint | null;
}

const ownerFilter = (query: Pick<MovementQuery, "owner" | "id">) =>
  query.owner === "variant" ? { variantId: query.id } : { productId: query.id };

export function listMovements(db: InventoryReader, query: MovementQuery): Promise<StockMovementRecord[]> {
  return db.stockMovement.findMany({
    where: { ...ownerFilter(query), ...(query.afterId !== null ? { id: { lt: query.afterId } } : {}) },
    orderBy: { id: "desc" },
    take: query.size + 1,
  });
}

export function countMovements(db: InventoryReader, query: Pick<MovementQuery, "owner" | "id">): Promise<number> {
  return db.stockMovement.count({ where: ownerFilter(query) });
}
