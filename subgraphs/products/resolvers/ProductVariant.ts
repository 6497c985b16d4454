import { toMoney } from "../../common/money";
import type { ProductVariantResolvers } from "../generated/graphql";

export const ProductVariant: ProductVariantResolvers = {
  __resolveReference: (reference, { loaders }) => loaders.variantById.load(reference.id),
  price: (variant) => toMoney(variant.priceMinor, variant.currency),
  compareAtPrice: (variant) =>
    variant.compareAtPriceMinor === null ? null : toMoney(variant.compareAtPriceMinor, variant.currency),
  weight: (variant) => variant.weightGrams,
  async images(variant, _args, { loaders }) {
    const own = await loaders.imagesOfVariant.load(variant.id);
    return own.length ? own : loaders.imagesOfProduct.load(variant.productId);
  },
  async image(variant, _args, { loaders }) {
    const [own] = await loaders.imagesOfVariant.load(variant.id);
    return own ?? (await loaders.imagesOfProduct.load(variant.productId))[0] ?? null;
  },
  product: async (variant, _args, { loaders }) => (await loaders.productById.load(variant.productId))!,
  attributes: (variant, _args, { loaders }) => loaders.attributesOfVariant.load(variant.id),
};
