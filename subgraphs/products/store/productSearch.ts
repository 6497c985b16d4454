import { Prisma } from "../generated/prisma/client";
import type { ProductQuery, ProductSort } from "../domain/productQuery";
import type { ProductsReader } from "./database";
import type { ProductRecord } from "./records";

/** A product row with the value it is sorted by, which the next page's cursor starts from. */
export type RankedProduct = ProductRecord & { sortKey: string | number };

const columns = Prisma.sql`
  p.id, p.sku, p.name, p.slug, p.description, p.price_minor AS "priceMinor", p.currency,
  p.category_id AS "categoryId", p.archived, p.created_at AS "createdAt", p.updated_at AS "updatedAt",
  p.rating_count AS "ratingCount", p.rating_sum AS "ratingSum", p.rating_average AS "ratingAverage"`;

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

/** The conditions of a query, shared by the page and its count. */
function conditions(query: ProductQuery): Prisma.Sql {
  const parts: Prisma.Sql[] = [];
  if (!query.includeArchived) parts.push(Prisma.sql`p.archived = false`);
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
  if (query.minPriceMinor !== null) parts.push(Prisma.sql`p.price_minor >= ${query.minPriceMinor}`);
  if (query.maxPriceMinor !== null) parts.push(Prisma.sql`p.price_minor <= ${query.maxPriceMinor}`);
  if (query.inStock !== null) {
    parts.push(query.inStock ? Prisma.sql`coalesce(a.available, 0) > 0` : Prisma.sql`coalesce(a.available, 0) <= 0`);
  }
  return parts.length ? Prisma.sql`WHERE ${Prisma.join(parts, " AND ")}` : Prisma.empty;
}

const from = Prisma.sql`FROM products p LEFT JOIN product_availability a ON a.product_id = p.id`;

/** One page (plus one row, to tell whether more follow) of the catalog: one SQL statement. */
export async function searchProducts(db: ProductsReader, query: ProductQuery): Promise<RankedProduct[]> {
  const spec = sortSpec(query.sort, query.search);
  const direction = spec.descending ? Prisma.sql`DESC` : Prisma.sql`ASC`;
  const where = conditions(query);
  const after = query.after
    ? Prisma.sql`${where === Prisma.empty ? Prisma.sql`WHERE` : Prisma.sql`AND`} (${spec.key}, p.id) ${spec.descending ? Prisma.sql`<` : Prisma.sql`>`} (${spec.parameter(query.after.key)}, ${query.after.id}::uuid)`
    : Prisma.empty;
  const rows = await db.$queryRaw<Array<Record<string, unknown>>>`
    SELECT ${columns}, ${spec.key} AS "sortKey" ${from} ${where} ${after}
    ORDER BY "sortKey" ${direction}, p.id ${direction}
    LIMIT ${query.size + 1}`;
  return rows.map((row) => ({ ...(row as unknown as ProductRecord), sortKey: spec.cursorValue(row) }));
}

export async function countProducts(db: ProductsReader, query: ProductQuery): Promise<number> {
  const [row] = await db.$queryRaw<Array<{ count: bigint }>>`SELECT count(*) AS count ${from} ${conditions(query)}`;
  return Number(row?.count ?? 0);
}
