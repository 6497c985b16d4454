import type { UsersReader } from "./database";
import type { AddressRecord, UserRecord } from "./records";

export function findUsersByIds(db: UsersReader, ids: readonly string[]): Promise<UserRecord[]> {
  return db.user.findMany({ where: { id: { in: [...ids] } } });
}

/** Addresses of many users, each user's default first, then oldest first. */
export function findAddressesOfUsers(db: UsersReader, userIds: readonly string[]): Promise<AddressRecord[]> {
  return db.address.findMany({
    where: { userId: { in: [...userIds] } },
    orderBy: [{ isDefault: "desc" }, { createdAt: "asc" }],
  });
}
