import { createCategory, createProduct } from "../domain/catalog";
import type { MutationResolvers } from "../generated/graphql";

export const Mutation: MutationResolvers = {
  createCategory: (_parent, { input }, context) => createCategory(context, input),
  createProduct: (_parent, { input }, context) => createProduct(context, input),
};
