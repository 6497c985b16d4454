import { toMoney } from "../../common/money";
import { newestFirstCursor, pageSize, toConnection } from "../../common/pagination";
import { ratingOf } from "../domain/reviews";
import type { ProductResolvers } from "../generated/graphql";
import { countReviews, listReviews } from "../store/reviewStore";

export const Product: ProductResolvers = {
  __resolveReference: (reference, { loaders }) => loaders.productById.load(reference.id),
  price: (product) => toMoney(product.priceMinor, product.currency),
  category: (product, _args, { loaders }) =>
    product.categoryId ? loaders.categoryById.load(product.categoryId) : null,
  images: (product, _args, { loaders }) => loaders.imagesOfProduct.load(product.id),
  rating: (product) => ratingOf(product),
  async reviews(product, args, { db }) {
    const size = pageSize(args.first);
    const rows = await listReviews(db, { productId: product.id, size, after: args.after });
    return toConnection(rows, size, newestFirstCursor, () => countReviews(db, product.id));
  },
};
