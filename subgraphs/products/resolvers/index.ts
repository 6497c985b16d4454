import { DateTimeScalar } from "../../common/scalars";
import type { Resolvers } from "../generated/graphql";
import { Category } from "./Category";
import { Mutation } from "./Mutation";
import { Product } from "./Product";
import { ProductConnection } from "./ProductConnection";
import { ProductVariant } from "./ProductVariant";
import { Query } from "./Query";
import { variantSearchQuery } from "./VariantSearch";

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query: { ...Query, ...variantSearchQuery },
  Mutation,
  Product,
  ProductVariant,
  ProductConnection,
  Category,
  SearchSuggestion: {
    product: (suggestion, _args, { loaders }) =>
      suggestion.kind === "PRODUCT" ? loaders.productById.load(suggestion.id) : null,
    category: (suggestion, _args, { loaders }) =>
      suggestion.kind === "CATEGORY" ? loaders.categoryById.load(suggestion.id) : null,
  },
  Review: {
    author: (review) => ({ id: review.authorId }),
  },
};
