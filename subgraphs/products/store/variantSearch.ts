import { Prisma } from "../generated/prisma/client";
import type { ProductsReader } from "./database";
import type { VariantRecord } from "./records";
import { variantColumns } from "./variantStore";

/**
 * Variants whose SKU matches the ILIKE pattern, by SKU (unique, so it is the keyset), after
 * `afterSku`. `product_variants_sku_trgm_idx` (trigram GIN) finds the matches on any table size.
 */
export function searchVariantsBySku(
  db: ProductsReader,
  pattern: string,
  size: number,
  afterSku: string | null,
): Promise<VariantRecord[]> {
  return db.$queryRaw<VariantRecord[]>`
    SELECT ${Prisma.raw(variantColumns)} FROM product_variants v JOIN products p ON p.id = v.product_id
     WHERE v.sku ILIKE ${pattern} AND (${afterSku}::text IS NULL OR v.sku > ${afterSku}::text)
     ORDER BY v.sku LIMIT ${size + 1}`;
}

export async function countVariantsBySku(db: ProductsReader, pattern: string): Promise<number> {
  const [row] = await db.$queryRaw<Array<{ count: bigint }>>`
    SELECT count(*) AS count FROM product_variants WHERE sku ILIKE ${pattern}`;
  return Number(row?.count ?? 0);
}
