import { afterNewestFirst } from "../../common/pagination";
import type { NewProduct } from "../domain/productInput";
import type { ProductsReader, ProductsTx } from "./database";
import type { ProductImageRecord, ProductRecord } from "./records";

export interface ProductListQuery {
  size: number;
  after?: string | null;
  includeArchived: boolean;
}

const newestFirst = [{ createdAt: "desc" as const }, { id: "desc" as const }];

/** One page (plus one row, to tell whether more follow) of products, newest first. */
export function listProducts(db: ProductsReader, query: ProductListQuery): Promise<ProductRecord[]> {
  return db.product.findMany({
    where: { ...(query.includeArchived ? {} : { archived: false }), ...afterNewestFirst(query.after) },
    orderBy: newestFirst,
    take: query.size + 1,
  });
}

export function countProducts(db: ProductsReader, query: Pick<ProductListQuery, "includeArchived">): Promise<number> {
  return db.product.count({ where: query.includeArchived ? {} : { archived: false } });
}

export function findProductsByIds(db: ProductsReader, ids: readonly string[]): Promise<ProductRecord[]> {
  return db.product.findMany({ where: { id: { in: [...ids] } } });
}

export function findImagesOfProducts(db: ProductsReader, productIds: readonly string[]): Promise<ProductImageRecord[]> {
  return db.productImage.findMany({ where: { productId: { in: [...productIds] } }, orderBy: [{ productId: "asc" }, { position: "asc" }] });
}

export function insertProduct(tx: ProductsTx, product: NewProduct): Promise<ProductRecord> {
  return tx.product.create({
    data: {
      sku: product.sku,
      name: product.name,
      slug: product.slug,
      description: product.description,
      priceMinor: product.priceMinor,
      currency: product.currency,
      categoryId: product.categoryId,
      images: { create: product.images.map((image, position) => ({ position, url: image.url, alt: image.alt })) },
    },
  });
}
