import { DateTimeScalar } from "../../common/scalars";
import type { Resolvers } from "../generated/graphql";
import { Category } from "./Category";
import { Mutation } from "./Mutation";
import { Product } from "./Product";
import { Query } from "./Query";

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query,
  Mutation,
  Product,
  Category,
  Review: {
    author: (review) => ({ id: review.authorId }),
  },
};
