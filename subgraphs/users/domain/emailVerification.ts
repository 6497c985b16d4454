import { BadUserInputError, ConflictError, UnauthenticatedError } from "../../common/errors";
import { consumeEmailToken, replaceEmailToken } from "../store/emailTokenStore";
import { findUsersByIds, updateUser } from "../store/userStore";
import { takeAccountEmail } from "./accountChecks";
import type { IdentityDependencies } from "./identity";
import { issueLink } from "./links";
import { tokenHash } from "./secrets";

const invalidLink = "This verification link is invalid, used, replaced or expired: ask for a new one.";

/**
 * Verifies the account's email with the token of a verification link. The link proves only the
 * address it was sent to: if the account's email has changed since, it proves nothing.
 * `users.user.email_verified` goes out the first time.
 */
export async function verifyEmail(deps: Pick<IdentityDependencies, "unitOfWork">, token: string): Promise<true> {
  const verified = await deps.unitOfWork(async (tx, emit) => {
    const link = await consumeEmailToken(tx, tokenHash(token), "VERIFY_EMAIL");
    if (!link) return false;
    const [user] = await findUsersByIds(tx, [link.userId]);
    if (!user || user.email !== link.email) return false;
    if (!user.emailVerifiedAt) {
      await updateUser(tx, user.id, { emailVerifiedAt: new Date() });
      emit("users.user.email_verified", { userId: user.id, email: user.email });
    }
    return true;
  });
  if (!verified) throw new BadUserInputError(invalidLink, "token");
  return true;
}

/**
 * Mails the signed-in user a new verification link (the older ones stop working), within the
 * account-email limits. CONFLICT when the email is already verified.
 */
export async function resendVerificationEmail(
  deps: IdentityDependencies,
  userId: string,
  clientAddress: string,
): Promise<true> {
  const [user] = await deps.unitOfWork((tx) => findUsersByIds(tx, [userId]));
  if (!user) throw new UnauthenticatedError("Your account no longer exists.");
  if (user.emailVerifiedAt) throw new ConflictError("Your email address is already verified.");
  await takeAccountEmail(deps, user.email, clientAddress, true);
  await deps.unitOfWork(async (tx, emit) => {
    const link = issueLink(deps.sealer, "VERIFY_EMAIL", user.id);
    await replaceEmailToken(tx, {
      userId: user.id,
      purpose: "VERIFY_EMAIL",
      email: user.email,
      tokenHash: link.tokenHash,
      expiresAt: link.expiresAt,
    });
    emit("users.email_verification.requested", {
      userId: user.id,
      email: user.email,
      name: user.name,
      link: link.sealed,
    });
  });
  return true;
}
