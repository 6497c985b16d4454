import type { Prisma, PrivacyRequestKind } from "../generated/prisma/client";
import type { UsersReader, UsersTx } from "./database";

const withParts = { parts: { orderBy: { completedAt: "asc" } } } as const;

export type PrivacyRequestRecord = Prisma.PrivacyRequestGetPayload<{ include: typeof withParts }>;

export interface NewPrivacyPart {
  requestId: string;
  service: string;
  counts: Record<string, number>;
  data: Prisma.InputJsonValue | null;
}

/**
 * Records a request. A PENDING request of the same kind for the user already there makes it fail
 * with a unique violation on `privacy_requests_one_pending` (one open request per user and kind).
 */
export function insertPrivacyRequest(
  tx: UsersTx,
  request: { userId: string; kind: PrivacyRequestKind; requestedBy: string },
): Promise<{ id: string }> {
  return tx.privacyRequest.create({ data: request, select: { id: true } });
}

export function findPrivacyRequest(db: UsersReader, id: string): Promise<PrivacyRequestRecord | null> {
  return db.privacyRequest.findUnique({ where: { id }, include: withParts });
}

/** The user's most recent requests, newest first. */
export function findPrivacyRequestsOfUser(
  db: UsersReader,
  userId: string,
  take: number,
): Promise<PrivacyRequestRecord[]> {
  return db.privacyRequest.findMany({
    where: { userId },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take,
    include: withParts,
  });
}

/**
 * Locks a request until the transaction ends, so the answers of two services are recorded one
 * after the other and exactly one of them sees that every service has answered.
 */
export async function lockPrivacyRequest(
  tx: UsersTx,
  id: string,
): Promise<{ kind: PrivacyRequestKind; status: string; userErased: boolean } | null> {
  const rows = await tx.$queryRaw<Array<{ kind: PrivacyRequestKind; status: string; erased: boolean }>>`
    SELECT r.kind, r.status::text AS status, u.erased_at IS NOT NULL AS erased
      FROM privacy_requests r JOIN users u ON u.id = r.user_id
     WHERE r.id = ${id}::uuid
       FOR UPDATE OF r`;
  const row = rows[0];
  return row ? { kind: row.kind, status: row.status, userErased: row.erased } : null;
}

/** Records one service's answer; a repeated answer changes nothing. Returns how many services have answered. */
export async function insertPrivacyPart(tx: UsersTx, part: NewPrivacyPart): Promise<number> {
  await tx.privacyRequestPart.createMany({
    data: [
      {
        requestId: part.requestId,
        service: part.service,
        counts: part.counts,
        ...(part.data === null ? {} : { data: part.data }),
      },
    ],
    skipDuplicates: true,
  });
  return tx.privacyRequestPart.count({ where: { requestId: part.requestId } });
}

export async function completePrivacyRequest(tx: UsersTx, id: string, expiresAt: Date | null): Promise<void> {
  await tx.privacyRequest.updateMany({
    where: { id, status: "PENDING" },
    data: { status: "COMPLETED", completedAt: new Date(), expiresAt },
  });
}

/** Removes the data of exports past their time (the rows and their report stay); how many parts. */
export function purgeExpiredExports(db: UsersReader, now = new Date()): Promise<number> {
  return db.$executeRaw`
    UPDATE privacy_request_parts SET data = NULL
     WHERE data IS NOT NULL
       AND request_id IN (SELECT id FROM privacy_requests WHERE kind = 'EXPORT' AND expires_at <= ${now})`;
}

/** Everything the users service holds about a user, for an export. */
export function findUserWithEverything(db: UsersReader, userId: string, take: number) {
  return db.user.findUnique({
    where: { id: userId },
    include: {
      addresses: { orderBy: { createdAt: "asc" } },
      pushDevices: { orderBy: { lastRegisteredAt: "desc" } },
      identities: { orderBy: { createdAt: "asc" } },
      sessions: { orderBy: { createdAt: "desc" }, take },
    },
  });
}

/**
 * Erases a user in the users service: every record that only describes them goes (addresses,
 * devices, linked identities, sessions with their refresh tokens, pending links and codes, the data
 * of their exports) and the row stays as an anonymised tombstone that no one can sign in to, so
 * the ids other services keep still point somewhere. Counts what went, by kind.
 */
export async function eraseUserRecords(tx: UsersTx, userId: string): Promise<Record<string, number>> {
  const [addresses, devices, identities, sessions, resets, emailTokens, phoneCodes] = await Promise.all([
    tx.address.deleteMany({ where: { userId } }),
    tx.pushDevice.deleteMany({ where: { userId } }),
    tx.oidcIdentity.deleteMany({ where: { userId } }),
    tx.session.deleteMany({ where: { userId } }),
    tx.passwordResetToken.deleteMany({ where: { userId } }),
    tx.emailToken.deleteMany({ where: { userId } }),
    tx.phoneVerificationCode.deleteMany({ where: { userId } }),
  ]).then((results) => results.map((result) => result.count));
  const exportParts = await tx.$executeRaw`
    UPDATE privacy_request_parts SET data = NULL
     WHERE data IS NOT NULL AND request_id IN (SELECT id FROM privacy_requests WHERE user_id = ${userId}::uuid)`;
  await tx.user.update({
    where: { id: userId },
    data: {
      email: `erased-${userId}@erased.invalid`,
      name: "Deleted user",
      passwordHash: null,
      roles: ["CUSTOMER"],
      emailVerifiedAt: null,
      phoneNumber: null,
      erasedAt: new Date(),
    },
  });
  return {
    users: 1,
    addresses: addresses!,
    pushDevices: devices!,
    linkedIdentities: identities!,
    sessions: sessions!,
    passwordResetTokens: resets!,
    emailTokens: emailTokens!,
    phoneCodes: phoneCodes!,
    exportPartsErased: exportParts,
  };
}
