import type { Caller } from "../../common/auth/caller";
import type DataLoader from "dataloader";
import { BadUserInputError, NotFoundError } from "../../common/errors";
import type { UnitOfWork } from "../../common/events/unitOfWork";
import type { ProductStatusFact } from "../../common/events/productVariants";
import { requiredId } from "../../common/validation";
import {
  findCatalogVariants,
  findCatalogVariantsOfProduct,
  upsertCatalogVariants,
  type CatalogVariantRow,
} from "../store/catalogStore";
import type { InventoryDb, InventoryTx } from "../store/database";
import { ensureStockLevels } from "../store/stockStore";

interface VariantNode {
  id: string;
  sku: string;
  title: string;
  archived: boolean;
  selectedOptions: Array<{ name: string; value: string }>;
}

interface ProductFacts {
  id: string;
  name: string;
  status: ProductStatusFact;
  updatedAt: string;
}

/** A product with its variants as the products subgraph describes it to the fallback lookup. */
export interface CatalogProductEntity extends ProductFacts {
  variants: { edges: Array<{ node: VariantNode }> };
}

/** A variant with its product as the products subgraph describes it to the fallback lookup. */
export interface CatalogVariantEntity extends VariantNode {
  product: ProductFacts;
}

export interface CatalogLookups {
  products: DataLoader<string, CatalogProductEntity | null>;
  variants: DataLoader<string, CatalogVariantEntity | null>;
}

export interface KnownVariantDependencies {
  db: InventoryDb;
  unitOfWork: UnitOfWork<InventoryTx>;
  /** Direct, batched lookups in the products subgraph. */
  catalogLookup: CatalogLookups;
  /** Who asks, for the audit log (the request's caller). */
  caller?: Caller | null;
}

/** The variant whose stock a back-office request names. */
export interface StockTarget {
  variantId: string;
  productId: string;
}

const asFacts = (node: VariantNode) => ({ ...node, variantId: node.id });

/** Keeps what the products subgraph answered, as a catalog event would have, and the variants' stock records. */
async function remember(deps: KnownVariantDependencies, product: ProductFacts, variants: VariantNode[]): Promise<void> {
  await deps.unitOfWork(async (tx) => {
    await upsertCatalogVariants(
      tx,
      { productId: product.id, name: product.name, status: product.status },
      variants.map(asFacts),
      new Date(product.updatedAt),
    );
    await ensureStockLevels(
      tx,
      variants.map((variant) => ({ variantId: variant.id, productId: product.id })),
    );
  });
}

/**
 * Finds the variant a request names: `variantId`, or `productId` for a product with one variant
 * (a product with options is BAD_USER_INPUT, its variants having stock of their own). Usually
 * the catalog events have told inventory of it; when they have not yet, the products subgraph is
 * asked directly, so a product or variant the catalog has just returned is accepted at once.
 */
export async function resolveStockTarget(
  deps: KnownVariantDependencies,
  input: { productId?: string | null; variantId?: string | null },
): Promise<StockTarget> {
  const hasVariant = input.variantId !== null && input.variantId !== undefined;
  const hasProduct = input.productId !== null && input.productId !== undefined;
  if (hasVariant === hasProduct)
    throw new BadUserInputError("Give exactly one of `variantId` and `productId`.", "variantId");
  if (hasVariant) {
    const variantId = requiredId(input.variantId!, "variantId");
    const [known] = await findCatalogVariants(deps.db, [variantId]);
    if (known) return { variantId, productId: known.productId };
    const entity = await deps.catalogLookup.variants.load(variantId);
    if (!entity) throw new NotFoundError("No variant has this id.", "variantId");
    await remember(deps, entity.product, [entity]);
    return { variantId, productId: entity.product.id };
  }
  const productId = requiredId(input.productId!, "productId");
  let variants: Array<Pick<CatalogVariantRow, "variantId" | "hasOptions" | "archived">> =
    await findCatalogVariantsOfProduct(deps.db, productId);
  if (variants.length === 0) {
    const entity = await deps.catalogLookup.products.load(productId);
    if (!entity) throw new NotFoundError("No product has this id.", "productId");
    const nodes = entity.variants.edges.map((edge) => edge.node);
    await remember(deps, entity, nodes);
    variants = nodes.map((node) => ({
      variantId: node.id,
      hasOptions: node.selectedOptions.length > 0,
      archived: node.archived,
    }));
  }
  if (variants.some((variant) => variant.hasOptions)) {
    throw new BadUserInputError(
      "This product has options: give the `variantId` of the variant whose stock changes.",
      "productId",
    );
  }
  const only = variants.find((variant) => !variant.archived) ?? variants[0]!;
  return { variantId: only.variantId, productId };
}
