import { prismaClientOptions, type DatabaseOptions } from "../../common/database/prismaOptions";
import { PrismaClient, type Prisma } from "../generated/prisma/client";

export function createProductsDatabase(databaseUrl: string, options: DatabaseOptions = {}) {
  return new PrismaClient(prismaClientOptions(databaseUrl, options));
}

export type ProductsDb = ReturnType<typeof createProductsDatabase>;
export type ProductsTx = Prisma.TransactionClient;
/** Reads work on the client or inside a transaction. */
export type ProductsReader = ProductsDb | ProductsTx;
