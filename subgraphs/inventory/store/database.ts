import { databasePool, prismaClientOptions, type DatabaseOptions } from "../../common/database/prismaOptions";
import { sharePool } from "../../common/database/sqlPool";
import { PrismaClient, type Prisma } from "../generated/prisma/client";

export function createInventoryDatabase(databaseUrl: string, options: DatabaseOptions = {}) {
  // One pool for Prisma and the hot paths' own SQL (see sqlPool.ts).
  const pool = databasePool(databaseUrl, options);
  return sharePool(new PrismaClient(prismaClientOptions(databaseUrl, options, pool)), pool);
}

export type InventoryDb = ReturnType<typeof createInventoryDatabase>;
export type InventoryTx = Prisma.TransactionClient;
export type InventoryReader = InventoryDb | InventoryTx;
