/**
 * `npm run bench:hot-paths`: whether every named statement (the checkout path, the saga, the
 * consumers' plumbing) and every periodic poll uses an index once the tables are as large as in
 * production. The checkout bench's databases hold a thousand orders, where a sequential scan is
 * the planner's right choice and tells nothing; a poll or a set-based statement that scans a
 * table of millions of rows every second does not show there.
 *
 * For each service it migrates a database of its own (bench_hotpaths_<service>), as the services
 * are migrated, fills every table with rows made from its columns (`volumes`: ~200,000 orders,
 * lines, history, payments, reservations, notifications; outbox rows nearly all published; 5,000
 * variants), runs ANALYZE, and explains each statement the code declares with `statement()` (every
 * module under subgraphs/ that declares one is loaded, so the report follows the code) plus the
 * periodic polls sent through Prisma (`prismaPolls`). Plans are the generic ones
 * (`plan_cache_mode = force_generic_plan`): our named prepared statements end up generic after
 * their fifth run. Writes bench/results/hot-paths-explain.md: per statement, its scan nodes and
 * cost, a sequential scan of a growing table flagged.
 *
 *   HOT_PATHS_SCALE   multiplies the volumes (default 1)
 *   --keep            leaves the databases for a look with psql
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Client } from "pg";
import { declaredStatements, type Statement } from "../subgraphs/common/database/sqlPool";
import { dropDatabase, recreateMigratedDatabase } from "../subgraphs/common/database/provision";
import { projectRoot } from "../subgraphs/common/projectRoot";
import { serviceNames, type ServiceName } from "../subgraphs/common/serviceNames";

const serverUrl = process.env.POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432";
const urlOf = (service: ServiceName) => `${serverUrl}/bench_hotpaths_${service}`;
const scale = Number(process.env.HOT_PATHS_SCALE ?? 1) || 1;

/** Rows per table at production scale; a table not named holds `smallTable` rows. */
const volumes: Record<ServiceName, Record<string, number>> = {
  orders: {
    orders: 200_000,
    order_items: 400_000,
    order_status_changes: 600_000,
    order_requests: 200_000,
    order_tax_lines: 200_000,
    order_discounts: 20_000,
    order_customers: 20_000,
    discount_customer_uses: 20_000,
    carts: 50_000,
    cart_items: 100_000,
    cart_checkout_choices: 20_000,
    catalog_variants: 5_000,
    fulfillments: 150_000,
    fulfillment_lines: 300_000,
    carrier_events: 200_000,
    order_returns: 10_000,
    return_lines: 10_000,
    order_edits: 10_000,
    order_incidents: 5_000,
    outbox_event: 400_000,
    processed_event: 400_000,
    audit_entry: 20_000,
  },
  payments: {
    payments: 200_000,
    payment_attempts: 400_000,
    payment_lines: 400_000,
    order_closures: 200_000,
    refunds: 10_000,
    refund_lines: 10_000,
    saved_payment_methods: 20_000,
    provider_customers: 20_000,
    payment_method_setups: 20_000,
    processed_webhook_events: 100_000,
    outbox_event: 400_000,
    processed_event: 400_000,
    audit_entry: 20_000,
  },
  inventory: {
    stock_levels: 5_000,
    location_stock_levels: 15_000,
    catalog_variants: 5_000,
    stock_movements: 400_000,
    reservations: 400_000,
    stock_requests: 200_000,
    order_closures: 200_000,
    outbox_event: 400_000,
    processed_event: 400_000,
    audit_entry: 20_000,
  },
  products: {
    products: 2_000,
    product_variants: 5_000,
    variant_availability: 5_000,
    product_availability: 2_000,
    variant_images: 10_000,
    product_images: 4_000,
    product_options: 4_000,
    product_attributes: 10_000,
    reviews: 20_000,
    outbox_event: 50_000,
    processed_event: 400_000,
    audit_entry: 20_000,
  },
  notifications: {
    notifications: 400_000,
    known_users: 20_000,
    known_push_devices: 20_000,
    notification_preferences: 20_000,
    notification_kind_preferences: 20_000,
    outbox_event: 50_000,
    processed_event: 400_000,
    audit_entry: 20_000,
  },
  users: {
    users: 20_000,
    sessions: 50_000,
    refresh_tokens: 100_000,
    addresses: 30_000,
    password_reset_tokens: 10_000,
    email_tokens: 20_000,
    push_devices: 20_000,
    oidc_identities: 5_000,
    privacy_requests: 2_000,
    privacy_request_parts: 10_000,
    outbox_event: 50_000,
    processed_event: 50_000,
    audit_entry: 100_000,
  },
};
const smallTable = 100;
/** A table of at least this many rows grows with the business: a sequential scan of it is flagged. */
const growing = 10_000;

/** How many distinct values an `<x>_id` column that is no foreign key takes (other services' ids). */
const domainSizes: Record<string, number> = {
  customer: 20_000,
  user: 20_000,
  order: 200_000,
  variant: 5_000,
  product: 2_000,
  payment: 200_000,
  location: 5,
};

/**
 * Values that make the planner's statistics look like production's: nearly every outbox row is
 * published, few rows are due for work, statuses are mostly final, guest carts mostly unexpired.
 * SQL of the row number `i`.
 */
const columnOverrides: Record<string, string> = {
  "outbox_event.published_at": "CASE WHEN random() < 0.999 THEN now() - random() * interval '1 day' END",
  "outbox_event.occurred_at": "now() - random() * interval '1 day'",
  "*.next_attempt_at":
    "CASE WHEN random() < 0.005 THEN now() + random() * interval '1 hour' - interval '30 minutes' END",
  // A cart is a customer's or a guest's (carts_owner_check); a guest's expires.
  "carts.customer_id": "CASE WHEN i % 2 = 0 THEN md5('customer:' || i)::uuid END",
  "carts.token_hash": "CASE WHEN i % 2 = 1 THEN 'v' || i END",
  "carts.expires_at": "CASE WHEN i % 2 = 1 THEN now() + random() * interval '30 days' - interval '1 hour' END",
  // Few administrators; few export parts still hold their data (an erasure's never does, an
  // export's only until it expires).
  "known_users.is_admin": "random() < 0.001",
  "privacy_request_parts.data": "CASE WHEN random() < 0.01 THEN '{}'::jsonb END",
  // The CHECK constraints of the migrations.
  "reviews.rating": "1 + floor(random() * 5)::int",
  "*.on_hand": "1000",
  "*.quantity": "1 + floor(random() * 3)::int",
  "orders.payment_deadline": "now() - random() * interval '365 days'",
};
/** Labels of a status-like enum that mark work still open: rare at any time (1 % in all). */
const openLabels = new Set([
  "PENDING",
  "AWAITING_PAYMENT",
  "UNKNOWN",
  "REQUIRES_ACTION",
  "HELD",
  "QUEUED",
  "PROCESSING",
  "SENDING",
]);

/**
 * Periodic polls and hot statements sent through Prisma's raw queries, whose text the code does not
 * export: copied here, with where they live (keep them in step).
 */
const prismaPolls: Array<{ service: ServiceName | "all"; name: string; text: string }> = [
  {
    service: "orders",
    name: "(poll) payment-window: lockOverdueOrders, orders/store/orderStore.ts",
    text: `SELECT id::text, status::text AS status FROM orders
     WHERE status IN ('PENDING', 'AWAITING_PAYMENT') AND payment_deadline < now()
     ORDER BY payment_deadline LIMIT $1 FOR UPDATE SKIP LOCKED`,
  },
  {
    service: "orders",
    name: "(poll) cart-expiry: deleteExpiredGuestCarts, orders/store/cartStore.ts",
    text: `DELETE FROM carts WHERE id IN (
       SELECT id FROM carts WHERE expires_at < now() ORDER BY expires_at LIMIT $1 FOR UPDATE SKIP LOCKED)`,
  },
  {
    service: "users",
    name: "(poll) privacy-exports: purgeExpiredExports, users/store/privacyStore.ts",
    text: `UPDATE privacy_request_parts SET data = NULL
     WHERE data IS NOT NULL
       AND request_id IN (SELECT id FROM privacy_requests WHERE kind = 'EXPORT' AND expires_at <= $1)`,
  },
  {
    service: "all",
    name: "(poll) outbox backlog metric: outboxBacklog, common/events/outbox.ts",
    text: "SELECT count(*) AS pending, min(occurred_at) AS oldest FROM outbox_event WHERE published_at IS NULL",
  },
  {
    service: "all",
    name: "(poll) outbox prune: pruneOutbox, common/events/outbox.ts",
    text: "DELETE FROM outbox_event WHERE published_at < now() - make_interval(hours => $1)",
  },
];

/** Loads every module under subgraphs/ that declares statements, so that `declaredStatements` holds them all. */
async function loadStatementModules(): Promise<void> {
  const walk = (folder: string): string[] =>
    readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) return ["__tests__", "generated", "node_modules"].includes(entry.name) ? [] : walk(full);
      return entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts") ? [full] : [];
    });
  for (const file of walk(path.join(projectRoot, "subgraphs"))) {
    if (/\bstatement\(/.test(readFileSync(file, "utf8"))) await import(file);
  }
}

interface Column {
  table: string;
  name: string;
  type: string;
  kind: string;
  notNull: boolean;
  skip: boolean;
  labels: string[] | null;
  isArray: boolean;
}

interface Keys {
  /** table → its one-column primary key. */
  primary: Map<string, string>;
  /** table.column → referenced table (one-column foreign keys). */
  foreign: Map<string, string>;
  /** table.column that is unique by itself. */
  unique: Set<string>;
}

async function describe(client: Client): Promise<{ columns: Column[]; keys: Keys; tables: string[] }> {
  const { rows: columns } = await client.query<Column>(`
    SELECT c.relname AS table, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, t.typtype AS kind,
           a.attnotnull AS "notNull",
           (a.attgenerated <> '' OR a.attidentity <> '' OR coalesce(pg_get_expr(d.adbin, d.adrelid), '') LIKE 'nextval%') AS skip,
           (SELECT array_agg(e.enumlabel::text ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = a.atttypid) AS labels,
           t.typcategory = 'A' AS "isArray"
      FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_type t ON t.oid = a.atttypid
      LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
     WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
       AND c.relname <> '_prisma_migrations'
     ORDER BY c.relname, a.attnum`);
  const { rows: constraints } = await client.query<{
    table: string;
    kind: string;
    column: string;
    target: string | null;
  }>(`
    SELECT c.relname AS table, k.contype AS kind, a.attname AS column, r.relname AS target
      FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
      JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1]
      LEFT JOIN pg_class r ON r.oid = k.confrelid
     WHERE c.relnamespace = 'public'::regnamespace AND array_length(k.conkey, 1) = 1 AND k.contype IN ('p', 'f', 'u')
    UNION
    SELECT c.relname, 'u', a.attname, NULL
      FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
      JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
     WHERE c.relnamespace = 'public'::regnamespace AND i.indisunique AND i.indnatts = 1 AND i.indexprs IS NULL`);
  const keys: Keys = { primary: new Map(), foreign: new Map(), unique: new Set() };
  for (const each of constraints) {
    if (each.kind === "p") {
      keys.primary.set(each.table, each.column);
      keys.unique.add(`${each.table}.${each.column}`);
    }
    if (each.kind === "u") keys.unique.add(`${each.table}.${each.column}`);
    if (each.kind === "f" && each.target) keys.foreign.set(`${each.table}.${each.column}`, each.target);
  }
  return { columns, keys, tables: [...new Set(columns.map((column) => column.table))] };
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;

/** A row's value for one column, as SQL of the row number `i`; null: the column's default. */
function valueOf(column: Column, keys: Keys, volumeOf: (table: string) => number): string | null {
  const key = `${column.table}.${column.name}`;
  const override = columnOverrides[key] ?? columnOverrides[`*.${column.name}`];
  if (override) return override;
  if (column.skip) return null;
  const unique = keys.unique.has(key);
  const isPrimary = keys.primary.get(column.table) === column.name;
  const pick = (size: number) => (unique ? "i" : `(1 + floor(random() * ${Math.max(1, size)})::int)`);
  let value: string;
  if (column.isArray) value = `'{}'::${column.type}`;
  else if (column.labels) {
    const open = column.labels.filter((label) => openLabels.has(label));
    const rest = column.labels.filter((label) => !openLabels.has(label));
    const labels = (list: string[]) => `(ARRAY[${list.map(literal).join(", ")}])`;
    const any = (list: string[]) => `${labels(list)}[1 + floor(random() * ${list.length})::int]`;
    value =
      open.length && rest.length
        ? `CASE WHEN random() < 0.01 THEN ${any(open)} ELSE ${any(rest)} END`
        : any(column.labels);
    value = `(${value})::${column.type}`;
  } else if (column.type === "uuid") {
    // Ids that point at each other line up: a table's key is md5('<table>:<n>'), a foreign key
    // one of its table's, and an `<x>_id` of another service one of a domain shared by the tables
    // that name it (payments.order_id and order_closures.order_id meet).
    const target = keys.foreign.get(key);
    const domain = target ?? (isPrimary && column.name === "id" ? column.table : /^(.*)_id$/.exec(column.name)?.[1]);
    if (!domain) value = "gen_random_uuid()";
    else {
      const size = target ? volumeOf(target) : (domainSizes[domain] ?? volumeOf(column.table));
      value = `md5(${literal(`${domain}:`)} || ${isPrimary ? "i" : pick(size)})::uuid`;
    }
  } else if (/^(integer|smallint)/.test(column.type)) value = unique ? "i" : "floor(random() * 100)::int";
  else if (/^bigint/.test(column.type)) value = unique ? "i" : "floor(random() * 100000)::bigint";
  else if (/^(numeric|double|real)/.test(column.type)) value = "round((random() * 100)::numeric, 2)";
  else if (column.type === "boolean") value = "random() < 0.5";
  else if (/^timestamp|^date/.test(column.type)) value = "now() - random() * interval '365 days'";
  else if (/^jsonb?$/.test(column.type)) value = `'{}'::${column.type}`;
  else if (/^character\((\d+)\)/.test(column.type))
    value = `upper(left(md5(random()::text), ${/\((\d+)\)/.exec(column.type)![1]}))`;
  else if (/^(text|character varying)/.test(column.type))
    value = unique ? `'v' || i` : `left(md5(${isPrimary ? "i::text" : "random()::text"}), 12)`;
  else if (column.type === "bytea") value = `'\\x00'::bytea`;
  else if (column.type === "tsvector") value = "''::tsvector";
  else if (column.type === "inet") value = "'127.0.0.1'::inet";
  else if (column.type === "interval") value = "interval '1 hour'";
  else if (!column.notNull) value = "NULL";
  else throw new Error(`no value for ${key} of type ${column.type}`);
  // Optional columns are mostly empty (a guest's email on a customer's order, a failure reason).
  if (!column.notNull && !isPrimary && !keys.foreign.has(key))
    value = `CASE WHEN random() < 0.7 THEN NULL ELSE ${value} END`;
  return value;
}

async function load(service: ServiceName, client: Client): Promise<void> {
  const { columns, keys, tables } = await describe(client);
  const volumeOf = (table: string) => Math.round((volumes[service][table] ?? smallTable) * scale);
  // Rows are made table by table, so the foreign keys' triggers are off while loading (their
  // values point at rows made by the same scheme, whichever table is filled first).
  await client.query("SET session_replication_role = replica");
  for (const table of tables) {
    const own = columns.filter((column) => column.table === table);
    const values = own.map((column) => ({ column, value: valueOf(column, keys, volumeOf) }));
    const set = values.filter((each) => each.value !== null);
    const started = performance.now();
    try {
      await client.query(
        `INSERT INTO ${quote(table)} (${set.map((each) => quote(each.column.name)).join(", ")})
         SELECT ${set.map((each) => each.value).join(", ")} FROM generate_series(1, ${volumeOf(table)}) AS i
         ON CONFLICT DO NOTHING`,
      );
    } catch (error) {
      throw new Error(`${service}: loading ${table}: ${(error as Error).message}`, { cause: error });
    }
    if (volumeOf(table) >= growing)
      console.log(
        `${service}: ${table} ${volumeOf(table)} rows in ${((performance.now() - started) / 1000).toFixed(1)}s`,
      );
  }
  await client.query("SET session_replication_role = DEFAULT");
  await client.query("VACUUM ANALYZE");
}

interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  "Total Cost": number;
  Plans?: PlanNode[];
}

interface Scan {
  type: string;
  relation: string;
  index?: string;
}

function scansOf(node: PlanNode, into: Scan[] = []): Scan[] {
  // Table scans, and the index a bitmap scan reads (its node names no table).
  if (node["Node Type"].endsWith("Scan") && (node["Relation Name"] || node["Index Name"]))
    into.push({ type: node["Node Type"], relation: node["Relation Name"] ?? "", index: node["Index Name"] });
  for (const child of node.Plans ?? []) scansOf(child, into);
  return into;
}

interface Explained {
  name: string;
  cost: number;
  scans: Scan[];
  flagged: Scan[];
  plan: string;
}

async function explain(
  client: Client,
  query: { name: string; text: string },
  volumeOf: (table: string) => number,
): Promise<Explained | "not here"> {
  const parameters = Math.max(0, ...[...query.text.matchAll(/\$(\d+)/g)].map((match) => Number(match[1])));
  const nulls = Array.from({ length: parameters }, () => "NULL").join(", ");
  await client.query("DEALLOCATE ALL");
  try {
    await client.query(`PREPARE hot_path AS ${query.text}`);
  } catch (error) {
    // A shared statement (the outbox's, the consumers') whose tables this service lacks.
    if (["42P01", "42703", "42883"].includes((error as { code?: string }).code ?? "")) return "not here";
    throw new Error(`${query.name}: ${(error as Error).message}`, { cause: error });
  }
  const execute = `EXECUTE hot_path${parameters ? `(${nulls})` : ""}`;
  const { rows } = await client.query<{ "QUERY PLAN": Array<{ Plan: PlanNode }> }>(`EXPLAIN (FORMAT JSON) ${execute}`);
  const { rows: text } = await client.query<{ "QUERY PLAN": string }>(`EXPLAIN ${execute}`);
  const root = rows[0]!["QUERY PLAN"][0]!.Plan;
  const scans = scansOf(root);
  return {
    name: query.name,
    cost: root["Total Cost"],
    scans,
    flagged: scans.filter((scan) => scan.type === "Seq Scan" && volumeOf(scan.relation) >= growing),
    plan: text.map((row) => row["QUERY PLAN"]).join("\n"),
  };
}

const describeScan = (scan: Scan) =>
  scan.relation
    ? `${scan.type} on ${scan.relation}${scan.index ? ` (${scan.index})` : ""}`
    : `${scan.type} (${scan.index})`;

async function main(): Promise<void> {
  await loadStatementModules();
  const statements: Statement[] = [...declaredStatements()].filter((each) => !each.name.startsWith("test_"));
  const wanted = process.argv.slice(2).filter((arg) => !arg.startsWith("--"));
  const services = serviceNames.filter((service) => wanted.length === 0 || wanted.includes(service));
  const summary: string[] = [];
  const sections: string[] = [];
  let flaggedCount = 0;
  for (const service of services) {
    const url = urlOf(service);
    const volumeOf = (table: string) => Math.round((volumes[service][table] ?? smallTable) * scale);
    await recreateMigratedDatabase(service, url);
    const client = new Client({ connectionString: url });
    await client.connect();
    const started = performance.now();
    await load(service, client);
    console.log(`${service}: loaded in ${((performance.now() - started) / 1000).toFixed(1)}s`);
    await client.query("SET plan_cache_mode = force_generic_plan");
    const own = statements.filter((each) => each.name.startsWith(`${service}.`));
    const shared = statements.filter((each) => !serviceNames.some((other) => each.name.startsWith(`${other}.`)));
    const polls = prismaPolls.filter((poll) => poll.service === service || poll.service === "all");
    const results: Explained[] = [];
    for (const query of [...own, ...shared, ...polls]) {
      const result = await explain(client, query, volumeOf);
      if (result === "not here") {
        if (own.includes(query as Statement)) throw new Error(`${query.name}: a table of ${service} is missing`);
        continue;
      }
      results.push(result);
    }
    await client.end();
    const flagged = results.filter((result) => result.flagged.length > 0);
    flaggedCount += flagged.length;
    summary.push(
      `| ${service} | ${results.length} | ${flagged.length ? flagged.map((each) => `\`${each.name}\``).join(", ") : "none"} |`,
    );
    const sizes = Object.entries(volumes[service])
      .map(([table, rows]) => `${table} ${Math.round(rows * scale).toLocaleString("en")}`)
      .join(", ");
    sections.push(
      [
        `## ${service}`,
        "",
        `Rows: ${sizes}; every other table ${smallTable}.`,
        "",
        "| statement | cost (generic plan) | scans |",
        "| --- | --- | --- |",
        ...results.map(
          (result) =>
            `| ${result.flagged.length ? "**SEQ SCAN** " : ""}\`${result.name}\` | ${result.cost.toFixed(2)} | ${
              result.scans
                .map((scan) => (result.flagged.includes(scan) ? `**${describeScan(scan)}**` : describeScan(scan)))
                .join("<br>") || "(no table)"
            } |`,
        ),
        "",
        ...flagged.map((result) => `### ${result.name}\n\n\`\`\`\n${result.plan}\n\`\`\`\n`),
      ].join("\n"),
    );
    console.log(
      `${service}: ${results.length} statements, ${flagged.length} with a sequential scan of a growing table`,
    );
    if (!process.argv.includes("--keep")) await dropDatabase(url);
  }
  const server = new Client({ connectionString: `${serverUrl}/postgres` });
  await server.connect();
  const version = (await server.query<{ server_version: string }>("SHOW server_version")).rows[0]!.server_version;
  await server.end();
  const report = [
    "# Hot statements and periodic polls at production scale",
    "",
    `Written by \`npm run bench:hot-paths\` (scripts/explainHotPaths.ts), PostgreSQL ${version}, volumes ×${scale}.`,
    "Each statement is the text the code declares, prepared and explained with `plan_cache_mode = force_generic_plan`",
    "(the plan a named statement runs with after its fifth execution). A sequential scan of a table of",
    `${growing.toLocaleString("en")} rows or more is flagged.`,
    "",
    "| service | statements | with a sequential scan of a growing table |",
    "| --- | --- | --- |",
    ...summary,
    "",
    ...sections,
  ].join("\n");
  const file = path.join(projectRoot, "bench", "results", "hot-paths-explain.md");
  writeFileSync(file, `${report}\n`);
  console.log(`wrote ${path.relative(process.cwd(), file)}: ${flaggedCount} statements flagged`);
}

main().catch((error: Error) => {
  console.error(`bench:hot-paths: ${error.message}`);
  process.exit(1);
});
