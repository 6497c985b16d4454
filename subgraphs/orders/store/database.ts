import { databasePool, prismaClientOptions, type DatabaseOptions } from "../../common/database/prismaOptions";
import { sharePool } from "../../common/database/sqlPool";
import { PrismaClient, type Prisma } from "../generated/prisma/client";
import { requestsFirst } from "../requestPriority";

/**
 * Prisma on the service's pool, which the hot paths' own SQL shares (inside a transaction too: see
 * sqlPool.ts); a request's statements wait for a connection before background work's (requestPriority.ts).
 */
export function createOrdersDatabase(databaseUrl: string, options: DatabaseOptions = {}) {
  const pool = requestsFirst(databasePool(databaseUrl, options));
  return sharePool(new PrismaClient(prismaClientOptions(databaseUrl, options, pool)), pool);
}

export type OrdersDb = ReturnType<typeof createOrdersDatabase>;
export type OrdersTx = Prisma.TransactionClient;
export type OrdersReader = OrdersDb | OrdersTx;
