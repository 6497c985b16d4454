import {
  databasePool,
  prismaClientOptions,
  type DatabaseOptions,
  type SqlExecutor,
} from "../../common/database/prismaOptions";
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
/**
 * A transaction that runs only the service's own SQL (`sql(tx)`): Prisma's transaction client, or
 * one of ours on the pool (`sqlUnitOfWork`, an `sqlOnly` handler's). The hot paths take it.
 */
export type InventorySqlTx = SqlExecutor;
