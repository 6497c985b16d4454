import { requireAdmin, requireCaller } from "../../common/auth/guards";
import { archiveProduct, createCategory, createProduct, updateProduct } from "../domain/catalog";
import { addReview } from "../domain/reviews";
import type { MutationResolvers } from "../generated/graphql";

/** Catalog changes are back-office operations (ADMIN); reviews are for any signed-in customer. */
export const Mutation: MutationResolvers = {
  createCategory: (_parent, { input }, context) => (requireAdmin(context.caller), createCategory(context, input)),
  createProduct: (_parent, { input }, context) => (requireAdmin(context.caller), createProduct(context, input)),
  updateProduct: (_parent, { id, input }, context) => (requireAdmin(context.caller), updateProduct(context, id, input)),
  archiveProduct: (_parent, { id }, context) => (requireAdmin(context.caller), archiveProduct(context, id)),
  addReview: (_parent, { input }, context) => addReview(context, requireCaller(context.caller).userId, input),
};
