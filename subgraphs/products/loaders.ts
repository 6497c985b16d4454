import { loaderByKey, loaderOfMany } from "../common/loaders";
import type { ProductsDb } from "./store/database";
import { findCategoriesByIds, findChildrenOfCategories } from "./store/categoryStore";
import { findImagesOfProducts, findProductsByIds } from "./store/productStore";
import {
  findAttributesOfProducts,
  findAttributesOfVariants,
  findImagesOfVariants,
  findOptionsOfProducts,
  findVariantsByIds,
  findVariantsOfProducts,
} from "./store/variantStore";

/** DataLoaders of one request: every lookup by id in a request is one query. */
export function createProductsLoaders(db: ProductsDb) {
  return {
    productById: loaderByKey(
      (ids) => findProductsByIds(db, ids),
      (product) => product.id,
    ),
    variantById: loaderByKey(
      (ids) => findVariantsByIds(db, ids),
      (variant) => variant.id,
    ),
    /** Every variant of a product, archived ones too, in the merchant's order. */
    variantsOfProduct: loaderOfMany(
      (ids) => findVariantsOfProducts(db, ids),
      (variant) => variant.productId,
    ),
    optionsOfProduct: loaderOfMany(
      (ids) => findOptionsOfProducts(db, ids),
      (option) => option.productId,
    ),
    attributesOfProduct: loaderOfMany(
      (ids) => findAttributesOfProducts(db, ids),
      (attribute) => attribute.productId,
    ),
    attributesOfVariant: loaderOfMany(
      (ids) => findAttributesOfVariants(db, ids),
      (attribute) => attribute.variantId ?? "",
    ),
    categoryById: loaderByKey(
      (ids) => findCategoriesByIds(db, ids),
      (category) => category.id,
    ),
    childrenOfCategory: loaderOfMany(
      (ids) => findChildrenOfCategories(db, ids),
      (category) => category.parentId ?? "",
    ),
    imagesOfProduct: loaderOfMany(
      (ids) => findImagesOfProducts(db, ids),
      (image) => image.productId,
    ),
    imagesOfVariant: loaderOfMany(
      (ids) => findImagesOfVariants(db, ids),
      (image) => image.variantId,
    ),
  };
}

export type ProductsLoaders = ReturnType<typeof createProductsLoaders>;
