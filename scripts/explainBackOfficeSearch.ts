/**
 * `npm run bench:backoffice-search`: what the back-office searches cost at the database. Loads
 * 100,000 users, 100,000 orders and 100,000 variants (of 50,000 products) into scratch databases
 * of their own (bench_backoffice_<service>), migrated as the services are, runs each search through
 * its real domain function, captures the page query it sends, and runs that under
 * `EXPLAIN (ANALYZE, BUFFERS)`. Writes the plans and timings to bench/results/backoffice-search-explain.md.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { Client } from "pg";
import { dropDatabase, recreateMigratedDatabase } from "../subgraphs/common/database/provision";
import { projectRoot } from "../subgraphs/common/projectRoot";
import type { ServiceName } from "../subgraphs/common/serviceNames";
import { orderSearchPage } from "../subgraphs/orders/domain/orderSearch";
import { createOrdersDatabase } from "../subgraphs/orders/store/database";
import { variantSearchPage } from "../subgraphs/products/domain/variantSearch";
import { createProductsDatabase } from "../subgraphs/products/store/database";
import { customerSearchPage } from "../subgraphs/users/domain/customerSearch";
import { createUsersDatabase } from "../subgraphs/users/store/database";

const serverUrl = process.env.POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432";
const rows = Number(process.env.BACKOFFICE_BENCH_ROWS ?? 100_000);
const urlOf = (service: ServiceName) => `${serverUrl}/bench_backoffice_${service}`;

const loads: Partial<Record<ServiceName, string[]>> = {
  users: [
    `INSERT INTO users (id, email, name, roles, created_at, updated_at)
     SELECT gen_random_uuid(),
            (ARRAY['anna','ben','chloe','dmitri','elena','farid','grace','hiro','ines','jonas'])[1 + i % 10] || '.' ||
              (ARRAY['smith','garcia','muller','rossi','kowalski','dubois','tanaka','silva'])[1 + (i / 10) % 8] || i ||
              '@' || (ARRAY['example.com','mail.test','shop.example'])[1 + i % 3],
            initcap((ARRAY['anna','ben','chloe','dmitri','elena','farid','grace','hiro','ines','jonas'])[1 + i % 10]) || ' ' ||
              initcap((ARRAY['smith','garcia','muller','rossi','kowalski','dubois','tanaka','silva'])[1 + (i / 10) % 8]),
            ARRAY['CUSTOMER']::"Role"[], now() - make_interval(mins => i), now()
       FROM generate_series(1, ${rows}) AS i`,
  ],
  orders: [
    `INSERT INTO order_customers (customer_id, email, updated_at)
     SELECT ('00000000-0000-4000-8000-' || lpad(to_hex(i), 12, '0'))::uuid, 'customer' || i || '@example.com', now()
       FROM generate_series(1, ${rows / 10}) AS i`,
    `INSERT INTO orders (id, number, customer_id, status, currency, subtotal_minor, total_minor, shipping_address, created_at, updated_at)
     SELECT gen_random_uuid(), 'B' || lpad(i::text, 8, '0'),
            ('00000000-0000-4000-8000-' || lpad(to_hex(1 + i % ${rows / 10}), 12, '0'))::uuid,
            (ARRAY['PENDING','AWAITING_PAYMENT','CONFIRMED','SHIPPED','DELIVERED','CANCELLED','REFUNDED'])[1 + i % 7]::"OrderStatus",
            'USD', (i * 7919) % 50000, (i * 7919) % 50000, '{"line1":"1 Road","city":"Town","postalCode":"1","country":"US"}'::jsonb,
            timestamptz '2025-01-01' + make_interval(mins => i * 5), now()
       FROM generate_series(1, ${rows}) AS i`,
  ],
  products: [
    `INSERT INTO products (id, name, slug, description, price_minor, max_price_minor, created_at, updated_at)
     SELECT ('00000000-0000-4000-8000-' || lpad(to_hex(i), 12, '0'))::uuid, 'Product ' || i, 'product-' || i, '', 1000, 1000, now(), now()
       FROM generate_series(1, ${rows / 2}) AS i`,
    `INSERT INTO product_variants (id, product_id, position, sku, title, options_key, price_minor, created_at, updated_at)
     SELECT gen_random_uuid(), ('00000000-0000-4000-8000-' || lpad(to_hex(1 + (i - 1) / 2), 12, '0'))::uuid, (i - 1) % 2,
            (ARRAY['TEE','MUG','CAP','BAG','SOCK'])[1 + i % 5] || '-' || lpad(i::text, 6, '0') || '-' || (ARRAY['S','M','L','XL'])[1 + i % 4],
            'Variant ' || i, 'Size:' || (ARRAY['S','M','L','XL'])[1 + i % 4], 1000, now(), now()
       FROM generate_series(1, ${rows}) AS i`,
  ],
};

/** Any of the three clients: each case gets the one of its service. */
type SearchDb = Parameters<typeof customerSearchPage>[0] &
  Parameters<typeof orderSearchPage>[0] &
  Parameters<typeof variantSearchPage>[0];

interface Case {
  service: ServiceName;
  title: string;
  /** Runs the search through its domain function on a Prisma client that logs its queries. */
  run(db: SearchDb): Promise<unknown>;
  /** Which logged query is the page (not the count nor the row loads). */
  page: RegExp;
}

const cases: Case[] = [
  {
    service: "users",
    title: "customers: part of a name (`garcia`)",
    run: (db) => customerSearchPage(db, { query: "garcia" }),
    page: /FROM users\s+WHERE/,
  },
  {
    service: "users",
    title: "customers: part of an email (`kowalski12`)",
    run: (db) => customerSearchPage(db, { query: "kowalski12" }),
    page: /FROM users\s+WHERE/,
  },
  {
    service: "users",
    title: "customers: rare text (`hiro.tanaka9999`)",
    run: (db) => customerSearchPage(db, { query: "hiro.tanaka9999" }),
    page: /FROM users\s+WHERE/,
  },
  {
    service: "orders",
    title: "orders: number",
    run: (db) => orderSearchPage(db, { number: "B00004242" }, {}),
    page: /FROM "public"."orders" WHERE/,
  },
  {
    service: "orders",
    title: "orders: customer email",
    run: (db) => orderSearchPage(db, { email: "customer42@example.com" }, {}),
    page: /FROM "public"."orders" WHERE/,
  },
  {
    service: "orders",
    title: "orders: 2 statuses, one month, totals 100.00 to 200.00",
    run: (db) =>
      orderSearchPage(
        db,
        {
          statuses: ["CONFIRMED", "SHIPPED"],
          placedFrom: new Date("2025-03-01T00:00:00Z"),
          placedBefore: new Date("2025-04-01T00:00:00Z"),
          totalAtLeast: "100.00",
          totalAtMost: "200.00",
        },
        {},
      ),
    page: /FROM "public"."orders" WHERE/,
  },
  {
    service: "orders",
    title: "orders: totals 499.00 to 500.00 (rare)",
    run: (db) => orderSearchPage(db, { totalAtLeast: "499.00", totalAtMost: "500.00" }, {}),
    page: /FROM "public"."orders" WHERE/,
  },
  {
    service: "products",
    title: "variants: part of a SKU (`012345`)",
    run: (db) => variantSearchPage(db, { sku: "012345" }),
    page: /FROM product_variants v JOIN products p/,
  },
  {
    service: "products",
    title: "variants: common SKU part (`MUG-`)",
    run: (db) => variantSearchPage(db, { sku: "MUG-" }),
    page: /FROM product_variants v JOIN products p/,
  },
];

const clients = { users: createUsersDatabase, orders: createOrdersDatabase, products: createProductsDatabase } as const;

async function main(): Promise<void> {
  const report: string[] = [];
  const plans: string[] = [];
  for (const service of ["users", "orders", "products"] as const) {
    const url = urlOf(service);
    await recreateMigratedDatabase(service, url);
    const client = new Client({ connectionString: url });
    await client.connect();
    const started = performance.now();
    for (const statement of loads[service]!) await client.query(statement);
    await client.query("ANALYZE");
    console.log(`${service}: loaded in ${((performance.now() - started) / 1000).toFixed(1)}s`);
    const db = clients[service](url, { logQueries: true });
    let captured: { query: string; params: string } | undefined;
    let pattern: RegExp = /$^/;
    db.$on("query", (event) => {
      // The page query is the one with a LIMIT (the count runs after it, and has none).
      if (!captured && pattern.test(event.query) && /LIMIT/.test(event.query))
        captured = { query: event.query, params: (event as unknown as { params: string }).params };
    });
    for (const each of cases.filter((one) => one.service === service)) {
      pattern = each.page;
      captured = undefined;
      const page = (await each.run(db as unknown as SearchDb)) as {
        totalCount: () => Promise<number>;
        edges: unknown[];
      };
      const matched = await page.totalCount();
      if (!captured) throw new Error(`no page query was captured for ${each.title}`);
      const { query, params } = captured as { query: string; params: string };
      const values = JSON.parse(params) as unknown[];
      await client.query(query, values);
      const { rows: lines } = await client.query<{ "QUERY PLAN": string }>(
        `EXPLAIN (ANALYZE, BUFFERS) ${query}`,
        values,
      );
      const plan = lines.map((line) => line["QUERY PLAN"]).join("\n");
      const execution = /Execution Time: ([\d.]+) ms/.exec(plan)?.[1];
      report.push(`| ${each.title} | ${matched} | ${page.edges.length} | ${execution} ms |`);
      plans.push(`## ${each.title}\n\n\`\`\`sql\n${query.trim()}\n\`\`\`\n\n\`\`\`\n${plan}\n\`\`\`\n`);
      console.log(`${each.title}: ${matched} matched, ${execution} ms`);
    }
    await db.$disconnect();
    await client.end();
    if (!process.argv.includes("--keep")) await dropDatabase(url);
  }
  const version = await (async () => {
    const client = new Client({ connectionString: `${serverUrl}/postgres` });
    await client.connect();
    const { rows: found } = await client.query("SHOW server_version");
    await client.end();
    return found[0].server_version as string;
  })();
  const file = path.join(projectRoot, "bench", "results", "backoffice-search-explain.md");
  writeFileSync(
    file,
    [
      "# What the back-office searches cost at the database",
      "",
      `${rows} users, ${rows} orders and ${rows} variants, PostgreSQL ${version}. Each query is the page query the`,
      "search's domain function sends for a first page of 20, run with `EXPLAIN (ANALYZE, BUFFERS)` after one warm-up run.",
      "",
      "| search | rows matched | page | execution time |",
      "| --- | --- | --- | --- |",
      ...report,
      "",
      ...plans,
    ].join("\n"),
  );
  console.log(`wrote ${path.relative(process.cwd(), file)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
