import { BadUserInputError, RateLimitedError } from "../../common/errors";
import type { UserRecord } from "../store/records";
import type { IdentityDependencies } from "./identity";

/**
 * Checks the signed-in user's current password before a sensitive change, throttled like a
 * login (a stolen access token must not become a way to guess the password). A wrong password
 * is BAD_USER_INPUT naming `field`.
 */
export async function verifyCurrentPassword(
  deps: IdentityDependencies,
  user: UserRecord,
  password: string | null | undefined,
  clientAddress: string,
  field = "currentPassword",
): Promise<void> {
  if (!password) throw new BadUserInputError("Enter your current password to change your email.", field);
  if (!user.passwordHash) {
    // An account made by an identity provider: a password reset, mailed to its address, sets one.
    throw new BadUserInputError(
      "Your account has no password yet: set one with a password reset, then try again.",
      field,
    );
  }
  await deps.throttle.reserve(user.email, clientAddress);
  if (!(await deps.passwords.verify(password, user.passwordHash))) {
    throw new BadUserInputError("The current password is incorrect.", field);
  }
  await deps.throttle.recordSuccess(user.email, clientAddress);
}

/**
 * Counts an account email against its limits. Too many from one client address is RATE_LIMITED;
 * too many to one email is RATE_LIMITED only when `tellEmailLimit` (a signed-in user asking for
 * their own mail), and otherwise returns false, so an anonymous caller learns nothing.
 */
export async function takeAccountEmail(
  deps: IdentityDependencies,
  email: string,
  clientAddress: string,
  tellEmailLimit: boolean,
): Promise<boolean> {
  const allowance = await deps.accountEmails.take(email, clientAddress);
  if (allowance.allowed) return true;
  if (allowance.limitedBy === "address" || tellEmailLimit) {
    throw new RateLimitedError(
      allowance.retryAfterSeconds,
      `Too many account emails asked for. Try again in ${allowance.retryAfterSeconds} seconds.`,
    );
  }
  return false;
}
