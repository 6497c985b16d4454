import type { ProductStatusFact } from "../../common/events/productVariants";
import type { OrdersReader } from "./database";
import type { CatalogVariantRecord } from "./records";

export function findCatalogVariants(db: OrdersReader, ids: readonly string[]): Promise<CatalogVariantRecord[]> {
  return db.catalogVariant.findMany({ where: { variantId: { in: [...ids] } } });
}

export function findCatalogVariantsOfProducts(
  db: OrdersReader,
  productIds: readonly string[],
): Promise<CatalogVariantRecord[]> {
  return db.catalogVariant.findMany({ where: { productId: { in: [...productIds] } } });
}

/** What the catalog says of one variant (with its product's name and status). */
export interface VariantFactsRow {
  variantId: string;
  sku: string;
  title: string;
  selectedOptions: Array<{ name: string; value: string }>;
  image: { url: string; alt: string } | null;
  priceMinor: bigint;
  currency: string;
  archived: boolean;
  weightGrams: number;
}

/**
 * What the catalog says about a product's variants (prices, names, whether they are for sale),
 * as of the product's version `at`, in one statement: catalog events can arrive out of order,
 * and an older fact never overwrites a newer one.
 */
export async function upsertCatalogFacts(
  db: OrdersReader,
  product: {
    productId: string;
    name: string;
    status: ProductStatusFact;
    taxCategory: string;
    categoryId: string | null;
  },
  variants: readonly VariantFactsRow[],
  at: Date,
): Promise<void> {
  if (variants.length === 0) return;
  const rows = JSON.stringify(
    variants.map((variant) => ({
      variant_id: variant.variantId,
      sku: variant.sku,
      title: variant.title,
      selected_options: variant.selectedOptions,
      image_url: variant.image?.url ?? null,
      image_alt: variant.image?.alt ?? "",
      price_minor: variant.priceMinor.toString(),
      currency: variant.currency,
      archived: variant.archived,
      weight_grams: variant.weightGrams,
    })),
  );
  await db.$executeRaw`
    INSERT INTO catalog_variants (variant_id, product_id, sku, product_name, title, selected_options, image_url, image_alt,
                                  price_minor, currency, product_status, archived, tax_category, category_id, weight_grams,
                                  facts_at, updated_at)
    SELECT v.variant_id, ${product.productId}::uuid, v.sku, ${product.name}, v.title, v.selected_options, v.image_url,
           v.image_alt, v.price_minor, v.currency, ${product.status}, v.archived, ${product.taxCategory},
           ${product.categoryId}::uuid, v.weight_grams, ${at}, now()
      FROM jsonb_to_recordset(${rows}::jsonb) AS v(variant_id uuid, sku text, title text, selected_options jsonb,
           image_url text, image_alt text, price_minor bigint, currency text, archived boolean, weight_grams int)
    ON CONFLICT (variant_id) DO UPDATE
       SET sku = EXCLUDED.sku, product_name = EXCLUDED.product_name, title = EXCLUDED.title,
           selected_options = EXCLUDED.selected_options, image_url = EXCLUDED.image_url, image_alt = EXCLUDED.image_alt,
           price_minor = EXCLUDED.price_minor, currency = EXCLUDED.currency, product_status = EXCLUDED.product_status,
           archived = EXCLUDED.archived, tax_category = EXCLUDED.tax_category, category_id = EXCLUDED.category_id,
           weight_grams = EXCLUDED.weight_grams, facts_at = EXCLUDED.facts_at, updated_at = now()
     WHERE catalog_variants.facts_at <= EXCLUDED.facts_at`;
}

/** What inventory says is available of a variant; a newer version always wins, an older one changes nothing. */
export async function recordAvailability(
  db: OrdersReader,
  variantId: string,
  available: number,
  version: number,
): Promise<void> {
  await db.catalogVariant.updateMany({
    where: { variantId, availabilityVersion: { lt: version } },
    data: { available, availabilityVersion: version },
  });
}
