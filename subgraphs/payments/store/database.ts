import { databasePool, prismaClientOptions, type DatabaseOptions } from "../../common/database/prismaOptions";
import { sharePool } from "../../common/database/sqlPool";
import { PrismaClient, type Prisma } from "../generated/prisma/client";

/** Prisma on the service's pool, which the hot paths' own SQL shares (inside a transaction too: see sqlPool.ts). */
export function createPaymentsDatabase(databaseUrl: string, options: DatabaseOptions = {}) {
  const pool = databasePool(databaseUrl, options);
  return sharePool(new PrismaClient(prismaClientOptions(databaseUrl, options, pool)), pool);
}

export type PaymentsDb = ReturnType<typeof createPaymentsDatabase>;
export type PaymentsTx = Prisma.TransactionClient;
export type PaymentsReader = PaymentsDb | PaymentsTx;
