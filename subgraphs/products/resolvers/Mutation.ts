import { requireAdmin, requireCaller } from "../../common/auth/guards";
import { createCategory, deleteCategory, updateCategory } from "../domain/categories";
import { archiveProduct, createProduct, updateProduct } from "../domain/catalog";
import { addReview } from "../domain/reviews";
import { archiveVariant, createVariants, setProductOptions, updateVariant } from "../domain/variants";
import type { MutationResolvers } from "../generated/graphql";

/** Catalog changes are back-office operations (ADMIN); reviews are for any signed-in customer. */
export const Mutation: MutationResolvers = {
  createCategory: (_parent, { input }, context) => (requireAdmin(context.caller), createCategory(context, input)),
  categoryUpdate: (_parent, { id, input }, context) => (
    requireAdmin(context.caller),
    updateCategory(context, id, input)
  ),
  categoryDelete: (_parent, { id, moveProductsToCategoryId }, context) => (
    requireAdmin(context.caller),
    deleteCategory(context, id, moveProductsToCategoryId)
  ),
  createProduct: (_parent, { input }, context) => (requireAdmin(context.caller), createProduct(context, input)),
  updateProduct: (_parent, { id, input }, context) => (requireAdmin(context.caller), updateProduct(context, id, input)),
  archiveProduct: (_parent, { id }, context) => (requireAdmin(context.caller), archiveProduct(context, id)),
  productOptionsSet: (_parent, { productId, options }, context) => (
    requireAdmin(context.caller),
    setProductOptions(context, productId, options)
  ),
  productVariantsCreate: (_parent, { productId, variants }, context) => (
    requireAdmin(context.caller),
    createVariants(context, productId, variants)
  ),
  productVariantUpdate: (_parent, { id, input }, context) => (
    requireAdmin(context.caller),
    updateVariant(context, id, input)
  ),
  productVariantArchive: (_parent, { id }, context) => (requireAdmin(context.caller), archiveVariant(context, id)),
  addReview: (_parent, { input }, context) => addReview(context, requireCaller(context.caller).userId, input),
};
