/**
 * What the event plumbing costs this process per consumed batch, measured alone (not a test):
 * a consumer's batch (the idempotency insert, a handler that emits one event per event, the
 * outbox insert, the commit) and the relay's stamp after publishing, on a migrated orders
 * database, with the plumbing's statements either through Prisma's raw queries (`prisma`) or as
 * named statements on the shared pool (`pool`), or that and an SQL-only handler applied in a
 * transaction of our own on the pool instead of Prisma's (`sql`); `-als` adds an AsyncLocalStorage enabled, as
 * every subgraph kept one before (OpenTelemetry's context manager, the shared pool's transaction
 * scope): it turns Node 20's promise hooks on for the whole process.
 *
 *   npx tsx bench/plumbingCost.ts prisma|prisma-als|pool|pool-als|sql [batches] [eventsPerBatch]
 *
 * Prints CPU (user+system) per batch and per event, and the statements sent per batch, from
 * `pg.Client#query` (every statement of the process goes through it).
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import { prismaClientOptions } from "../subgraphs/common/database/prismaOptions";
import { poolOf, shareClientPool } from "../subgraphs/common/database/sqlPool";
import { createEnvelope, type EventEnvelope } from "../subgraphs/common/events/envelope";
import { EventConsumer, onEvent } from "../subgraphs/common/events/eventConsumer";
import { markPublishedByIds } from "../subgraphs/common/events/outbox";
import { createSqlUnitOfWork, createUnitOfWork } from "../subgraphs/common/events/unitOfWork";
import { createLogger } from "../subgraphs/common/logger";
import { PrismaClient } from "../subgraphs/orders/generated/prisma/client";
import type { OrdersTx } from "../subgraphs/orders";
import { provisionTestDatabase } from "../test/support/testDatabase";
import { measure, per, runStandalone } from "./standalone";

const type = "inventory.reservation.succeeded";
const variant = process.argv[2] ?? "pool";
const batches = Number(process.argv[3] ?? 400);
const perBatch = Number(process.argv[4] ?? 8);

async function main(): Promise<void> {
  if (!["prisma", "prisma-als", "pool", "pool-als", "sql"].includes(variant))
    throw new Error(`unknown variant ${variant}`);
  if (variant.endsWith("-als")) new AsyncLocalStorage<number>().enterWith(1);
  const database = await provisionTestDatabase("orders", `bench_plumbing_${process.pid}`);
  const plain = new PrismaClient(prismaClientOptions(database.url));
  const db = variant.startsWith("prisma") ? plain : shareClientPool(plain);
  const published: string[] = [];
  const unitOfWork = createUnitOfWork<OrdersTx>({
    service: "orders",
    db: db as never,
    onCommitted: (events) => published.push(...events.map((event) => event.id)),
  });
  const handler = onEvent<OrdersTx, typeof type>(
    type,
    async (event, _tx, emit) => {
      emit(type, { orderId: event.data.orderId });
    },
    { sqlOnly: variant === "sql" },
  );
  const pool = poolOf(db);
  const sqlUnitOfWork = pool
    ? createSqlUnitOfWork({
        service: "orders",
        pool,
        onCommitted: (events) => published.push(...events.map((event) => event.id)),
      })
    : undefined;
  const consumer = new EventConsumer<OrdersTx>({
    service: "orders",
    handler: handler as never,
    unitOfWork,
    ...(sqlUnitOfWork ? { sqlUnitOfWork } : {}),
    db: db as never,
    js: undefined as never,
    jsm: undefined as never,
    namespace: "bench",
    logger: createLogger("bench", { level: "silent" }),
  });
  const batch = (): EventEnvelope[] =>
    Array.from({ length: perBatch }, () => createEnvelope("inventory", { type, data: { orderId: randomUUID() } }));
  const run = async (count: number) => {
    for (let index = 0; index < count; index += 1) {
      await consumer.applyBatch(batch());
      await markPublishedByIds(db as never, published.splice(0));
    }
  };
  await run(50); // warm up: connections, prepared statements, JIT
  const { cpuMs, wallMs, statements } = await measure(() => run(batches));
  console.log(
    JSON.stringify({
      variant,
      batches,
      eventsPerBatch: perBatch,
      cpuMsPerBatch: per(cpuMs, batches),
      cpuMsPerEvent: per(cpuMs, batches * perBatch),
      wallMsPerBatch: per(wallMs, batches),
      statementsPerBatch: statements.length / batches,
    }),
  );
  await plain.$disconnect();
  // Prisma ends the pool only if it connected (the `sql` variant never uses it).
  if (pool && !(pool as { ended?: boolean }).ended) await pool.end();
  await database.drop();
}

runStandalone(main);
