/**
 * What one order costs the inventory and products services where they consume it, measured alone
 * (not a test), on migrated databases of their own: the process's CPU (user + system), the CPU of
 * the PostgreSQL backend serving it (a pool of one connection: `/proc/<backend pid>/stat`), and
 * the statements sent, per order.
 *
 *   npx tsx bench/stockPathCost.ts reserve|availability [batches] [ordersPerBatch]
 *
 * - `reserve`: inventory's consumer of `orders.order.placed` applying batches of placed orders
 *   (one line each, over 50 variants), as the service runs it (its handler, its SQL unit of work).
 * - `availability`: products' consumer of `inventory.stock.changed` applying batches of stock
 *   changes (the availability read model), as the service runs it.
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import pg from "pg";
import { poolOf, sql, statement } from "../subgraphs/common/database/sqlPool";
import { createEnvelope, type EventEnvelope } from "../subgraphs/common/events/envelope";
import { EventConsumer, type AnyEventHandler } from "../subgraphs/common/events/eventConsumer";
import { createSqlUnitOfWork, createUnitOfWork } from "../subgraphs/common/events/unitOfWork";
import { createLogger } from "../subgraphs/common/logger";
import type { SqlExecutor } from "../subgraphs/common/database/prismaOptions";
import { applyStockChanges } from "../subgraphs/inventory/domain/stockChanges";
import { inventoryEventHandlers } from "../subgraphs/inventory/events/handlers";
import { createInventoryDatabase, type InventoryTx } from "../subgraphs/inventory/store/database";
import { ensureLocationLevels, ensureStockLevels } from "../subgraphs/inventory/store/stockStore";
import { productsEventHandlers } from "../subgraphs/products/events/handlers";
import { createProductsDatabase } from "../subgraphs/products/store/database";
import { provisionTestDatabase } from "../test/support/testDatabase";
import { measure, per, runStandalone } from "./standalone";

const variant = process.argv[2] ?? "reserve";
const batches = Number(process.argv[3] ?? 300);
const perBatch = Number(process.argv[4] ?? 2);
const variants = 50;

/** user + system CPU of a process, in ms, from /proc (clock ticks of 10 ms). */
function cpuOfProcess(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

const backendPid = statement("bench.backendPid", "SELECT pg_backend_pid() AS pid");

interface Subject {
  db: SqlExecutor & { $disconnect(): Promise<void> };
  consumer: EventConsumer<never>;
  batch(): EventEnvelope[];
}

function consumerOf(service: "inventory" | "catalog", db: SqlExecutor, handler: AnyEventHandler<never>) {
  const pool = poolOf(db)!;
  const onCommitted = () => undefined;
  return new EventConsumer<never>({
    service: service === "catalog" ? "products" : "inventory",
    handler,
    unitOfWork: createUnitOfWork({
      service: service === "catalog" ? "products" : "inventory",
      db: db as never,
      onCommitted,
    }) as never,
    sqlUnitOfWork: createSqlUnitOfWork({
      service: service === "catalog" ? "products" : "inventory",
      pool: pool as pg.Pool,
      onCommitted,
    }),
    db: db as never,
    js: undefined as never,
    jsm: undefined as never,
    namespace: "bench",
    logger: createLogger("bench", { level: "silent" }),
  });
}

const variantId = (n: number) => `00000000-0000-4000-9000-${String(n).padStart(12, "0")}`;

async function reserveSubject(url: string): Promise<Subject> {
  const db = createInventoryDatabase(url, { poolSize: 1 });
  const main = (await db.stockLocation.findFirstOrThrow()).id;
  const unitOfWork = createUnitOfWork<InventoryTx>({ service: "inventory", db, onCommitted: () => undefined });
  const ids = Array.from({ length: variants }, (_, index) => variantId(index + 1));
  await unitOfWork(async (tx, emit) => {
    await ensureStockLevels(
      tx,
      ids.map((id) => ({ variantId: id, productId: id })),
    );
    await ensureLocationLevels(
      tx,
      ids.map((id) => ({ variantId: id, productId: id, locationId: main })),
    );
    await applyStockChanges(
      tx,
      emit,
      ids.map((id) => ({
        variantId: id,
        productId: id,
        locationId: main,
        onHandDelta: 1_000_000,
        reservedDelta: 0,
        kind: "ADJUSTMENT" as const,
        reason: "bench",
      })),
      new Map(ids.map((id) => [id, 10])),
    );
  });
  const handler = inventoryEventHandlers.find((each) => each.type === "orders.order.placed")!;
  let next = 0;
  return {
    db,
    consumer: consumerOf("inventory", db, handler as never),
    batch: () =>
      Array.from({ length: perBatch }, () => {
        const id = ids[(next += 1) % variants]!;
        return createEnvelope("orders", {
          type: "orders.order.placed",
          data: {
            orderId: randomUUID(),
            number: `B-${next}`,
            customerId: randomUUID(),
            lines: [{ productId: id, variantId: id, quantity: 1, unitPrice: { amount: "1.00", currency: "USD" } }],
            total: { amount: "1.00", currency: "USD" },
          },
        });
      }),
  };
}

async function availabilitySubject(url: string): Promise<Subject> {
  const db = createProductsDatabase(url, { poolSize: 1 });
  const ids = Array.from({ length: variants }, (_, index) => variantId(index + 1));
  for (const id of ids) {
    await db.$executeRawUnsafe(
      `INSERT INTO products (id, name, slug, price_minor, max_price_minor, currency, updated_at)
       VALUES ($1::uuid, 'Bench', 'bench-' || $1, 100, 100, 'USD', now())`,
      id,
    );
    await db.$executeRawUnsafe(
      `INSERT INTO product_variants (id, product_id, position, sku, title, selected_options, options_key, price_minor, updated_at)
       VALUES ($1::uuid, $1::uuid, 0, 'SKU-' || $1, 'Default', '[]', '', 100, now())`,
      id,
    );
  }
  const handler = productsEventHandlers.find((each) => each.type === "inventory.stock.changed")!;
  let version = 0;
  let next = 0;
  return {
    db,
    consumer: consumerOf("catalog", db, handler as never),
    batch: () =>
      Array.from({ length: perBatch }, () => {
        const id = ids[(next += 1) % variants]!;
        version += 1;
        return createEnvelope("inventory", {
          type: "inventory.stock.changed",
          data: {
            productId: id,
            variantId: id,
            onHand: 1000,
            reserved: version % 100,
            available: 1000 - (version % 100),
            lowStockThreshold: 10,
            version,
            kind: "RESERVATION",
          },
        });
      }),
  };
}

async function main(): Promise<void> {
  if (!["reserve", "availability"].includes(variant)) throw new Error(`unknown variant ${variant}`);
  const database = await provisionTestDatabase(
    variant === "reserve" ? "inventory" : "products",
    `bench_stock_${process.pid}`,
  );
  const subject = variant === "reserve" ? await reserveSubject(database.url) : await availabilitySubject(database.url);
  const run = async (count: number) => {
    for (let index = 0; index < count; index += 1) {
      // As the consumer takes a delivery that came alone (`processOne`), or a batch.
      const events = subject.batch();
      if (events.length === 1) await subject.consumer.apply(events[0]!);
      else await subject.consumer.applyBatch(events);
    }
  };
  await run(50); // warm up: the connection, prepared statements, JIT
  const [{ pid }] = (await sql<{ pid: number }>(subject.db, backendPid, [])) as [{ pid: number }];
  const backendBefore = cpuOfProcess(pid);
  const { cpuMs, wallMs, statements } = await measure(() => run(batches));
  const backendMs = cpuOfProcess(pid) - backendBefore;
  if (process.env.BENCH_SHOW_STATEMENTS)
    for (const each of statements.slice(0, 40)) console.log(each.text.slice(0, 60));
  const orders = batches * perBatch;
  console.log(
    JSON.stringify({
      variant,
      batches,
      perBatch,
      serviceCpuMsPerOrder: per(cpuMs, orders),
      backendCpuMsPerOrder: per(backendMs, orders),
      wallMsPerBatch: per(wallMs, batches),
      statementsPerBatch: statements.length / batches,
    }),
  );
  await subject.db.$disconnect();
  const pool = poolOf(subject.db) as (pg.Pool & { ended?: boolean }) | undefined;
  if (pool && !pool.ended) await pool.end();
  await database.drop();
}

runStandalone(main);
