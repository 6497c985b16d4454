import type DataLoader from "dataloader";
import { fromMoney, type Money } from "../../common/money";
import type { UnitOfWork } from "../../common/events/unitOfWork";
import type { OrdersDb, OrdersTx } from "../store/database";
import { findCatalogProducts, recordAvailability, upsertCatalogFacts } from "../store/catalogStore";

/** A product as the products subgraph describes it to a direct lookup. */
export interface ProductEntity {
  id: string;
  sku: string;
  name: string;
  archived: boolean;
  price: Money;
  /** The product's version at the source: when it last changed. */
  updatedAt: string;
}

/** A product's availability as the inventory subgraph describes it to a direct lookup. */
export interface StockEntity {
  id: string;
  stock: { available: number };
}

export interface CatalogLookups {
  products: DataLoader<string, ProductEntity | null>;
  stock: DataLoader<string, StockEntity | null>;
}

/** What orders needs to know of a product: its current price, whether it is for sale, how many are available. */
export interface ProductView {
  productId: string;
  sku: string;
  name: string;
  priceMinor: bigint;
  currency: string;
  archived: boolean;
  available: number;
}

export interface CatalogViewDependencies {
  db: OrdersDb;
  unitOfWork: UnitOfWork<OrdersTx>;
  lookups: CatalogLookups;
}

/**
 * The entities an owner knows of. A lookup that failed (the owner unreachable) is thrown, not
 * dropped: the client must not be told that a product does not exist when it could not be asked.
 */
function presentOrThrow<T>(results: ReadonlyArray<T | null | Error>): T[] {
  const failure = results.find((result): result is Error => result instanceof Error);
  if (failure) throw failure;
  return results.filter((result): result is T => result !== null);
}

/**
 * Products by id, from the local read model; what it does not know yet (an event still on its
 * way) is asked of products and inventory directly, in one batched request each, and kept.
 * Products that do not exist are missing from the map.
 */
export async function viewProducts(
  deps: CatalogViewDependencies,
  ids: readonly string[],
  options: { availability: boolean } = { availability: true },
): Promise<Map<string, ProductView>> {
  const unique = [...new Set(ids)];
  const known = new Map((await findCatalogProducts(deps.db, unique)).map((row) => [row.productId, row]));
  const unknownIds = unique.filter((id) => !known.has(id));
  const fetched = presentOrThrow(await deps.lookups.products.loadMany(unknownIds));
  // Checkout does not need availability (the reservation decides): it then does not depend on inventory answering.
  const withoutStock = options.availability
    ? [...unique.filter((id) => known.get(id)?.available === null), ...fetched.map((entity) => entity.id)]
    : [];
  const stock = new Map(
    presentOrThrow(await deps.lookups.stock.loadMany(withoutStock)).map(
      (entity) => [entity.id, entity.stock.available] as const,
    ),
  );
  if (fetched.length || stock.size) {
    await deps.unitOfWork(async (tx) => {
      for (const entity of fetched) {
        await upsertCatalogFacts(
          tx,
          {
            productId: entity.id,
            sku: entity.sku,
            name: entity.name,
            priceMinor: fromMoney(entity.price),
            currency: entity.price.currency,
            archived: entity.archived,
          },
          // Stamped with the source's own version, not this service's clock: an answer read just
          // before a change committed is older than that change's event, whatever the clocks say.
          new Date(entity.updatedAt),
        );
      }
      // Version 0: any stock event of the product, which is newer, replaces it.
      for (const [productId, available] of stock) await recordAvailability(tx, productId, available, 0);
    });
  }
  const views = new Map<string, ProductView>();
  for (const row of known.values()) {
    views.set(row.productId, { ...row, available: row.available ?? stock.get(row.productId) ?? 0 });
  }
  for (const entity of fetched) {
    views.set(entity.id, {
      productId: entity.id,
      sku: entity.sku,
      name: entity.name,
      priceMinor: fromMoney(entity.price),
      currency: entity.price.currency,
      archived: entity.archived,
      available: stock.get(entity.id) ?? 0,
    });
  }
  return views;
}
