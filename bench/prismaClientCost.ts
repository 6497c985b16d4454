/**
 * What Prisma's client costs this process per model query, measured alone (not a test): on a
 * migrated products database, `findUnique` by id, `findMany` of 20 by id, an `update`, and an
 * interactive `$transaction` with a read and a write, each run `calls` times with 16 in flight.
 * Run it on two checkouts to compare Prisma clients (6.19 before, 7.10 since, docs/toolchain.md).
 *
 *   npx tsx bench/prismaClientCost.ts [calls]
 *
 * Prints CPU (user+system) and statements sent per call.
 */
import { prismaClientOptions } from "../subgraphs/common/database/prismaOptions";
import { PrismaClient } from "../subgraphs/products/generated/prisma/client";
import { provisionTestDatabase } from "../test/support/testDatabase";
import { measure, per, runStandalone } from "./standalone";

const calls = Number(process.argv[2] ?? 2000);
const inFlight = 16;

async function inParallel(count: number, call: (index: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < count) await call(next++);
    }),
  );
}

async function main(): Promise<void> {
  const database = await provisionTestDatabase("products", `bench_prisma_client_${process.pid}`);
  const db = new PrismaClient(prismaClientOptions(database.url));
  try {
    const categories = await Promise.all(
      Array.from({ length: 50 }, (_, index) =>
        db.category.create({ data: { name: `Category ${index}`, slug: `category-${index}` }, select: { id: true } }),
      ),
    );
    const ids = categories.map((category) => category.id);
    const queries: Record<string, (index: number) => Promise<unknown>> = {
      findUnique: (index) => db.category.findUnique({ where: { id: ids[index % ids.length]! } }),
      "findMany (20 ids)": () => db.category.findMany({ where: { id: { in: ids.slice(0, 20) } } }),
      update: (index) =>
        db.category.update({ where: { id: ids[index % ids.length]! }, data: { name: `Renamed ${index}` } }),
      "$transaction (read, write)": (index) =>
        db.$transaction(async (tx) => {
          const id = ids[index % ids.length]!;
          await tx.category.findUnique({ where: { id } });
          await tx.category.update({ where: { id }, data: { name: `In a transaction ${index}` } });
        }),
    };
    for (const [name, query] of Object.entries(queries)) {
      await inParallel(200, query); // warm-up: compiled code, prepared connections
      const { cpuMs, wallMs, statements } = await measure(() => inParallel(calls, query));
      console.log(
        `${name}: ${per(cpuMs, calls)} ms CPU per call, ${per(statements.length, calls)} statements per call, ${Math.round((calls / wallMs) * 1000)} calls/s`,
      );
    }
  } finally {
    await db.$disconnect();
    await database.drop();
  }
}

runStandalone(main);
