import { anyOfParameter, sql, sqlOfIds, statement } from "../../common/database/sqlPool";
import { defaultVariantTitle } from "../../common/events/productVariants";
import { Prisma } from "../generated/prisma/client";
import type { NewProduct, ProductChanges } from "../domain/productInput";
import type { ProductsReader, ProductsTx } from "./database";
import type { ProductImageRecord, ProductRecord } from "./records";

/**
 * The columns of `ProductRecord`, for a statement `FROM products p`: the product's own, and its
 * default variant's id and SKU from a lateral look-up (an index scan on the product's variants).
 */
export const productColumns = `
  p.id::text AS id, p.name, p.slug, p.description, p.price_minor AS "priceMinor", p.max_price_minor AS "maxPriceMinor",
  p.currency, p.category_id::text AS "categoryId", p.status::text AS status, p.tax_category::text AS "taxCategory", p.created_at AS "createdAt",
  p.updated_at AS "updatedAt", p.rating_count AS "ratingCount", p.rating_sum AS "ratingSum",
  p.rating_average AS "ratingAverage", d.id::text AS "defaultVariantId", d.sku AS "defaultSku"`;

export const defaultVariantJoin = `
  LEFT JOIN LATERAL (
    SELECT v.id, v.sku FROM product_variants v WHERE v.product_id = p.id ORDER BY v.archived, v.position LIMIT 1
  ) d ON true`;

const productsByIds = statement(
  "products.product.byIds",
  `SELECT ${productColumns} FROM products p ${defaultVariantJoin} WHERE p.id = ${anyOfParameter("$1")}`,
);

const productBySlug = statement(
  "products.product.bySlug",
  `SELECT ${productColumns} FROM products p ${defaultVariantJoin} WHERE p.slug = $1::text`,
);

const uuids = (ids: readonly string[]) => Prisma.join(ids.map((id) => Prisma.sql`${id}::uuid`));

/** Products by id, in no particular order (one named statement; inside a transaction, on its connection). */
export const findProductsByIds = sqlOfIds<ProductRecord>(productsByIds);

export async function findProductBySlug(db: ProductsReader, slug: string): Promise<ProductRecord | null> {
  const [row] = await sql<ProductRecord>(db, productBySlug, [slug]);
  return row ?? null;
}

/** Locks the product's row until the transaction ends: changes to one product's options and variants happen one at a time. */
export async function lockProduct(tx: ProductsTx, id: string): Promise<boolean> {
  const rows = await tx.$queryRaw<unknown[]>`SELECT 1 FROM products WHERE id = ${id}::uuid FOR UPDATE`;
  return rows.length > 0;
}

const imagesOfProducts = statement(
  "products.product.images",
  `SELECT id::text AS id, product_id::text AS "productId", position, url, alt
     FROM product_images WHERE product_id = ${anyOfParameter("$1")} ORDER BY product_id, position`,
);

/** The pictures of these products, each product's in display order. */
export const findImagesOfProducts = sqlOfIds<ProductImageRecord>(imagesOfProducts);

/** A new product with its first variant, which takes the product's own id. */
export async function insertProduct(tx: ProductsTx, id: string, product: NewProduct): Promise<void> {
  await tx.product.create({
    data: {
      id,
      name: product.name,
      slug: product.slug,
      description: product.description,
      priceMinor: product.priceMinor,
      maxPriceMinor: product.priceMinor,
      currency: product.currency,
      categoryId: product.categoryId,
      status: product.status,
      taxCategory: product.taxCategory,
      images: { create: product.images.map((image, position) => ({ position, url: image.url, alt: image.alt })) },
      variants: {
        create: [{ id, position: 0, sku: product.sku, title: defaultVariantTitle, priceMinor: product.priceMinor }],
      },
      attributes: {
        create: product.attributes.map((attribute, position) => ({ position, ...attribute })),
      },
    },
  });
}

/** Applies changes to a product's own fields; `images` and `attributes`, when given, replace the old ones. */
export async function changeProduct(tx: ProductsTx, id: string, changes: ProductChanges): Promise<void> {
  const { images, attributes, sku: _sku, priceMinor: _price, ...fields } = changes;
  await tx.product.update({ where: { id }, data: fields });
  if (images) {
    await tx.productImage.deleteMany({ where: { productId: id } });
    await tx.productImage.createMany({
      data: images.map((image, position) => ({ productId: id, position, url: image.url, alt: image.alt })),
    });
  }
  if (attributes) {
    await tx.productAttribute.deleteMany({ where: { productId: id, variantId: null } });
    await tx.productAttribute.createMany({
      data: attributes.map((attribute, position) => ({ productId: id, position, ...attribute })),
    });
  }
}

/**
 * Marks products as changed, after any change to them or their variants: their price range is
 * taken again from the variants for sale, and their version (`updated_at`) rises. The version
 * is the time the row was written, after its lock was taken, and always above the previous one,
 * so a later change never carries an older version than an earlier one. Returns the products as
 * they now are.
 */
export async function touchProducts(tx: ProductsTx, ids: readonly string[]): Promise<ProductRecord[]> {
  if (ids.length === 0) return [];
  await tx.$executeRaw`
    UPDATE products p
       SET price_minor = coalesce(r.low, p.price_minor),
           max_price_minor = coalesce(r.high, p.max_price_minor),
           updated_at = greatest(clock_timestamp(), p.updated_at + interval '1 millisecond')
      FROM (SELECT q.id, min(v.price_minor) AS low, max(v.price_minor) AS high
              FROM products q LEFT JOIN product_variants v ON v.product_id = q.id AND NOT v.archived
             WHERE q.id IN (${uuids(ids)})
             GROUP BY q.id) r
     WHERE p.id = r.id`;
  return findProductsByIds(tx, ids);
}

/** Ids of the products filed directly under a category. */
export async function productIdsInCategory(tx: ProductsTx, categoryId: string): Promise<string[]> {
  const rows = await tx.product.findMany({ where: { categoryId }, select: { id: true } });
  return rows.map((row) => row.id);
}
