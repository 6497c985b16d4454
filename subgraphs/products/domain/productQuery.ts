import { createHash } from "node:crypto";
import { z } from "zod";
import { BadUserInputError } from "../../common/errors";
import { parseAmount } from "../../common/money";
import { decodeCursor, encodeCursor, pageSize } from "../../common/pagination";
import { optionalText, requiredId, requiredText } from "../../common/validation";
import type { ProductStatus } from "../store/records";

export const productSorts = ["RELEVANCE", "NEWEST", "PRICE_ASC", "PRICE_DESC", "RATING", "NAME"] as const;
export type ProductSort = (typeof productSorts)[number];

/** The catalog filter as a client sends it (ProductFilter). */
export interface ProductFilterFields {
  search?: string | null;
  categoryId?: string | null;
  minPrice?: string | null;
  maxPrice?: string | null;
  inStock?: boolean | null;
  attributes?: ReadonlyArray<{ name: string; values: readonly string[] }> | null;
  status?: ProductStatus | null;
}

/** An attribute condition: the name and the accepted values, lower-cased (matching ignores letter case). */
export interface AttributeCondition {
  name: string;
  values: string[];
}

export const maxAttributeFilters = 10;
export const maxAttributeFilterValues = 50;

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
  attributes: AttributeCondition[];
  /** Only this status; null: any the caller may see. */
  status: ProductStatus | null;
  /** Whether the caller sees products that are not for sale (ADMIN): DRAFT and ARCHIVED. */
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
  const attributes = parseAttributeConditions(filter.attributes);
  const status = filter.status ?? null;
  const fingerprint = createHash("sha256")
    .update(
      JSON.stringify([
        search,
        categoryId,
        minPriceMinor?.toString(),
        maxPriceMinor?.toString(),
        inStock,
        attributes,
        status,
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
    attributes,
    status,
    includeArchived: args.includeArchived,
    sort,
    size: pageSize(args.first),
    after,
    fingerprint,
  };
}

function parseAttributeConditions(input: ProductFilterFields["attributes"]): AttributeCondition[] {
  if (!input) return [];
  if (input.length > maxAttributeFilters)
    throw new BadUserInputError(`At most ${maxAttributeFilters} attribute conditions.`, "filter.attributes");
  return input.map((condition, index) => {
    const field = `filter.attributes.${index}`;
    if (condition.values.length === 0 || condition.values.length > maxAttributeFilterValues)
      throw new BadUserInputError(`Give 1 to ${maxAttributeFilterValues} values.`, `${field}.values`);
    return {
      name: requiredText(condition.name, `${field}.name`, { max: 50 }).toLowerCase(),
      values: condition.values.map((value, n) =>
        requiredText(value, `${field}.values.${n}`, { max: 100 }).toLowerCase(),
      ),
    };
  });
}
