import type { VariantFacts, ProductStatusFact } from "../../common/events/productVariants";
import type { InventoryReader, InventoryTx } from "./database";

/** What inventory keeps of a variant from the catalog. */
export interface CatalogVariantRow {
  variantId: string;
  productId: string;
  sku: string;
  productName: string;
  title: string;
  hasOptions: boolean;
  archived: boolean;
  productStatus: string;
}

export function findCatalogVariants(db: InventoryReader, variantIds: readonly string[]): Promise<CatalogVariantRow[]> {
  return db.catalogVariant.findMany({ where: { variantId: { in: [...variantIds] } } });
}

export function findCatalogVariantsOfProduct(db: InventoryReader, productId: string): Promise<CatalogVariantRow[]> {
  return db.catalogVariant.findMany({ where: { productId } });
}

/**
 * Records what the catalog says of a product's variants, as of the product's version `at`, in one
 * statement: an older fact (an event that arrived late) changes nothing.
 */
export async function upsertCatalogVariants(
  tx: InventoryTx,
  product: { productId: string; name: string; status: ProductStatusFact },
  variants: ReadonlyArray<Pick<VariantFacts, "variantId" | "sku" | "title" | "selectedOptions" | "archived">>,
  at: Date,
): Promise<void> {
  if (variants.length === 0) return;
  const rows = JSON.stringify(
    variants.map((variant) => ({
      variant_id: variant.variantId,
      sku: variant.sku,
      title: variant.title,
      has_options: variant.selectedOptions.length > 0,
      archived: variant.archived,
    })),
  );
  await tx.$executeRaw`
    INSERT INTO catalog_variants (variant_id, product_id, sku, product_name, title, has_options, archived, product_status, facts_at, updated_at)
    SELECT v.variant_id, ${product.productId}::uuid, v.sku, ${product.name}, v.title, v.has_options, v.archived,
           ${product.status}, ${at}, now()
      FROM jsonb_to_recordset(${rows}::jsonb) AS v(variant_id uuid, sku text, title text, has_options boolean, archived boolean)
    ON CONFLICT (variant_id) DO UPDATE
       SET sku = EXCLUDED.sku, product_name = EXCLUDED.product_name, title = EXCLUDED.title,
           has_options = EXCLUDED.has_options, archived = EXCLUDED.archived, product_status = EXCLUDED.product_status,
           facts_at = EXCLUDED.facts_at, updated_at = now()
     WHERE catalog_variants.facts_at <= EXCLUDED.facts_at`;
}
