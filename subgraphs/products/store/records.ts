import type { Connection } from "../../common/pagination";
import type { ProductQuery } from "../domain/productQuery";
import type {
  Category,
  ProductImage,
  ProductOption,
  ProductStatus,
  Review,
  TaxCategory,
  VariantImage,
} from "../generated/prisma/client";

/**
 * A product row as the store reads it (one statement, see `productColumns`): its own columns and
 * its default variant's id and SKU, so a page of products needs no second query for them.
 */
export interface ProductRecord {
  id: string;
  name: string;
  slug: string;
  description: string;
  /** Lowest price of the variants for sale. */
  priceMinor: bigint;
  /** Highest price of the variants for sale. */
  maxPriceMinor: bigint;
  currency: string;
  categoryId: string | null;
  status: ProductStatus;
  taxCategory: TaxCategory;
  createdAt: Date;
  updatedAt: Date;
  ratingCount: number;
  ratingSum: number;
  ratingAverage: number | null;
  /** The first variant for sale in the merchant's order (the first variant when none is). */
  defaultVariantId: string;
  defaultSku: string;
}

export interface SelectedOptionValue {
  name: string;
  value: string;
}

/** A variant row with its product's currency (all of a product's variants are priced in it). */
export interface VariantRecord {
  id: string;
  productId: string;
  position: number;
  sku: string;
  title: string;
  selectedOptions: SelectedOptionValue[];
  optionsKey: string;
  priceMinor: bigint;
  compareAtPriceMinor: bigint | null;
  weightGrams: number | null;
  barcode: string | null;
  archived: boolean;
  currency: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface AttributeRecord {
  productId: string;
  variantId: string | null;
  position: number;
  name: string;
  value: string;
}

/** A picture as the API shows it: a product's or a variant's. */
export interface ImageView {
  url: string;
  alt: string;
}

export type CategoryRecord = Category;
export type ProductImageRecord = ProductImage;
export type VariantImageRecord = VariantImage;
export type ProductOptionRecord = ProductOption;
export type ReviewRecord = Review;
export type { ProductStatus, TaxCategory };

/** A user as other subgraphs reference them: only the id. */
export interface UserReference {
  id: string;
}

/** A page of the catalog, with the query behind it (its facets are counted only when asked for). */
export type ProductPage = Connection<ProductRecord> & { query: ProductQuery };
