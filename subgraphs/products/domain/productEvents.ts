import type { EventData } from "../../common/events/catalog";
import type { Emit } from "../../common/events/unitOfWork";
import { toMoney } from "../../common/money";
import type { ProductsTx } from "../store/database";
import { findImagesOfProducts } from "../store/productStore";
import type { ProductRecord } from "../store/records";
import { findImagesOfVariants, findVariantsOfProducts } from "../store/variantStore";

type ProductFacts = EventData<"catalog.product.created">;

/**
 * What the catalog tells other services about products: each product as it now is, with every
 * variant (archived ones too) and each variant's first picture. Three statements, whatever the
 * number of products.
 */
async function factsOf(tx: ProductsTx, products: readonly ProductRecord[]): Promise<ProductFacts[]> {
  const ids = products.map((product) => product.id);
  const variants = await findVariantsOfProducts(tx, ids);
  const variantImages = await findImagesOfVariants(
    tx,
    variants.map((variant) => variant.id),
  );
  const productImages = await findImagesOfProducts(tx, ids);
  const firstImage = <T extends { position: number }>(images: T[]) =>
    images.reduce<T | undefined>(
      (first, image) => (!first || image.position < first.position ? image : first),
      undefined,
    );
  return products.map((product) => ({
    productId: product.id,
    sku: product.defaultSku,
    name: product.name,
    price: toMoney(product.priceMinor, product.currency),
    categoryId: product.categoryId,
    updatedAt: product.updatedAt.toISOString(),
    status: product.status,
    taxCategory: product.taxCategory,
    variants: variants
      .filter((variant) => variant.productId === product.id)
      .map((variant) => {
        const image =
          firstImage(variantImages.filter((each) => each.variantId === variant.id)) ??
          firstImage(productImages.filter((each) => each.productId === product.id));
        return {
          variantId: variant.id,
          sku: variant.sku,
          title: variant.title,
          price: toMoney(variant.priceMinor, product.currency),
          selectedOptions: variant.selectedOptions,
          archived: variant.archived,
          weightGrams: variant.weightGrams,
          image: image ? { url: image.url, alt: image.alt } : null,
        };
      }),
  }));
}

/** Announces new products (`catalog.product.created`), in the transaction that made them. */
export async function announceCreated(tx: ProductsTx, emit: Emit, products: readonly ProductRecord[]): Promise<void> {
  for (const facts of await factsOf(tx, products)) emit("catalog.product.created", facts);
}

/** Announces products as they now are after any change to them or their variants (`catalog.product.updated`). */
export async function announceUpdated(tx: ProductsTx, emit: Emit, products: readonly ProductRecord[]): Promise<void> {
  for (const facts of await factsOf(tx, products)) {
    emit("catalog.product.updated", { ...facts, archived: facts.status === "ARCHIVED" });
  }
}
