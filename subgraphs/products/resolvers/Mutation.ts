import { requireAdmin } from "../../common/auth/guards";
import { createCategory, createProduct } from "../domain/catalog";
import type { MutationResolvers } from "../generated/graphql";

/** Catalog changes are back-office operations: ADMIN only. */
export const Mutation: MutationResolvers = {
  createCategory: (_parent, { input }, context) => (requireAdmin(context.caller), createCategory(context, input)),
  createProduct: (_parent, { input }, context) => (requireAdmin(context.caller), createProduct(context, input)),
};
