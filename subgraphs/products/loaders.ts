import { loaderByKey, loaderOfMany } from "../common/loaders";
import type { ProductsDb } from "./store/database";
import { findCategoriesByIds, findChildrenOfCategories } from "./store/categoryStore";
import { findImagesOfProducts, findProductsByIds } from "./store/productStore";

/** DataLoaders of one request: every lookup by id in a request is one query. */
export function createProductsLoaders(db: ProductsDb) {
  return {
    productById: loaderByKey(
      (ids) => findProductsByIds(db, ids),
      (product) => product.id,
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
  };
}

export type ProductsLoaders = ReturnType<typeof createProductsLoaders>;
