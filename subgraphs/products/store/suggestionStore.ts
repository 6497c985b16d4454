import type { ProductsReader } from "./database";

export interface Suggestion {
  kind: "PRODUCT" | "CATEGORY";
  id: string;
  text: string;
}

/**
 * A prefix query over the words of names (`simple` configuration: no stemming, so `head`
 * finds `Headphones`): every word typed must start a word of the name. Null when nothing
 * searchable was typed.
 */
export function prefixQuery(prefix: string): string | null {
  const words = prefix.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  return words.length
    ? words
        .slice(0, 10)
        .map((word) => `${word}:*`)
        .join(" & ")
    : null;
}

/**
 * Names that start with what was typed come first, then the most reviewed; products for sale
 * only. Categories first (at most three), then products, `size` in all: two statements.
 */
export async function findSuggestions(db: ProductsReader, prefix: string, size: number): Promise<Suggestion[]> {
  const query = prefixQuery(prefix);
  if (!query) return [];
  const starts = `${prefix
    .trim()
    .toLowerCase()
    .replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const categories = await db.$queryRaw<Array<{ id: string; text: string }>>`
    SELECT c.id::text AS id, c.name AS text FROM categories c
     WHERE to_tsvector('simple', c.name) @@ to_tsquery('simple', ${query})
     ORDER BY lower(c.name) LIKE ${starts} DESC, lower(c.name)
     LIMIT ${Math.min(3, size)}`;
  const products = await db.$queryRaw<Array<{ id: string; text: string }>>`
    SELECT p.id::text AS id, p.name AS text FROM products p
     WHERE p.status = 'ACTIVE' AND to_tsvector('simple', p.name) @@ to_tsquery('simple', ${query})
     ORDER BY lower(p.name) LIKE ${starts} DESC, p.rating_count DESC, lower(p.name), p.id
     LIMIT ${size - categories.length}`;
  return [
    ...categories.map((row) => ({ kind: "CATEGORY" as const, ...row })),
    ...products.map((row) => ({ kind: "PRODUCT" as const, ...row })),
  ];
}
