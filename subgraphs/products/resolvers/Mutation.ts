import { requireCaller, requirePermission } from "../../common/auth/guards";
import { createCategory, deleteCategory, updateCategory } from "../domain/categories";
import { archiveProduct, createProduct, updateProduct } from "../domain/catalog";
import { addReview } from "../domain/reviews";
import { archiveVariant, createVariants, setProductOptions, updateVariant } from "../domain/variants";
import type { MutationResolvers } from "../generated/graphql";

/** Catalog changes are back-office operations (the CATALOG permission); reviews are for any signed-in customer. */
export const Mutation: MutationResolvers = {
  createCategory: (_parent, { input }, context) => (
    requirePermission(context.caller, "CATALOG"),
    createCategory(context, input)
  ),
  categoryUpdate: (_parent, { id, input }, context) => (
    requirePermission(context.caller, "CATALOG"),
    updateCategory(context, id, input)
  ),
  categoryDelete: (_parent, { id, moveProductsToCategoryId }, context) => (
    requirePermission(context.caller, "CATALOG"),
    deleteCategory(context, id, moveProductsToCategoryId)
  ),
  createProduct: (_parent, { input }, context) => (
    requirePermission(context.caller, "CATALOG"),
    createProduct(context, input)
  ),
  updateProduct: (_parent, { id, input }, context) => (
    requirePermission(context.caller, "CATALOG"),
    updateProduct(context, id, input)
  ),
  archiveProduct: (_parent, { id }, context) => (
    requirePermission(context.caller, "CATALOG"),
    archiveProduct(context, id)
  ),
  productOptionsSet: (_parent, { productId, options }, context) => (
    requirePermission(context.caller, "CATALOG"),
    setProductOptions(context, productId, options)
  ),
  productVariantsCreate: (_parent, { productId, variants }, context) => (
    requirePermission(context.caller, "CATALOG"),
    createVariants(context, productId, variants)
  ),
  productVariantUpdate: (_parent, { id, input }, context) => (
    requirePermission(context.caller, "CATALOG"),
    updateVariant(context, id, input)
  ),
  productVariantArchive: (_parent, { id }, context) => (
    requirePermission(context.caller, "CATALOG"),
    archiveVariant(context, id)
  ),
  addReview: (_parent, { input }, context) => addReview(context, requireCaller(context.caller).userId, input),
};
