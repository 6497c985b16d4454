import { Prisma } from "../generated/prisma/client";
import type { AttributeCondition, ProductQuery, ProductSort } from "../domain/productQuery";
import type { ProductsReader } from "./database";
import { defaultVariantJoin, productColumns } from "./productStore";
import type { ProductRecord } from "./records";

/** A product row with the value it is sorted by, which the next page's cursor starts from. */
export type RankedProduct = ProductRecord & { sortKey: string | number };

/**
 * Relevance: full-text rank of the weighted document (name counts more than description), plus
 * how closely the words resemble the name, so that a typo still ranks its product high.
 */
function relevance(search: string): Prisma.Sql {
  return Prisma.sql`(ts_rank_cd(p.search_vector, websearch_to_tsquery('english', ${search}))::float8 * 2
    + word_similarity(${search}, p.name)::float8)`;
}

interface SortSpec {
  key: Prisma.Sql;
  descending: boolean;
  /** The sort key of a row as a cursor carries it, and back. */
  cursorValue: (row: Record<string, unknown>) => string | number;
  parameter: (value: string | number) => Prisma.Sql;
}

function sortSpec(sort: ProductSort, search: string | null): SortSpec {
  switch (sort) {
    case "RELEVANCE":
      return {
        key: relevance(search ?? ""),
        descending: true,
        cursorValue: (row) => Number(row.sortKey),
        parameter: (v) => Prisma.sql`${Number(v)}::float8`,
      };
    case "NEWEST":
      return {
        key: Prisma.sql`p.created_at`,
        descending: true,
        cursorValue: (row) => (row.sortKey as Date).toISOString(),
        parameter: (v) => Prisma.sql`${String(v)}::timestamptz`,
      };
    case "PRICE_ASC":
    case "PRICE_DESC":
      return {
        key: Prisma.sql`p.price_minor`,
        descending: sort === "PRICE_DESC",
        cursorValue: (row) => String(row.sortKey),
        parameter: (v) => Prisma.sql`${String(v)}::bigint`,
      };
    case "RATING":
      return {
        key: Prisma.sql`coalesce(p.rating_average, -1)`,
        descending: true,
        cursorValue: (row) => Number(row.sortKey),
        parameter: (v) => Prisma.sql`${Number(v)}::float8`,
      };
    case "NAME":
      return {
        key: Prisma.sql`lower(p.name)`,
        descending: false,
        cursorValue: (row) => String(row.sortKey),
        parameter: (v) => Prisma.sql`${String(v)}`,
      };
  }
}

/** The product carries the attribute (itself, or a variant for sale) with one of the values. */
function hasAttribute(condition: AttributeCondition): Prisma.Sql {
  return Prisma.sql`EXISTS (
    SELECT 1 FROM product_attributes pa LEFT JOIN product_variants pv ON pv.id = pa.variant_id
     WHERE pa.product_id = p.id AND (pa.variant_id IS NULL OR NOT pv.archived)
       AND lower(pa.name) = ${condition.name} AND lower(pa.value) IN (${Prisma.join(condition.values)}))`;
}

/** The conditions of a query but its attribute conditions, shared by the page, its count and its facets. */
function baseConditions(query: ProductQuery): Prisma.Sql[] {
  const parts: Prisma.Sql[] = [];
  if (!query.includeArchived) parts.push(Prisma.sql`p.status = 'ACTIVE'`);
  if (query.status) parts.push(Prisma.sql`p.status = ${query.status}::"ProductStatus"`);
  if (query.search) {
    // Full-text match on the weighted document, or a name close enough to the words (typos).
    parts.push(
      Prisma.sql`(p.search_vector @@ websearch_to_tsquery('english', ${query.search}) OR ${query.search} <% p.name)`,
    );
  }
  if (query.categoryId) {
    parts.push(Prisma.sql`p.category_id IN (
      WITH RECURSIVE tree(id) AS (
        SELECT ${query.categoryId}::uuid
        UNION ALL SELECT c.id FROM categories c JOIN tree ON c.parent_id = tree.id
      ) SELECT id FROM tree)`);
  }
  if (query.minPriceMinor !== null || query.maxPriceMinor !== null) {
    // One variant for sale within the range (the product's price range alone could straddle it).
    const bounds: Prisma.Sql[] = [];
    if (query.minPriceMinor !== null) bounds.push(Prisma.sql`v.price_minor >= ${query.minPriceMinor}`);
    if (query.maxPriceMinor !== null) bounds.push(Prisma.sql`v.price_minor <= ${query.maxPriceMinor}`);
    parts.push(Prisma.sql`EXISTS (SELECT 1 FROM product_variants v
      WHERE v.product_id = p.id AND NOT v.archived AND ${Prisma.join(bounds, " AND ")})`);
  }
  if (query.inStock !== null) {
    const available = Prisma.sql`EXISTS (SELECT 1 FROM variant_availability a JOIN product_variants v ON v.id = a.variant_id
      WHERE a.product_id = p.id AND a.available > 0 AND NOT v.archived)`;
    parts.push(query.inStock ? available : Prisma.sql`NOT ${available}`);
  }
  return parts;
}

function where(parts: readonly Prisma.Sql[]): Prisma.Sql {
  return parts.length ? Prisma.sql`WHERE ${Prisma.join(parts, " AND ")}` : Prisma.empty;
}

/** The conditions of a query, shared by the page and its count. */
function conditions(query: ProductQuery): Prisma.Sql {
  return where([...baseConditions(query), ...query.attributes.map(hasAttribute)]);
}

const from = Prisma.sql`FROM products p`;

/** One page (plus one row, to tell whether more follow) of the catalog: one SQL statement. */
export async function searchProducts(db: ProductsReader, query: ProductQuery): Promise<RankedProduct[]> {
  const spec = sortSpec(query.sort, query.search);
  const direction = spec.descending ? Prisma.sql`DESC` : Prisma.sql`ASC`;
  const filter = conditions(query);
  const after = query.after
    ? Prisma.sql`${filter === Prisma.empty ? Prisma.sql`WHERE` : Prisma.sql`AND`} (${spec.key}, p.id) ${spec.descending ? Prisma.sql`<` : Prisma.sql`>`} (${spec.parameter(query.after.key)}, ${query.after.id}::uuid)`
    : Prisma.empty;
  const rows = await db.$queryRaw<Array<Record<string, unknown>>>`
    SELECT ${productColumns}, ${spec.key} AS "sortKey" ${from} ${defaultVariantJoin} ${filter} ${after}
    ORDER BY "sortKey" ${direction}, p.id ${direction}
    LIMIT ${query.size + 1}`;
  return rows.map((row) => ({ ...(row as unknown as ProductRecord), sortKey: spec.cursorValue(row) }));
}

export async function countProducts(db: ProductsReader, query: ProductQuery): Promise<number> {
  const [row] = await db.$queryRaw<Array<{ count: bigint }>>`SELECT count(*) AS count ${from} ${conditions(query)}`;
  return Number(row?.count ?? 0);
}

export interface FacetCount {
  name: string;
  value: string;
  count: number;
}

export const maxFacets = 30;
export const maxFacetValues = 50;

/**
 * The attributes of every product the query matches, with how many products carry each value,
 * in one grouped statement. Names and values are compared without regard to letter case. Each
 * attribute's counts leave aside the query's own condition on that attribute (the other values
 * of a facet stay countable once one is chosen), and keep every other condition. The first 30
 * attributes by name, each with its 50 most frequent values.
 */
export async function facetCounts(db: ProductsReader, query: ProductQuery): Promise<FacetCount[]> {
  const others = query.attributes.map(
    (condition) => Prisma.sql`(lower(fa.name) = ${condition.name} OR ${hasAttribute(condition)})`,
  );
  const rows = await db.$queryRaw<Array<{ name: string; value: string; count: bigint }>>`
    SELECT name, value, count FROM (
      SELECT min(fa.name) AS name, min(fa.value) AS value, count(DISTINCT p.id) AS count,
             dense_rank() OVER (ORDER BY lower(fa.name)) AS facet,
             row_number() OVER (PARTITION BY lower(fa.name) ORDER BY count(DISTINCT p.id) DESC, lower(fa.value)) AS rank
        FROM products p
        JOIN product_attributes fa ON fa.product_id = p.id
        LEFT JOIN product_variants fv ON fv.id = fa.variant_id
        ${where([...baseConditions(query), Prisma.sql`(fa.variant_id IS NULL OR NOT fv.archived)`, ...others])}
       GROUP BY lower(fa.name), lower(fa.value)
    ) counted
    WHERE facet <= ${maxFacets} AND rank <= ${maxFacetValues}
    ORDER BY lower(name), count DESC, lower(value)`;
  return rows.map((row) => ({ name: row.name, value: row.value, count: Number(row.count) }));
}
