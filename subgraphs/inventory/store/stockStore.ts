import { Prisma } from "../generated/prisma/client";
import type { InventoryReader, InventoryTx } from "./database";
import type { StockMovementRecord, StockRecord } from "./records";

export function findStockLevels(db: InventoryReader, productIds: readonly string[]): Promise<StockRecord[]> {
  return db.stockLevel.findMany({ where: { productId: { in: [...productIds] } } });
}

/** Creates the product's stock record at zero units; an existing record is left as it is. */
export async function ensureStockLevel(tx: InventoryTx, productId: string): Promise<void> {
  await tx.stockLevel.createMany({ data: [{ productId }], skipDuplicates: true });
}

export interface StockDelta {
  productId: string;
  onHandDelta: number;
  reservedDelta: number;
  lowStockThreshold?: number | null;
}

export interface StockAfter {
  onHand: number;
  reserved: number;
  lowStockThreshold: number;
  version: bigint;
  lowStockAlerted: boolean;
}

/**
 * Changes a stock level in one conditional statement: it happens only if the result keeps
 * 0 <= reserved <= on hand, so concurrent orders can never oversell. Null when the condition
 * does not hold (or there is no such product); the row stays locked until the transaction ends.
 */
export async function updateStockLevel(tx: InventoryTx, delta: StockDelta): Promise<StockAfter | null> {
  const rows = await tx.$queryRaw<StockAfter[]>`
    UPDATE stock_levels
       SET on_hand = on_hand + ${delta.onHandDelta},
           reserved = reserved + ${delta.reservedDelta},
           low_stock_threshold = coalesce(${delta.lowStockThreshold ?? null}::int, low_stock_threshold),
           version = version + 1,
           updated_at = now()
     WHERE product_id = ${delta.productId}::uuid
       AND on_hand + ${delta.onHandDelta} >= 0
       AND reserved + ${delta.reservedDelta} >= 0
       AND reserved + ${delta.reservedDelta} <= on_hand + ${delta.onHandDelta}
    RETURNING on_hand AS "onHand", reserved, low_stock_threshold AS "lowStockThreshold", version, low_stock_alerted AS "lowStockAlerted"`;
  return rows[0] ?? null;
}

/** Locks the stock rows of these products, in product order, until the transaction ends. */
export async function lockStockLevels(
  tx: InventoryTx,
  productIds: readonly string[],
): Promise<Map<string, { onHand: number; reserved: number }>> {
  if (productIds.length === 0) return new Map();
  const rows = await tx.$queryRaw<Array<{ productId: string; onHand: number; reserved: number }>>`
    SELECT product_id::text AS "productId", on_hand AS "onHand", reserved
      FROM stock_levels
     WHERE product_id IN (${Prisma.join(productIds.map((id) => Prisma.sql`${id}::uuid`))})
     ORDER BY product_id
       FOR UPDATE`;
  return new Map(rows.map((row) => [row.productId, row]));
}

export async function setLowStockAlerted(tx: InventoryTx, productId: string, alerted: boolean): Promise<void> {
  await tx.stockLevel.update({ where: { productId }, data: { lowStockAlerted: alerted } });
}

export function appendMovement(
  tx: InventoryTx,
  movement: Omit<StockMovementRecord, "id" | "createdAt">,
): Promise<StockMovementRecord> {
  return tx.stockMovement.create({ data: movement });
}

export function listMovements(
  db: InventoryReader,
  query: { productId: string; size: number; afterId: bigint | null },
): Promise<StockMovementRecord[]> {
  return db.stockMovement.findMany({
    where: { productId: query.productId, ...(query.afterId !== null ? { id: { lt: query.afterId } } : {}) },
    orderBy: { id: "desc" },
    take: query.size + 1,
  });
}

export function countMovements(db: InventoryReader, productId: string): Promise<number> {
  return db.stockMovement.count({ where: { productId } });
}

export interface CatalogFacts {
  productId: string;
  sku: string;
  name: string;
  archived: boolean;
}

/** Records what the catalog says about a product (read model), creating or updating it. */
export async function upsertCatalogProduct(tx: InventoryTx, facts: CatalogFacts): Promise<void> {
  await tx.catalogProduct.upsert({
    where: { productId: facts.productId },
    create: facts,
    update: { sku: facts.sku, name: facts.name, archived: facts.archived },
  });
}

export function findCatalogProduct(db: InventoryReader, productId: string) {
  return db.catalogProduct.findUnique({ where: { productId } });
}
