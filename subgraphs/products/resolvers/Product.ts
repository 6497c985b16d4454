import { z } from "zod";
import { toMoney } from "../../common/money";
import { decodeCursor, encodeCursor, newestFirstCursor, pageSize, toConnection } from "../../common/pagination";
import { ratingOf } from "../domain/reviews";
import { optionsKeyOf } from "../domain/variantOptions";
import { visibleVariants } from "../domain/visibility";
import type { ProductResolvers } from "../generated/graphql";
import { countReviews, listReviews } from "../store/reviewStore";

const variantPosition = z.number().int().min(0);

export const Product: ProductResolvers = {
  __resolveReference: (reference, { loaders }) => loaders.productById.load(reference.id),
  sku: (product) => product.defaultSku,
  price: (product) => toMoney(product.priceMinor, product.currency),
  priceRange: (product) => ({
    min: toMoney(product.priceMinor, product.currency),
    max: toMoney(product.maxPriceMinor, product.currency),
  }),
  archived: (product) => product.status === "ARCHIVED",
  category: (product, _args, { loaders }) =>
    product.categoryId ? loaders.categoryById.load(product.categoryId) : null,
  images: (product, _args, { loaders }) => loaders.imagesOfProduct.load(product.id),
  options: (product, _args, { loaders }) => loaders.optionsOfProduct.load(product.id),
  attributes: (product, _args, { loaders }) => loaders.attributesOfProduct.load(product.id),
  async variants(product, args, { caller, loaders }) {
    const size = pageSize(args.first);
    const after = args.after ? decodeCursor(args.after, variantPosition) : -1;
    const all = visibleVariants(await loaders.variantsOfProduct.load(product.id), caller);
    return toConnection(
      all.filter((variant) => variant.position > after).slice(0, size + 1),
      size,
      (variant) => encodeCursor(variant.position),
      () => Promise.resolve(all.length),
      after >= 0,
    );
  },
  async defaultVariant(product, _args, { loaders }) {
    const variants = await loaders.variantsOfProduct.load(product.id);
    return variants.find((variant) => variant.id === product.defaultVariantId) ?? variants[0]!;
  },
  async variantBySelectedOptions(product, { selectedOptions }, { loaders }) {
    const wanted = optionsKeyOf(
      selectedOptions.map((option) => ({ name: option.name.trim(), value: option.value.trim() })),
    );
    const variants = await loaders.variantsOfProduct.load(product.id);
    return variants.find((variant) => !variant.archived && variant.optionsKey === wanted) ?? null;
  },
  rating: (product) => ratingOf(product),
  async reviews(product, args, { db }) {
    const size = pageSize(args.first);
    const rows = await listReviews(db, { productId: product.id, size, after: args.after });
    return toConnection(rows, size, newestFirstCursor, () => countReviews(db, product.id));
  },
};
