import type { Category, Product, ProductImage } from "../generated/prisma/client";

/** Rows as the store returns them; resolvers map them to the API's types. */
export type ProductRecord = Product;
export type CategoryRecord = Category;
export type ProductImageRecord = ProductImage;
