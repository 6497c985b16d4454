import { prismaClientOptions, type DatabaseOptions } from "../../common/database/prismaOptions";
import { PrismaClient, type Prisma } from "../generated/prisma/client";

export function createNotificationsDatabase(databaseUrl: string, options: DatabaseOptions = {}) {
  return new PrismaClient(prismaClientOptions(databaseUrl, options));
}

export type NotificationsDb = ReturnType<typeof createNotificationsDatabase>;
export type NotificationsTx = Prisma.TransactionClient;
export type NotificationsReader = NotificationsDb | NotificationsTx;
