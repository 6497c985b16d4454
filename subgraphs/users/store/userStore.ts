import { anyOfParameter, sql, sqlOfIds, statement } from "../../common/database/sqlPool";
import type { Role } from "../generated/prisma/client";
import type { UsersReader, UsersTx } from "./database";
import type { AddressRecord, UserRecord } from "./records";

/** Every column of `UserRecord` (Prisma's `User`), for a statement `FROM users`. */
const userColumns = `id::text AS id, email, name, password_hash AS "passwordHash", roles::text[] AS roles,
  email_verified_at AS "emailVerifiedAt", phone_number AS "phoneNumber", created_at AS "createdAt",
  updated_at AS "updatedAt", erased_at AS "erasedAt"`;

const usersByIds = statement("users.user.byIds", `SELECT ${userColumns} FROM users WHERE id = ${anyOfParameter("$1")}`);

/** Users by id, in no particular order (one named statement; inside a transaction, on its connection). */
export const findUsersByIds = sqlOfIds<UserRecord>(usersByIds);

export function findUserByEmail(db: UsersReader, email: string): Promise<UserRecord | null> {
  return db.user.findUnique({ where: { email } });
}

export function insertUser(
  tx: UsersTx,
  user: { email: string; name: string; passwordHash: string | null; roles?: Role[]; emailVerifiedAt?: Date | null },
): Promise<UserRecord> {
  return tx.user.create({
    data: {
      email: user.email,
      name: user.name,
      passwordHash: user.passwordHash,
      roles: user.roles ?? ["CUSTOMER"],
      emailVerifiedAt: user.emailVerifiedAt ?? null,
    },
  });
}

export function updateUser(
  tx: UsersTx,
  id: string,
  changes: {
    name?: string;
    email?: string;
    passwordHash?: string;
    roles?: Role[];
    emailVerifiedAt?: Date | null;
    phoneNumber?: string | null;
  },
): Promise<UserRecord> {
  return tx.user.update({ where: { id }, data: changes });
}

const addressesOfUsers = statement(
  "users.address.ofUsers",
  `SELECT id::text AS id, "userId", label, line1, line2, city, region, "postalCode", country, "isDefault", "createdAt"
     FROM (SELECT id, user_id::text AS "userId", label, line1, line2, city, region, postal_code AS "postalCode",
                  country, is_default AS "isDefault", created_at AS "createdAt",
                  row_number() OVER (PARTITION BY user_id ORDER BY is_default DESC, created_at ASC, id ASC) AS rank
             FROM addresses WHERE user_id = ${anyOfParameter("$1")}) ranked
    WHERE rank <= $2::int
    ORDER BY "userId", rank`,
);

/**
 * Addresses of many users, each user's default first, then oldest first; at most `perUser` of
 * each (accounts from before the cap may hold more), in one statement.
 */
export function findAddressesOfUsers(
  db: UsersReader,
  userIds: readonly string[],
  perUser: number,
): Promise<AddressRecord[]> {
  if (userIds.length === 0) return Promise.resolve([]);
  return sql<AddressRecord>(db, addressesOfUsers, [userIds, perUser]);
}

/** Locks a user's row until the transaction ends; returns its password hash, or null when there is no such user or it has no password. */
export async function lockPasswordHash(tx: UsersTx, id: string): Promise<string | null> {
  const rows = await tx.$queryRaw<
    Array<{ password_hash: string | null }>
  >`SELECT password_hash FROM users WHERE id = ${id}::uuid FOR UPDATE`;
  return rows[0]?.password_hash ?? null;
}
