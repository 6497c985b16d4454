import {
  databasePool,
  prismaClientOptions,
  type DatabaseOptions,
  type SqlExecutor,
} from "../../common/database/prismaOptions";
import { sharePool } from "../../common/database/sqlPool";
import { PrismaClient, type Prisma } from "../generated/prisma/client";

/** Prisma on the service's pool, which the hot paths' own SQL shares (inside a transaction too: see sqlPool.ts). */
export function createNotificationsDatabase(databaseUrl: string, options: DatabaseOptions = {}) {
  const pool = databasePool(databaseUrl, options);
  return sharePool(new PrismaClient(prismaClientOptions(databaseUrl, options, pool)), pool);
}

export type NotificationsDb = ReturnType<typeof createNotificationsDatabase>;
export type NotificationsTx = Prisma.TransactionClient;
export type NotificationsReader = NotificationsDb | NotificationsTx;
/**
 * A transaction that runs only SQL (`sql(tx)`): Prisma's, or one of ours on the pool (an
 * `sqlOnly` event handler's, which costs a fraction of Prisma's interactive one).
 */
export type NotificationsSqlTx = SqlExecutor;
