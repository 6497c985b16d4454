import type DataLoader from "dataloader";
import { NotFoundError } from "../../common/errors";
import type { UnitOfWork } from "../../common/events/unitOfWork";
import type { InventoryDb, InventoryTx } from "../store/database";
import { ensureStockLevel, findStockLevels, upsertCatalogProduct, type CatalogFacts } from "../store/stockStore";

/** A product as the products subgraph describes it to the fallback lookup. */
export interface CatalogEntity {
  id: string;
  sku: string;
  name: string;
  archived: boolean;
}

export interface KnownProductDependencies {
  db: InventoryDb;
  unitOfWork: UnitOfWork<InventoryTx>;
  /** Direct, batched lookups in the products subgraph. */
  catalogLookup: DataLoader<string, CatalogEntity | null>;
}

/**
 * Makes sure inventory knows a product before its stock changes. Usually its
 * `catalog.product.created` event has arrived; when it has not yet, the products subgraph is
 * asked directly, so a product that createProduct has just returned is accepted at once.
 */
export async function requireKnownProduct(deps: KnownProductDependencies, productId: string): Promise<void> {
  const [level] = await findStockLevels(deps.db, [productId]);
  if (level) return;
  const product = await deps.catalogLookup.load(productId);
  if (!product) throw new NotFoundError("No product has this id.");
  const facts: CatalogFacts = { productId, sku: product.sku, name: product.name, archived: product.archived };
  await deps.unitOfWork(async (tx) => {
    await ensureStockLevel(tx, productId);
    await upsertCatalogProduct(tx, facts);
  });
}
