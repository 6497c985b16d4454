import { prismaClientOptions, type DatabaseOptions } from "../../common/database/prismaOptions";
import { PrismaClient, type Prisma } from "../generated/prisma/client";

export function createOrdersDatabase(databaseUrl: string, options: DatabaseOptions = {}) {
  return new PrismaClient(prismaClientOptions(databaseUrl, options));
}

export type OrdersDb = ReturnType<typeof createOrdersDatabase>;
export type OrdersTx = Prisma.TransactionClient;
export type OrdersReader = OrdersDb | OrdersTx;
