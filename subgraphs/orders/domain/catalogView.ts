import type DataLoader from "dataloader";
import type { SqlExecutor } from "../../common/database/prismaOptions";
import type { UnitOfWork } from "../../common/events/unitOfWork";
import type { ProductStatusFact } from "../../common/events/productVariants";
import { fromMoney, type Money } from "../../common/money";
import {
  findCatalogVariants,
  findCatalogVariantsOfProducts,
  recordAvailability,
  upsertCatalogFacts,
  type VariantFactsRow,
} from "../store/catalogStore";
import type { OrdersDb, OrdersTx } from "../store/database";
import type { CatalogVariantRecord } from "../store/records";
import type { TaxCategory } from "./pricing/pricingTypes";

/** The catalog's tax category of a stored row; anything unknown is taxed at the standard rate. */
export const asTaxCategory = (value: string | null | undefined): TaxCategory =>
  value === "REDUCED" || value === "ZERO" ? value : "STANDARD";

/** A variant's own facts as the products subgraph describes them to a direct lookup. */
interface VariantNode {
  id: string;
  sku: string;
  title: string;
  archived: boolean;
  price: Money;
  selectedOptions: Array<{ name: string; value: string }>;
  image: { url: string; alt: string } | null;
  /** Grams; null when unknown. */
  weight: number | null;
}

interface ProductFacts {
  id: string;
  name: string;
  status: ProductStatusFact;
  taxCategory: TaxCategory;
  category: { id: string } | null;
  /** The product's version at the source: when it or one of its variants last changed. */
  updatedAt: string;
}

/** A variant with its product, as the products subgraph describes it to a direct lookup. */
export interface VariantEntity extends VariantNode {
  product: ProductFacts;
}

/** A product with its variants, as the products subgraph describes it to a direct lookup. */
export interface ProductEntity extends ProductFacts {
  variants: { edges: Array<{ node: VariantNode }> };
}

/** A variant's availability as the inventory subgraph describes it to a direct lookup. */
export interface StockEntity {
  id: string;
  stock: { available: number };
}

export interface CatalogLookups {
  products: DataLoader<string, ProductEntity | null>;
  variants: DataLoader<string, VariantEntity | null>;
  stock: DataLoader<string, StockEntity | null>;
}

/** The selections the lookups ask for. */
export const variantSelection =
  "id sku title archived price { amount currency } selectedOptions { name value } image { url alt } weight";
export const productFactsSelection = "id name status taxCategory category { id } updatedAt";

/** What orders needs to know of a variant: what it is, its current price, whether it is for sale, how many are available. */
export interface VariantView {
  variantId: string;
  productId: string;
  sku: string;
  productName: string;
  title: string;
  selectedOptions: Array<{ name: string; value: string }>;
  image: { url: string; alt: string } | null;
  priceMinor: bigint;
  currency: string;
  /** Its product is ACTIVE and the variant is not archived. */
  forSale: boolean;
  /** Its product has options (a product id alone does not say which variant). */
  hasOptions: boolean;
  available: number;
  taxCategory: TaxCategory;
  categoryId: string | null;
  weightGrams: number;
}

export interface CatalogViewDependencies {
  db: OrdersDb;
  unitOfWork: UnitOfWork<OrdersTx>;
  /**
   * The unit of work in a transaction of our own on the pool, for the hot paths whose
   * transactions are only SQL (placing an order, changing a cart): they are spared Prisma's
   * interactive transaction. Without it, they take `unitOfWork`.
   */
  sqlUnitOfWork?: UnitOfWork<SqlExecutor> | undefined;
  lookups: CatalogLookups;
}

/**
 * The entities an owner knows of. A lookup that failed (the owner unreachable) is thrown, not
 * dropped: the client must not be told that a product does not exist when it could not be asked.
 */
async function loadPresent<T>(loader: DataLoader<string, T | null>, ids: readonly string[]): Promise<T[]> {
  return ids.length ? presentOrThrow(await loader.loadMany([...ids])) : [];
}

function presentOrThrow<T>(results: ReadonlyArray<T | null | Error>): T[] {
  const failure = results.find((result): result is Error => result instanceof Error);
  if (failure) throw failure;
  return results.filter((result): result is T => result !== null);
}

function viewOf(row: CatalogVariantRecord, available: number | undefined): VariantView {
  const selectedOptions = row.selectedOptions as VariantView["selectedOptions"];
  return {
    variantId: row.variantId,
    productId: row.productId,
    sku: row.sku,
    productName: row.productName,
    title: row.title,
    selectedOptions,
    image: row.imageUrl ? { url: row.imageUrl, alt: row.imageAlt } : null,
    priceMinor: row.priceMinor,
    currency: row.currency,
    forSale: row.productStatus === "ACTIVE" && !row.archived,
    hasOptions: selectedOptions.length > 0,
    available: row.available ?? available ?? 0,
    taxCategory: asTaxCategory(row.taxCategory),
    categoryId: row.categoryId,
    weightGrams: row.weightGrams,
  };
}

const factsRow = (node: VariantNode): VariantFactsRow => ({
  variantId: node.id,
  sku: node.sku,
  title: node.title,
  selectedOptions: node.selectedOptions,
  image: node.image,
  priceMinor: fromMoney(node.price),
  currency: node.price.currency,
  archived: node.archived,
  weightGrams: node.weight ?? 0,
});

/**
 * Keeps what the products subgraph answered, stamped with the source's own version, not this
 * service's clock: an answer read just before a change committed is older than that change's
 * event, whatever the clocks say.
 */
async function remember(db: OrdersDb, answers: ReadonlyArray<{ product: ProductFacts; nodes: VariantNode[] }>) {
  for (const { product, nodes } of answers) {
    await upsertCatalogFacts(
      db,
      {
        productId: product.id,
        name: product.name,
        status: product.status,
        taxCategory: product.taxCategory,
        categoryId: product.category?.id ?? null,
      },
      nodes.map(factsRow),
      new Date(product.updatedAt),
    );
  }
}

/** Asks inventory for what the read model does not know of availability, and keeps it (version 0: any stock event is newer). */
async function availabilityOf(
  deps: CatalogViewDependencies,
  variantIds: readonly string[],
): Promise<Map<string, number>> {
  const stock = new Map(
    (await loadPresent(deps.lookups.stock, variantIds)).map((entity) => [entity.id, entity.stock.available] as const),
  );
  await recordAvailability(
    deps.db,
    [...stock].map(([variantId, available]) => ({ variantId, available, version: 0 })),
  );
  return stock;
}

export interface ViewOptions {
  /** Whether availability is needed (asked of inventory when the read model does not know it). */
  availability: boolean;
  /** The read model's rows the caller read already: read again only when some variant is not among them. */
  known?: readonly CatalogVariantRecord[] | undefined;
}

/**
 * Variants by id, from the local read model; what it does not know yet (an event still on its
 * way) is asked of products (and inventory) directly, in one batched request each, and kept.
 * Variants that do not exist are missing from the map. Checkout does not need availability (the
 * reservation decides): it then does not depend on inventory answering.
 */
export async function viewVariants(
  deps: CatalogViewDependencies,
  ids: readonly string[],
  options: ViewOptions = { availability: true },
): Promise<Map<string, VariantView>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const given = (options.known ?? []).filter((row) => unique.includes(row.variantId));
  const known = given.length === unique.length && options.known ? given : await findCatalogVariants(deps.db, unique);
  const knownIds = new Set(known.map((row) => row.variantId));
  const fetched = await loadPresent(
    deps.lookups.variants,
    unique.filter((id) => !knownIds.has(id)),
  );
  await remember(
    deps.db,
    fetched.map((entity) => ({ product: entity.product, nodes: [entity] })),
  );
  const rows = fetched.length ? await findCatalogVariants(deps.db, unique) : known;
  const stock = options.availability
    ? await availabilityOf(
        deps,
        rows.filter((row) => row.available === null).map((row) => row.variantId),
      )
    : new Map<string, number>();
  return new Map(rows.map((row) => [row.variantId, viewOf(row, stock.get(row.variantId))]));
}

/** What a product id alone names: its one variant, or nothing to choose by (it has options). */
export type ProductChoice = { kind: "variant"; view: VariantView } | { kind: "has-options"; productName: string };

/**
 * The variant each product id names, for clients that still send product ids: a product without
 * options has one variant for sale. Products the read model does not know are asked of the
 * products subgraph (with all their variants) and kept. Products that do not exist are missing.
 */
export async function variantsOfProducts(
  deps: CatalogViewDependencies,
  productIds: readonly string[],
  options: { availability: boolean } = { availability: true },
): Promise<Map<string, ProductChoice>> {
  const unique = [...new Set(productIds)];
  if (unique.length === 0) return new Map();
  const known = new Set((await findCatalogVariantsOfProducts(deps.db, unique)).map((row) => row.productId));
  const fetched = await loadPresent(
    deps.lookups.products,
    unique.filter((id) => !known.has(id)),
  );
  await remember(
    deps.db,
    fetched.map((entity) => ({ product: entity, nodes: entity.variants.edges.map((edge) => edge.node) })),
  );
  const rows = await findCatalogVariantsOfProducts(deps.db, unique);
  const chosen = new Map<string, CatalogVariantRecord>();
  const choices = new Map<string, ProductChoice>();
  for (const productId of unique) {
    const variants = rows.filter((row) => row.productId === productId);
    if (variants.length === 0) continue;
    const first = variants[0]!;
    if (variants.some((row) => (row.selectedOptions as unknown[]).length > 0)) {
      choices.set(productId, { kind: "has-options", productName: first.productName });
      continue;
    }
    chosen.set(productId, variants.find((row) => !row.archived) ?? first);
  }
  const stock = options.availability
    ? await availabilityOf(
        deps,
        [...chosen.values()].filter((row) => row.available === null).map((row) => row.variantId),
      )
    : new Map<string, number>();
  for (const [productId, row] of chosen)
    choices.set(productId, { kind: "variant", view: viewOf(row, stock.get(row.variantId)) });
  return choices;
}
