import { toMoney } from "../../common/money";
import type { ProductResolvers } from "../generated/graphql";

export const Product: ProductResolvers = {
  __resolveReference: (reference, { loaders }) => loaders.productById.load(reference.id),
  price: (product) => toMoney(product.priceMinor, product.currency),
  category: (product, _args, { loaders }) => (product.categoryId ? loaders.categoryById.load(product.categoryId) : null),
  images: (product, _args, { loaders }) => loaders.imagesOfProduct.load(product.id),
};
