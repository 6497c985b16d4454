import { sql } from "../../common/database/sqlPool";
import type { AttributeCondition, ProductQuery, ProductSort } from "../domain/productQuery";
import type { ProductsReader } from "./database";
import { SearchText, statementFor } from "./searchText";
import { defaultVariantJoin, productColumns } from "./productStore";
import type { ProductRecord } from "./records";

/** A product row with the value it is sorted by, which the next page's cursor starts from. */
export type RankedProduct = ProductRecord & { sortKey: string | number };

/**
 * Relevance: full-text rank of the weighted document (name counts more than description), plus
 * how closely the words resemble the name, so that a typo still ranks its product high.
 * `search` is the parameter holding the words.
 */
function relevance(search: string): string {
  return `(ts_rank_cd(p.search_vector, websearch_to_tsquery('english', ${search}))::float8 * 2
    + word_similarity(${search}, p.name)::float8)`;
}

interface SortSpec {
  key: string;
  descending: boolean;
  /** The sort key of a row as a cursor carries it, and back. */
  cursorValue: (row: { sortKey: unknown }) => string | number;
  parameter: (text: SearchText, value: string | number) => string;
}

function sortSpec(sort: ProductSort, search: string | null): SortSpec {
  switch (sort) {
    case "RELEVANCE":
      return {
        key: relevance(search ?? "''"),
        descending: true,
        cursorValue: (row) => Number(row.sortKey),
        parameter: (text, v) => text.param(Number(v), "float8"),
      };
    case "NEWEST":
      return {
        key: "p.created_at",
        descending: true,
        cursorValue: (row) => (row.sortKey as Date).toISOString(),
        parameter: (text, v) => text.param(String(v), "timestamptz"),
      };
    case "PRICE_ASC":
    case "PRICE_DESC":
      return {
        key: "p.price_minor",
        descending: sort === "PRICE_DESC",
        cursorValue: (row) => String(row.sortKey),
        parameter: (text, v) => text.param(String(v), "bigint"),
      };
    case "RATING":
      return {
        key: "coalesce(p.rating_average, -1)",
        descending: true,
        cursorValue: (row) => Number(row.sortKey),
        parameter: (text, v) => text.param(Number(v), "float8"),
      };
    case "NAME":
      return {
        key: "lower(p.name)",
        descending: false,
        cursorValue: (row) => String(row.sortKey),
        parameter: (text, v) => text.param(String(v), "text"),
      };
  }
}

/** The product carries the attribute (itself, or a variant for sale) with one of the values. */
function hasAttribute(text: SearchText, condition: AttributeCondition): string {
  return `EXISTS (
    SELECT 1 FROM product_attributes pa LEFT JOIN product_variants pv ON pv.id = pa.variant_id
     WHERE pa.product_id = p.id AND (pa.variant_id IS NULL OR NOT pv.archived)
       AND lower(pa.name) = ${text.param(condition.name, "text")} AND lower(pa.value) = ANY(${text.param(condition.values, "text[]")}))`;
}

/**
 * The conditions of a query but its attribute conditions, shared by the page, its count and its
 * facets. `search` is the parameter holding the words, when the query has some.
 */
function baseConditions(text: SearchText, query: ProductQuery, search: string | null): string[] {
  const parts: string[] = [];
  if (!query.includeArchived) parts.push(`p.status = 'ACTIVE'`);
  if (query.status) parts.push(`p.status = ${text.param(query.status, '"ProductStatus"')}`);
  if (search) {
    // Full-text match on the weighted document, or a name close enough to the words (typos).
    parts.push(`(p.search_vector @@ websearch_to_tsquery('english', ${search}) OR ${search} <% p.name)`);
  }
  if (query.categoryId) {
    parts.push(`p.category_id IN (
      WITH RECURSIVE tree(id) AS (
        SELECT ${text.param(query.categoryId, "uuid")}
        UNION ALL SELECT c.id FROM categories c JOIN tree ON c.parent_id = tree.id
      ) SELECT id FROM tree)`);
  }
  if (query.minPriceMinor !== null || query.maxPriceMinor !== null) {
    // One variant for sale within the range (the product's price range alone could straddle it).
    const bounds: string[] = [];
    if (query.minPriceMinor !== null)
      bounds.push(`v.price_minor >= ${text.param(query.minPriceMinor.toString(), "bigint")}`);
    if (query.maxPriceMinor !== null)
      bounds.push(`v.price_minor <= ${text.param(query.maxPriceMinor.toString(), "bigint")}`);
    parts.push(`EXISTS (SELECT 1 FROM product_variants v
      WHERE v.product_id = p.id AND NOT v.archived AND ${bounds.join(" AND ")})`);
  }
  if (query.inStock !== null) {
    const available = `EXISTS (SELECT 1 FROM variant_availability a JOIN product_variants v ON v.id = a.variant_id
      WHERE a.product_id = p.id AND a.available > 0 AND NOT v.archived)`;
    parts.push(query.inStock ? available : `NOT ${available}`);
  }
  return parts;
}

function where(parts: readonly string[]): string {
  return parts.length ? `WHERE ${parts.join(" AND ")}` : "";
}

/** The words of a query as a parameter, added first: every statement of the query refers to it. */
const searchParameter = (text: SearchText, query: ProductQuery) =>
  query.search ? text.param(query.search, "text") : null;

/** The conditions of a query, shared by the page and its count. */
function conditions(text: SearchText, query: ProductQuery, search: string | null): string[] {
  return [...baseConditions(text, query, search), ...query.attributes.map((each) => hasAttribute(text, each))];
}

/**
 * The statement of one page (plus one row, to tell whether more follow) of the catalog, named by
 * its shape (see `statementFor`); `counted`: each row also carries how many products match the
 * query in all (`totalCount`), counted in the same statement.
 */
function pageStatement(query: ProductQuery, counted: boolean) {
  const text = new SearchText();
  const search = searchParameter(text, query);
  const spec = sortSpec(query.sort, search);
  const direction = spec.descending ? "DESC" : "ASC";
  const filter = conditions(text, query, search);
  const after = query.after
    ? [
        `(${spec.key}, p.id) ${spec.descending ? "<" : ">"} (${spec.parameter(text, query.after.key)}, ${text.param(query.after.id, "uuid")})`,
      ]
    : [];
  const page = `SELECT ${productColumns}, ${spec.key} AS "sortKey" FROM products p ${defaultVariantJoin} ${where([...filter, ...after])}
    ORDER BY "sortKey" ${direction}, p.id ${direction}
    LIMIT ${text.param(query.size + 1)}`;
  const statement = counted
    ? statementFor(
        "countedPage",
        `WITH page AS (${page})
        SELECT page.*, (SELECT count(*) FROM products p ${where(filter)}) AS "totalCount"
          FROM page ORDER BY "sortKey" ${direction}, id::uuid ${direction}`,
        { generic: !search },
      )
    : statementFor("page", page, { generic: !search });
  return { statement, values: text.values, spec };
}

type PageRow = ProductRecord & { sortKey: unknown; totalCount?: bigint };

const ranked = (spec: SortSpec, rows: readonly PageRow[]): RankedProduct[] =>
  rows.map(({ totalCount: _count, ...row }) => ({ ...row, sortKey: spec.cursorValue(row) }));

/** One page (plus one row, to tell whether more follow) of the catalog: one SQL statement. */
export async function searchProducts(db: ProductsReader, query: ProductQuery): Promise<RankedProduct[]> {
  const { statement, values, spec } = pageStatement(query, false);
  return ranked(spec, await sql<PageRow>(db, statement, values));
}

/**
 * A page of the catalog with how many products match in all: one statement (a second, the
 * count alone, only for an empty page after a cursor, whose rows cannot carry the count).
 */
export async function searchAndCountProducts(
  db: ProductsReader,
  query: ProductQuery,
): Promise<{ rows: RankedProduct[]; totalCount: number }> {
  const { statement, values, spec } = pageStatement(query, true);
  const rows = await sql<PageRow>(db, statement, values);
  const first = rows[0];
  // No row and no cursor: nothing matches at all.
  const totalCount = first ? Number(first.totalCount) : query.after ? await countProducts(db, query) : 0;
  return { rows: ranked(spec, rows), totalCount };
}

export async function countProducts(db: ProductsReader, query: ProductQuery): Promise<number> {
  const text = new SearchText();
  const search = searchParameter(text, query);
  const statement = statementFor(
    "count",
    `SELECT count(*) AS count FROM products p ${where(conditions(text, query, search))}`,
    { generic: !search },
  );
  const [row] = await sql<{ count: bigint }>(db, statement, text.values);
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
  const text = new SearchText();
  const search = searchParameter(text, query);
  const base = baseConditions(text, query, search);
  const others = query.attributes.map(
    (condition) => `(lower(fa.name) = ${text.param(condition.name, "text")} OR ${hasAttribute(text, condition)})`,
  );
  const statement = statementFor(
    "facets",
    `SELECT name, value, count FROM (
      SELECT min(fa.name) AS name, min(fa.value) AS value, count(DISTINCT p.id) AS count,
             dense_rank() OVER (ORDER BY lower(fa.name)) AS facet,
             row_number() OVER (PARTITION BY lower(fa.name) ORDER BY count(DISTINCT p.id) DESC, lower(fa.value)) AS rank
        FROM products p
        JOIN product_attributes fa ON fa.product_id = p.id
        LEFT JOIN product_variants fv ON fv.id = fa.variant_id
        ${where([...base, "(fa.variant_id IS NULL OR NOT fv.archived)", ...others])}
       GROUP BY lower(fa.name), lower(fa.value)
    ) counted
    WHERE facet <= ${text.param(maxFacets, "int")} AND rank <= ${text.param(maxFacetValues, "int")}
    ORDER BY lower(name), count DESC, lower(value)`,
    { generic: !search },
  );
  const rows = await sql<{ name: string; value: string; count: bigint }>(db, statement, text.values);
  return rows.map((row) => ({ name: row.name, value: row.value, count: Number(row.count) }));
}
