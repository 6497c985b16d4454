import { prismaClientOptions, type DatabaseOptions } from "../../common/database/prismaOptions";
import { PrismaClient, type Prisma } from "../generated/prisma/client";

export function createInventoryDatabase(databaseUrl: string, options: DatabaseOptions = {}) {
  return new PrismaClient(prismaClientOptions(databaseUrl, options));
}

export type InventoryDb = ReturnType<typeof createInventoryDatabase>;
export type InventoryTx = Prisma.TransactionClient;
export type InventoryReader = InventoryDb | InventoryTx;
