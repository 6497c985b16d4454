import type { EmailToken, EmailTokenPurpose } from "../generated/prisma/client";
import type { UsersTx } from "./database";

export type EmailTokenRecord = EmailToken;

/**
 * Stores a new link of `purpose` for the user (its token's hash only) and ends every earlier
 * unused one of the same purpose: only the newest link works.
 */
export async function replaceEmailToken(
  tx: UsersTx,
  token: { userId: string; purpose: EmailTokenPurpose; email: string; tokenHash: string; expiresAt: Date },
): Promise<void> {
  await revokeEmailTokens(tx, token.userId, [token.purpose]);
  await tx.emailToken.create({ data: token });
}

/** Ends the user's unused links of the given purposes. */
export async function revokeEmailTokens(
  tx: UsersTx,
  userId: string,
  purposes: readonly EmailTokenPurpose[],
): Promise<void> {
  await tx.emailToken.updateMany({
    where: { userId, purpose: { in: [...purposes] }, usedAt: null, revokedAt: null },
    data: { revokedAt: new Date() },
  });
}

/**
 * Uses a link of `purpose` if it exists, is unused, not replaced and unexpired; returns it, or
 * null. The claim is conditional, so of two concurrent uses exactly one succeeds.
 */
export async function consumeEmailToken(
  tx: UsersTx,
  tokenHash: string,
  purpose: EmailTokenPurpose,
): Promise<EmailTokenRecord | null> {
  const token = await tx.emailToken.findUnique({ where: { tokenHash } });
  if (!token || token.purpose !== purpose || token.usedAt || token.revokedAt) return null;
  if (token.expiresAt.getTime() <= Date.now()) return null;
  const { count } = await tx.emailToken.updateMany({
    where: { id: token.id, usedAt: null, revokedAt: null },
    data: { usedAt: new Date() },
  });
  return count === 1 ? token : null;
}
