import type { Role } from "../generated/prisma/client";
import type { UsersReader, UsersTx } from "./database";
import type { AddressRecord, UserRecord } from "./records";

export function findUsersByIds(db: UsersReader, ids: readonly string[]): Promise<UserRecord[]> {
  return db.user.findMany({ where: { id: { in: [...ids] } } });
}

export function findUserByEmail(db: UsersReader, email: string): Promise<UserRecord | null> {
  return db.user.findUnique({ where: { email } });
}

export function insertUser(
  tx: UsersTx,
  user: { email: string; name: string; passwordHash: string; roles?: Role[] },
): Promise<UserRecord> {
  return tx.user.create({
    data: { email: user.email, name: user.name, passwordHash: user.passwordHash, roles: user.roles ?? ["CUSTOMER"] },
  });
}

export function updateUser(
  tx: UsersTx,
  id: string,
  changes: { name?: string; email?: string; passwordHash?: string; roles?: Role[] },
): Promise<UserRecord> {
  return tx.user.update({ where: { id }, data: changes });
}

/** Addresses of many users, each user's default first, then oldest first. */
export function findAddressesOfUsers(db: UsersReader, userIds: readonly string[]): Promise<AddressRecord[]> {
  return db.address.findMany({
    where: { userId: { in: [...userIds] } },
    orderBy: [{ isDefault: "desc" }, { createdAt: "asc" }],
  });
}

/** Locks a user's row until the transaction ends; returns its password hash, or null when there is no such user. */
export async function lockPasswordHash(tx: UsersTx, id: string): Promise<string | null> {
  const rows = await tx.$queryRaw<
    Array<{ password_hash: string }>
  >`SELECT password_hash FROM users WHERE id = ${id}::uuid FOR UPDATE`;
  return rows[0]?.password_hash ?? null;
}
