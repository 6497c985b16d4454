import { prismaClientOptions, type DatabaseOptions } from "../../common/database/prismaOptions";
import { PrismaClient, type Prisma } from "../generated/prisma/client";

export function createPaymentsDatabase(databaseUrl: string, options: DatabaseOptions = {}) {
  return new PrismaClient(prismaClientOptions(databaseUrl, options));
}

export type PaymentsDb = ReturnType<typeof createPaymentsDatabase>;
export type PaymentsTx = Prisma.TransactionClient;
export type PaymentsReader = PaymentsDb | PaymentsTx;
