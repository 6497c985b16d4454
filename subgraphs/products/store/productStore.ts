import type { NewProduct, ProductChanges } from "../domain/productInput";
import type { ProductsReader, ProductsTx } from "./database";
import type { ProductImageRecord, ProductRecord } from "./records";

export function findProductsByIds(db: ProductsReader, ids: readonly string[]): Promise<ProductRecord[]> {
  return db.product.findMany({ where: { id: { in: [...ids] } } });
}

export function findImagesOfProducts(db: ProductsReader, productIds: readonly string[]): Promise<ProductImageRecord[]> {
  return db.productImage.findMany({
    where: { productId: { in: [...productIds] } },
    orderBy: [{ productId: "asc" }, { position: "asc" }],
  });
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

/** Applies changes to a product; `images`, when given, replace the old ones. Null when there is no such product. */
export async function changeProduct(
  tx: ProductsTx,
  id: string,
  changes: ProductChanges,
): Promise<ProductRecord | null> {
  const { images, ...fields } = changes;
  const { count } = await tx.product.updateMany({ where: { id }, data: fields });
  if (count === 0) return null;
  if (images) {
    await tx.productImage.deleteMany({ where: { productId: id } });
    await tx.productImage.createMany({
      data: images.map((image, position) => ({ productId: id, position, url: image.url, alt: image.alt })),
    });
  }
  return tx.product.findUnique({ where: { id } });
}
