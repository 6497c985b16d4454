/**
 * `npm run bench:search`: what a catalog search costs at the database. Loads 10,000 products
 * into a database of its own (bench_search_products), runs the catalog's real search query
 * (the SQL `searchProducts` sends) under EXPLAIN (ANALYZE, BUFFERS), and writes the plans and
 * timings to bench/results/search-explain.md.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { Client } from "pg";
import { seedProducts } from "./seed/catalogData";
import { dropDatabase, recreateMigratedDatabase } from "../subgraphs/common/database/provision";
import { projectRoot } from "../subgraphs/common/projectRoot";
import {
  parseProductQuery,
  type ProductFilterFields,
  type ProductSort,
} from "../subgraphs/products/domain/productQuery";
import { createProductsDatabase } from "../subgraphs/products/store/database";
import { searchProducts } from "../subgraphs/products/store/productSearch";

const serverUrl = process.env.POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432";
const databaseUrl = `${serverUrl}/bench_search_products`;
const productCount = Number(process.env.SEARCH_BENCH_PRODUCTS ?? 10_000);

async function load(client: Client): Promise<void> {
  const products = seedProducts(productCount).slice(0, productCount);
  await client.query("INSERT INTO categories (id, name, slug) VALUES (gen_random_uuid(), 'All', 'all')");
  for (let start = 0; start < products.length; start += 1000) {
    const batch = products.slice(start, start + 1000);
    const values: unknown[] = [];
    const rows = batch.map((product, index) => {
      values.push(
        `${product.sku}-${start + index}`,
        product.name,
        `${product.slug}-${start + index}`,
        product.description,
        Math.round(Number(product.price) * 100),
      );
      const n = index * 5;
      return `(gen_random_uuid(), $${n + 1}, $${n + 2}, $${n + 3}, $${n + 4}, $${n + 5}, now() - random() * interval '365 days', now())`;
    });
    await client.query(
      `INSERT INTO products (id, sku, name, slug, description, price_minor, created_at, updated_at) VALUES ${rows.join(", ")}`,
      values,
    );
  }
  await client.query(
    `INSERT INTO product_availability (product_id, available, version) SELECT id, (random() * 50)::int, 1 FROM products`,
  );
  await client.query(
    `UPDATE products SET rating_count = c, rating_sum = c * 4, rating_average = 4 FROM (SELECT id AS pid, (random() * 5)::int AS c FROM products) r WHERE id = pid AND c > 0`,
  );
  await client.query("ANALYZE");
}

interface Case {
  title: string;
  filter: ProductFilterFields;
  sort?: ProductSort;
}

const cases: Case[] = [
  { title: "full-text search, ranked (`headphones`)", filter: { search: "headphones" } },
  { title: "typo (`hedphones`)", filter: { search: "hedphones" } },
  { title: "two words (`wireless noise cancelling`)", filter: { search: "wireless noise cancelling" } },
  {
    title: "search, in stock, price range, sorted by price",
    filter: { search: "coffee", inStock: true, minPrice: "20", maxPrice: "500" },
    sort: "PRICE_ASC",
  },
  { title: "browse: newest first, no search", filter: {} },
  { title: "browse: in stock, best rated first", filter: { inStock: true }, sort: "RATING" },
];

async function main(): Promise<void> {
  await recreateMigratedDatabase("products", databaseUrl);
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  const loadStarted = performance.now();
  await load(client);
  const {
    rows: [size],
  } = await client.query<{ products: string; bytes: string }>(
    "SELECT count(*) AS products, pg_size_pretty(pg_total_relation_size('products')) AS bytes FROM products",
  );
  console.log(
    `loaded ${size?.products} products (${size?.bytes} with indexes) in ${((performance.now() - loadStarted) / 1000).toFixed(1)}s`,
  );

  const db = createProductsDatabase(databaseUrl, { logQueries: true });
  let captured: { query: string; params: string } | undefined;
  db.$on("query", (event) => {
    if (/FROM products p/.test(event.query) && /LIMIT/.test(event.query))
      captured = { query: event.query, params: (event as unknown as { params: string }).params };
  });
  const report: string[] = [
    "# What a catalog search costs at the database",
    "",
    `${size?.products} products (${size?.bytes} with indexes), PostgreSQL ${(await client.query("SHOW server_version")).rows[0].server_version}, this 2-core machine.`,
    "Each query is the SQL that `searchProducts` sends for a first page of 20, run with `EXPLAIN (ANALYZE, BUFFERS)` after one warm-up run.",
    "",
    "| query | rows matched | execution time |",
    "| --- | --- | --- |",
  ];
  const plans: string[] = [];
  for (const each of cases) {
    const query = parseProductQuery({
      first: 20,
      filter: each.filter,
      sort: each.sort ?? null,
      includeArchived: false,
    });
    await searchProducts(db, query);
    if (!captured) throw new Error("no search query was captured");
    const params = JSON.parse(captured.params) as unknown[];
    const sql = captured.query;
    await client.query(sql, params);
    const { rows } = await client.query<{ "QUERY PLAN": string }>(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params);
    const plan = rows.map((row) => row["QUERY PLAN"]).join("\n");
    const execution = /Execution Time: ([\d.]+) ms/.exec(plan)?.[1];
    const {
      rows: [matched],
    } = await client.query<{ count: string }>(
      `SELECT count(*) FROM (${sql.replace(/LIMIT \$\d+\s*$/, "")}) matched`,
      params.slice(0, -1),
    );
    report.push(`| ${each.title} | ${matched?.count} | ${execution} ms |`);
    plans.push(`## ${each.title}\n\n\`\`\`\n${plan}\n\`\`\`\n`);
    console.log(`${each.title}: ${execution} ms`);
  }
  await db.$disconnect();
  await client.end();
  const file = path.join(projectRoot, "bench", "results", "search-explain.md");
  writeFileSync(file, `${report.join("\n")}\n\n${plans.join("\n")}`);
  console.log(`wrote ${path.relative(process.cwd(), file)}`);
  if (!process.argv.includes("--keep")) await dropDatabase(databaseUrl);
}

main().catch((error: Error) => {
  console.error(`bench:search: ${error.message}`);
  process.exit(1);
});
