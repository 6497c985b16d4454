import { anyOfParameter, sql, statement } from "../../common/database/sqlPool";
import type { ProductStatusFact } from "../../common/events/productVariants";
import type { OrdersReader } from "./database";
import type { CatalogVariantRecord } from "./records";

/** Every column of the read model, as Prisma's model names them (the same types: bigint, Date, JSON). */
const variantColumns = `v.variant_id::text AS "variantId", v.product_id::text AS "productId", v.sku,
  v.product_name AS "productName", v.title, v.selected_options AS "selectedOptions", v.image_url AS "imageUrl",
  v.image_alt AS "imageAlt", v.price_minor AS "priceMinor", v.currency, v.tax_category AS "taxCategory",
  v.category_id::text AS "categoryId", v.weight_grams AS "weightGrams", v.product_status AS "productStatus",
  v.archived, v.facts_at AS "factsAt", v.available, v.availability_version AS "availabilityVersion",
  v.updated_at AS "updatedAt"`;

const variantsByIds = statement(
  "orders.catalog.variants",
  `SELECT ${variantColumns} FROM catalog_variants v WHERE v.variant_id = ${anyOfParameter("$1")}`,
);

const variantsOfProducts = statement(
  "orders.catalog.variants_of_products",
  `SELECT ${variantColumns} FROM catalog_variants v WHERE v.product_id = ${anyOfParameter("$1")}`,
);

/** A read-model row as JSON (for statements that answer rows of several kinds), by `catalogVariantJson`. */
export interface CatalogVariantJson {
  variantId: string;
  productId: string;
  sku: string;
  productName: string;
  title: string;
  selectedOptions: CatalogVariantRecord["selectedOptions"];
  imageUrl: string | null;
  imageAlt: string;
  priceMinor: string;
  currency: string;
  taxCategory: string;
  categoryId: string | null;
  weightGrams: number;
  productStatus: string;
  archived: boolean;
  factsAt: string;
  available: number | null;
  availabilityVersion: string;
  updatedAt: string;
}

/** A read-model row of alias `v` as JSON (`CatalogVariantJson`). */
export const catalogVariantJson = `json_build_object(
                   'variantId', v.variant_id, 'productId', v.product_id, 'sku', v.sku, 'productName', v.product_name,
                   'title', v.title, 'selectedOptions', v.selected_options, 'imageUrl', v.image_url,
                   'imageAlt', v.image_alt, 'priceMinor', v.price_minor::text, 'currency', v.currency,
                   'taxCategory', v.tax_category, 'categoryId', v.category_id, 'weightGrams', v.weight_grams,
                   'productStatus', v.product_status, 'archived', v.archived, 'factsAt', v.facts_at,
                   'available', v.available, 'availabilityVersion', v.availability_version::text,
                   'updatedAt', v.updated_at)`;

/** The row `catalogVariantJson` made, with Prisma's types. */
export const variantOfJson = (row: CatalogVariantJson): CatalogVariantRecord => ({
  ...row,
  priceMinor: BigInt(row.priceMinor),
  availabilityVersion: BigInt(row.availabilityVersion),
  factsAt: new Date(row.factsAt),
  updatedAt: new Date(row.updatedAt),
});

export function findCatalogVariants(db: OrdersReader, ids: readonly string[]): Promise<CatalogVariantRecord[]> {
  return sql<CatalogVariantRecord>(db, variantsByIds, [ids]);
}

export function findCatalogVariantsOfProducts(
  db: OrdersReader,
  productIds: readonly string[],
): Promise<CatalogVariantRecord[]> {
  return sql<CatalogVariantRecord>(db, variantsOfProducts, [productIds]);
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

const factsUpsert = statement(
  "orders.catalog.facts_upsert",
  `INSERT INTO catalog_variants (variant_id, product_id, sku, product_name, title, selected_options, image_url, image_alt,
                                 price_minor, currency, product_status, archived, tax_category, category_id, weight_grams,
                                 facts_at, updated_at)
   SELECT v.variant_id, $1::uuid, v.sku, $2::text, v.title, v.selected_options, v.image_url,
          v.image_alt, v.price_minor, v.currency, $3::text, v.archived, $4::text,
          $5::uuid, v.weight_grams, $6::timestamptz, now()
     FROM jsonb_to_recordset($7::jsonb) AS v(variant_id uuid, sku text, title text, selected_options jsonb,
          image_url text, image_alt text, price_minor bigint, currency text, archived boolean, weight_grams int)
   ON CONFLICT (variant_id) DO UPDATE
      SET sku = EXCLUDED.sku, product_name = EXCLUDED.product_name, title = EXCLUDED.title,
          selected_options = EXCLUDED.selected_options, image_url = EXCLUDED.image_url, image_alt = EXCLUDED.image_alt,
          price_minor = EXCLUDED.price_minor, currency = EXCLUDED.currency, product_status = EXCLUDED.product_status,
          archived = EXCLUDED.archived, tax_category = EXCLUDED.tax_category, category_id = EXCLUDED.category_id,
          weight_grams = EXCLUDED.weight_grams, facts_at = EXCLUDED.facts_at, updated_at = now()
    WHERE catalog_variants.facts_at <= EXCLUDED.facts_at`,
);

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
  await sql(db, factsUpsert, [
    product.productId,
    product.name,
    product.status,
    product.taxCategory,
    product.categoryId,
    at,
    rows,
  ]);
}

const availabilityUpdate = statement(
  "orders.catalog.availability",
  `UPDATE catalog_variants v SET available = s.available, availability_version = s.version, updated_at = now()
     FROM (SELECT DISTINCT ON (variant_id) variant_id, available, version
             FROM unnest($1::uuid[], $2::int[], $3::bigint[]) AS s(variant_id, available, version)
            ORDER BY variant_id, version DESC) AS s
    WHERE v.variant_id = s.variant_id AND v.availability_version < s.version`,
);

/** A variant's stock level at a version, as inventory told it. */
export interface AvailabilityFact {
  variantId: string;
  available: number;
  version: number;
}

/**
 * What inventory says is available of variants, in one statement: a newer version always wins,
 * an older one changes nothing (of several facts about one variant, the newest counts).
 */
export async function recordAvailability(db: OrdersReader, facts: readonly AvailabilityFact[]): Promise<void> {
  if (facts.length === 0) return;
  await sql(db, availabilityUpdate, [
    facts.map((fact) => fact.variantId),
    facts.map((fact) => fact.available),
    facts.map((fact) => fact.version),
  ]);
}
