import { createHash } from "node:crypto";
import { z } from "zod";
import { BadUserInputError } from "../../common/errors";
import { parseAmount } from "../../common/money";
import { decodeCursor, encodeCursor, pageSize } from "../../common/pagination";
import { optionalText, requiredId } from "../../common/validation";

export const productSorts = ["RELEVANCE", "NEWEST", "PRICE_ASC", "PRICE_DESC", "RATING", "NAME"] as const;
export type ProductSort = (typeof productSorts)[number];

/** The catalog filter as a client sends it (ProductFilter). */
export interface ProductFilterFields {
  search?: string | null;
  categoryId?: string | null;
  minPrice?: string | null;
  maxPrice?: string | null;
  inStock?: boolean | null;
}

/** Where a page starts: the sort key and id of the last row of the previous page. */
export interface ProductPosition {
  key: string | number;
  id: string;
}

/** A checked catalog query: what the store turns into one SQL statement (and one count). */
export interface ProductQuery {
  search: string | null;
  categoryId: string | null;
  minPriceMinor: bigint | null;
  maxPriceMinor: bigint | null;
  inStock: boolean | null;
  includeArchived: boolean;
  sort: ProductSort;
  size: number;
  after: ProductPosition | null;
  /** Identifies filter and sort in cursors, so a cursor is not reused with another query. */
  fingerprint: string;
}

const cursorShape = z.object({ f: z.string(), k: z.union([z.string(), z.number()]), i: z.uuid() });

export function productCursor(query: Pick<ProductQuery, "fingerprint">, key: string | number, id: string): string {
  return encodeCursor({ f: query.fingerprint, k: key, i: id });
}

export function parseProductQuery(args: {
  first?: number | null;
  after?: string | null;
  filter?: ProductFilterFields | null;
  sort?: ProductSort | null;
  includeArchived: boolean;
}): ProductQuery {
  const filter = args.filter ?? {};
  const search = optionalText(filter.search, "filter.search", 200);
  const minPriceMinor = filter.minPrice ? parseAmount(filter.minPrice, "filter.minPrice") : null;
  const maxPriceMinor = filter.maxPrice ? parseAmount(filter.maxPrice, "filter.maxPrice") : null;
  if (minPriceMinor !== null && maxPriceMinor !== null && minPriceMinor > maxPriceMinor) {
    throw new BadUserInputError("`minPrice` must not be above `maxPrice`.", "filter.minPrice");
  }
  // Relevance needs words to be relevant to; without a search the newest come first.
  const sort: ProductSort =
    args.sort && (args.sort !== "RELEVANCE" || search) ? args.sort : search ? "RELEVANCE" : "NEWEST";
  const categoryId = filter.categoryId ? requiredId(filter.categoryId, "filter.categoryId") : null;
  const inStock = filter.inStock ?? null;
  const fingerprint = createHash("sha256")
    .update(
      JSON.stringify([
        search,
        categoryId,
        minPriceMinor?.toString(),
        maxPriceMinor?.toString(),
        inStock,
        args.includeArchived,
        sort,
      ]),
    )
    .digest("base64url")
    .slice(0, 12);
  let after: ProductPosition | null = null;
  if (args.after) {
    const cursor = decodeCursor(args.after, cursorShape);
    if (cursor.f !== fingerprint) {
      throw new BadUserInputError(
        "This cursor belongs to another filter or sort: start again from the first page.",
        "after",
      );
    }
    after = { key: cursor.k, id: cursor.i };
  }
  return {
    search,
    categoryId,
    minPriceMinor,
    maxPriceMinor,
    inStock,
    includeArchived: args.includeArchived,
    sort,
    size: pageSize(args.first),
    after,
    fingerprint,
  };
}
