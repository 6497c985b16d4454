import type { OrdersReader, OrdersTx } from "./database";
import type { CatalogProductRecord } from "./records";

export function findCatalogProducts(db: OrdersReader, ids: readonly string[]): Promise<CatalogProductRecord[]> {
  return db.catalogProduct.findMany({ where: { productId: { in: [...ids] } } });
}

export interface CatalogFacts {
  productId: string;
  sku: string;
  name: string;
  priceMinor: bigint;
  currency: string;
  archived: boolean;
}

/**
 * What the catalog says about a product (its price and whether it is for sale), as of `at`:
 * catalog events can arrive out of order, and an older fact never overwrites a newer one.
 */
export async function upsertCatalogFacts(tx: OrdersTx, facts: CatalogFacts, at: Date): Promise<void> {
  await tx.$executeRaw`
    INSERT INTO catalog_products (product_id, sku, name, price_minor, currency, archived, facts_at, updated_at)
    VALUES (${facts.productId}::uuid, ${facts.sku}, ${facts.name}, ${facts.priceMinor}, ${facts.currency}, ${facts.archived}, ${at}, now())
    ON CONFLICT (product_id) DO UPDATE
       SET sku = EXCLUDED.sku, name = EXCLUDED.name, price_minor = EXCLUDED.price_minor, currency = EXCLUDED.currency,
           archived = EXCLUDED.archived, facts_at = EXCLUDED.facts_at, updated_at = now()
     WHERE catalog_products.facts_at <= EXCLUDED.facts_at`;
}

/** What inventory says is available; a newer version always wins, an older one changes nothing. */
export async function recordAvailability(
  tx: OrdersTx,
  productId: string,
  available: number,
  version: number,
): Promise<void> {
  await tx.catalogProduct.updateMany({
    where: { productId, availabilityVersion: { lt: version } },
    data: { available, availabilityVersion: version },
  });
}
