import type { UsersTx } from "./database";

export type RevocationReason =
  "LOGOUT" | "REUSE_DETECTED" | "PASSWORD_RESET" | "PROMOTED_TO_ADMIN" | "PERMISSIONS_CHANGED";

export async function insertSession(
  tx: UsersTx,
  userId: string,
  expiresAt: Date,
  refreshTokenHash: string,
): Promise<string> {
  const session = await tx.session.create({
    data: { userId, expiresAt, refreshTokens: { create: { tokenHash: refreshTokenHash } } },
  });
  return session.id;
}

export function findRefreshToken(tx: UsersTx, tokenHash: string) {
  return tx.refreshToken.findUnique({ where: { tokenHash }, include: { session: { include: { user: true } } } });
}

/** Marks a refresh token used; false when it already was (a concurrent or repeated exchange). */
export async function claimRefreshToken(tx: UsersTx, id: string): Promise<boolean> {
  const { count } = await tx.refreshToken.updateMany({ where: { id, usedAt: null }, data: { usedAt: new Date() } });
  return count === 1;
}

export async function rotateRefreshToken(tx: UsersTx, sessionId: string, newTokenHash: string): Promise<void> {
  await tx.refreshToken.create({ data: { sessionId, tokenHash: newTokenHash } });
  await tx.session.update({ where: { id: sessionId }, data: { lastRefreshAt: new Date() } });
}

export async function revokeSession(tx: UsersTx, sessionId: string, reason: RevocationReason): Promise<void> {
  await tx.session.updateMany({
    where: { id: sessionId, revokedAt: null },
    data: { revokedAt: new Date(), revokedReason: reason },
  });
}

/** Revokes every open session of a user; returns their ids. */
export async function revokeAllSessions(tx: UsersTx, userId: string, reason: RevocationReason): Promise<string[]> {
  const open = await tx.session.findMany({ where: { userId, revokedAt: null }, select: { id: true } });
  await tx.session.updateMany({
    where: { userId, revokedAt: null },
    data: { revokedAt: new Date(), revokedReason: reason },
  });
  return open.map((session) => session.id);
}

export function insertPasswordResetToken(tx: UsersTx, userId: string, tokenHash: string, expiresAt: Date) {
  return tx.passwordResetToken.create({ data: { userId, tokenHash, expiresAt } });
}

/** Uses a reset token if it exists, is unused, not revoked and unexpired; returns its user id, or null. */
export async function consumePasswordResetToken(tx: UsersTx, tokenHash: string): Promise<string | null> {
  const token = await tx.passwordResetToken.findUnique({ where: { tokenHash } });
  if (!token || token.usedAt || token.revokedAt || token.expiresAt.getTime() <= Date.now()) return null;
  const { count } = await tx.passwordResetToken.updateMany({
    where: { id: token.id, usedAt: null, revokedAt: null },
    data: { usedAt: new Date() },
  });
  return count === 1 ? token.userId : null;
}

/** Ends every unused reset token of the user (a reset went through, or the email changed). */
export async function revokePasswordResetTokens(tx: UsersTx, userId: string): Promise<void> {
  await tx.passwordResetToken.updateMany({
    where: { userId, usedAt: null, revokedAt: null },
    data: { revokedAt: new Date() },
  });
}
