import type { Category, Product, ProductImage, Review } from "../generated/prisma/client";

/** Rows as the store returns them; resolvers map them to the API's types. */
export type ProductRecord = Product;
export type CategoryRecord = Category;
export type ProductImageRecord = ProductImage;
export type ReviewRecord = Review;

/** A user as other subgraphs reference them: only the id. */
export interface UserReference {
  id: string;
}
