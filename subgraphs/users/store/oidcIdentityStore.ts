import type { OidcIdentity } from "../generated/prisma/client";
import type { UsersReader, UsersTx } from "./database";
import type { UserRecord } from "./records";

export type OidcIdentityRecord = OidcIdentity;

/** The user an issuer's subject is linked to, with the link; null when the subject is not linked. */
export async function findLinkedUser(
  db: UsersReader,
  issuer: string,
  subject: string,
): Promise<{ identity: OidcIdentityRecord; user: UserRecord } | null> {
  const linked = await db.oidcIdentity.findUnique({
    where: { issuer_subject: { issuer, subject } },
    include: { user: true },
  });
  if (!linked) return null;
  const { user, ...identity } = linked;
  return { identity, user };
}

export function insertIdentity(
  tx: UsersTx,
  identity: { userId: string; provider: string; issuer: string; subject: string; email: string | null },
): Promise<OidcIdentityRecord> {
  return tx.oidcIdentity.create({ data: identity });
}

export async function touchIdentity(tx: UsersTx, id: string): Promise<void> {
  await tx.oidcIdentity.update({ where: { id }, data: { lastSignInAt: new Date() } });
}

/** The linked identities of many users, oldest first, in one statement. */
export function findIdentitiesOfUsers(db: UsersReader, userIds: readonly string[]): Promise<OidcIdentityRecord[]> {
  return db.oidcIdentity.findMany({
    where: { userId: { in: [...userIds] } },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
  });
}
