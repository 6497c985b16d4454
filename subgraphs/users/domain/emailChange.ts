import { violatesUnique } from "../../common/database/uniqueViolation";
import { BadUserInputError, ConflictError, UnauthenticatedError } from "../../common/errors";
import type { Emit } from "../../common/events/unitOfWork";
import type { UsersTx } from "../store/database";
import { consumeEmailToken, replaceEmailToken, revokeEmailTokens } from "../store/emailTokenStore";
import type { UserRecord } from "../store/records";
import { revokePasswordResetTokens } from "../store/sessionStore";
import { findUserByEmail, findUsersByIds, updateUser } from "../store/userStore";
import { takeAccountEmail, verifyCurrentPassword } from "./accountChecks";
import type { IdentityDependencies } from "./identity";
import { email as validEmail } from "./inputs";
import { issueLink } from "./links";
import { tokenHash } from "./secrets";

/** Records a checked email change inside a unit of work. */
export type RecordEmailChange = (tx: UsersTx, emit: Emit) => Promise<void>;

/**
 * Checks a change of the user's email to `newEmail` (the current password, that no other account
 * has the address, the account-email limits) and returns the work that records it: a
 * confirmation link for the new address, whose event also sends a notice to the current one.
 * Null when `newEmail` is already the user's email. `fields` names the inputs in errors.
 */
export async function prepareEmailChange(
  deps: IdentityDependencies,
  user: UserRecord,
  input: { newEmail: string; currentPassword?: string | null },
  clientAddress: string,
  fields: { newEmail: string; currentPassword: string },
): Promise<RecordEmailChange | null> {
  const newEmail = validEmail(input.newEmail, fields.newEmail);
  if (newEmail === user.email) return null;
  await verifyCurrentPassword(deps, user, input.currentPassword, clientAddress, fields.currentPassword);
  if (await deps.unitOfWork((tx) => findUserByEmail(tx, newEmail))) {
    throw new ConflictError("Another account already uses this email.", fields.newEmail);
  }
  await takeAccountEmail(deps, newEmail, clientAddress, true);
  return async (tx, emit) => {
    const link = issueLink(deps.sealer, "CHANGE_EMAIL", user.id);
    await replaceEmailToken(tx, {
      userId: user.id,
      purpose: "CHANGE_EMAIL",
      email: newEmail,
      tokenHash: link.tokenHash,
      expiresAt: link.expiresAt,
    });
    emit("users.email_change.requested", {
      userId: user.id,
      name: user.name,
      currentEmail: user.email,
      newEmail,
      link: link.sealed,
    });
  };
}

/** Starts a change of the signed-in user's email; it takes effect when the new address confirms it. */
export async function requestEmailChange(
  deps: IdentityDependencies,
  userId: string,
  input: { newEmail: string; currentPassword: string },
  clientAddress: string,
): Promise<true> {
  const [user] = await deps.unitOfWork((tx) => findUsersByIds(tx, [userId]));
  if (!user) throw new UnauthenticatedError("Your account no longer exists.");
  const record = await prepareEmailChange(deps, user, input, clientAddress, {
    newEmail: "newEmail",
    currentPassword: "currentPassword",
  });
  if (!record) throw new BadUserInputError("This is already your email address.", "newEmail");
  await deps.unitOfWork(record);
  return true;
}

/**
 * Completes an email change with its confirmation token: the account's email becomes the new
 * address, verified (following the link proved it). Reset links mailed to the old address and
 * other pending links end with it.
 */
export async function confirmEmailChange(deps: Pick<IdentityDependencies, "unitOfWork">, token: string): Promise<true> {
  try {
    const changed = await deps.unitOfWork(async (tx, emit) => {
      const link = await consumeEmailToken(tx, tokenHash(token), "CHANGE_EMAIL");
      if (!link) return false;
      const user = await updateUser(tx, link.userId, { email: link.email, emailVerifiedAt: new Date() });
      await revokePasswordResetTokens(tx, user.id);
      await revokeEmailTokens(tx, user.id, ["VERIFY_EMAIL", "CHANGE_EMAIL"]);
      emit("users.user.updated", { userId: user.id, email: user.email, name: user.name, roles: user.roles });
      emit("users.user.email_verified", { userId: user.id, email: user.email });
      return true;
    });
    if (!changed) {
      throw new BadUserInputError(
        "This confirmation link is invalid, used, replaced or expired: change your email again.",
        "token",
      );
    }
    return true;
  } catch (error) {
    if (violatesUnique(error, "email")) {
      throw new ConflictError("Another account has taken this email since the change was asked for.", "token");
    }
    throw error;
  }
}
