import { prismaClientOptions, type DatabaseOptions } from "../../common/database/prismaOptions";
import { PrismaClient, type Prisma } from "../generated/prisma/client";

export function createUsersDatabase(databaseUrl: string, options: DatabaseOptions = {}) {
  return new PrismaClient(prismaClientOptions(databaseUrl, options));
}

export type UsersDb = ReturnType<typeof createUsersDatabase>;
export type UsersTx = Prisma.TransactionClient;
export type UsersReader = UsersDb | UsersTx;
