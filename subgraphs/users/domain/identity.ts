import { violatesUnique } from "../../common/database/uniqueViolation";
import { BadUserInputError, ConflictError, UnauthenticatedError } from "../../common/errors";
import type { UnitOfWork } from "../../common/events/unitOfWork";
import type { AccessTokens } from "../auth/accessTokens";
import type { SessionRevocations } from "../../common/auth/sessionRevocations";
import type { SecretSealer } from "../../common/secrets/sealedSecrets";
import type { AccountEmailThrottle } from "../store/accountEmailThrottle";
import type { UsersTx } from "../store/database";
import { replaceEmailToken, revokeEmailTokens } from "../store/emailTokenStore";
import type { LoginThrottle } from "../store/loginThrottle";
import type { UserRecord } from "../store/records";
import {
  claimRefreshToken,
  consumePasswordResetToken,
  findRefreshToken,
  insertPasswordResetToken,
  insertSession,
  revokeAllSessions,
  revokePasswordResetTokens,
  revokeSession,
  rotateRefreshToken,
} from "../store/sessionStore";
import { staffPermissionsOf } from "../store/staffStore";
import { findUserByEmail, insertUser, lockPasswordHash, updateUser } from "../store/userStore";
import { email as validEmail, newPassword, personName } from "./inputs";
import { takeAccountEmail } from "./accountChecks";
import { issueLink } from "./links";
import type { PasswordHasher } from "./passwordHashing";
import { newOpaqueToken, tokenHash } from "./secrets";
import { inPermissionOrder } from "./staffGrants";

/**
 * Where sessions are recorded as revoked (Redis), for the router and every subgraph to see. It is
 * written inside the unit of work, after the database changes and before the commit: a Redis
 * failure then rolls the database back and the caller gets an error to retry, instead of a
 * committed revocation whose access tokens keep working. (Revoking a session whose database
 * change then rolls back only signs it out: the safe direction.)
 */
export type Revocations = Pick<SessionRevocations, "revoke">;

export interface IdentityDependencies {
  unitOfWork: UnitOfWork<UsersTx>;
  passwords: PasswordHasher;
  tokens: AccessTokens;
  throttle: LoginThrottle;
  revocations: Revocations;
  refreshTokenTtlDays: number;
  /** Seals the tokens of mailed links for the notifications service. */
  sealer: SecretSealer;
  /** Limits account emails (resets, verification, email changes) per email and client address. */
  accountEmails: AccountEmailThrottle;
}

export interface SignedIn {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  user: UserRecord;
}

const wrongCredentials = "Email or password is incorrect.";

/** Opens a session for `user` inside a unit of work: its first refresh token, stored as a hash. */
export async function openSession(
  deps: IdentityDependencies,
  tx: UsersTx,
  user: UserRecord,
): Promise<{ sessionId: string; refreshToken: string }> {
  const refreshToken = newOpaqueToken();
  const expiresAt = new Date(Date.now() + deps.refreshTokenTtlDays * 24 * 60 * 60 * 1000);
  const sessionId = await insertSession(tx, user.id, expiresAt, tokenHash(refreshToken));
  return { sessionId, refreshToken };
}

/**
 * The answer of every sign-in: a fresh access token for the session and its refresh token. The
 * token carries the permissions of the user's staff roles as they are now, read after the session
 * exists: a change of them revokes that session (see `staffRoles.ts`), so a token never outlives
 * the permissions it names.
 */
export async function signIn(
  deps: IdentityDependencies,
  user: UserRecord,
  session: { sessionId: string; refreshToken: string },
): Promise<SignedIn> {
  const permissions = inPermissionOrder(await deps.unitOfWork((tx) => staffPermissionsOf(tx, user.id)));
  const { accessToken, expiresIn } = await deps.tokens.issue({
    userId: user.id,
    roles: user.roles,
    sessionId: session.sessionId,
    permissions,
  });
  return { accessToken, refreshToken: session.refreshToken, expiresIn, user: { ...user, signedInAs: true } };
}

/**
 * Creates a CUSTOMER account, unverified, and its first session; `users.user.registered` goes out
 * with it, carrying the sealed link that verifies the email (the welcome email holds it).
 */
export async function register(
  deps: IdentityDependencies,
  input: { email: string; password: string; name: string },
): Promise<SignedIn> {
  const email = validEmail(input.email);
  const password = newPassword(input.password);
  const name = personName(input.name);
  const passwordHash = await deps.passwords.hash(password);
  try {
    const { user, session } = await deps.unitOfWork(async (tx, emit) => {
      const created = await insertUser(tx, { email, name, passwordHash });
      const verification = issueLink(deps.sealer, "VERIFY_EMAIL", created.id);
      await replaceEmailToken(tx, {
        userId: created.id,
        purpose: "VERIFY_EMAIL",
        email: created.email,
        tokenHash: verification.tokenHash,
        expiresAt: verification.expiresAt,
      });
      emit("users.user.registered", {
        userId: created.id,
        email: created.email,
        name: created.name,
        roles: created.roles,
        verification: verification.sealed,
      });
      return { user: created, session: await openSession(deps, tx, created) };
    });
    return await signIn(deps, user, session);
  } catch (error) {
    if (violatesUnique(error, "email")) throw new ConflictError("An account with this email already exists.", "email");
    throw error;
  }
}

let dummyHash: Promise<string> | undefined;

/** Signs in with email and password; unknown email and wrong password fail alike, and are throttled. */
export async function login(
  deps: IdentityDependencies,
  input: { email: string; password: string },
  clientAddress: string,
): Promise<SignedIn> {
  const email = input.email.trim().toLowerCase();
  // Counted as a failure before the (slow) hash, so parallel guesses cannot pass the limit.
  await deps.throttle.reserve(email, clientAddress);
  const user = await deps.unitOfWork((tx) => findUserByEmail(tx, email));
  // Hash something even for an unknown email, so the answer takes as long either way.
  dummyHash ??= deps.passwords.hash(newOpaqueToken());
  const valid = await deps.passwords.verify(input.password, user?.passwordHash ?? (await dummyHash));
  if (!user || !valid) throw new UnauthenticatedError(wrongCredentials);
  const session = await deps.unitOfWork(async (tx) => {
    // The password may have changed (a reset, which revokes every session) while it was being
    // verified: the row lock orders this session against such a change, and the hash must be
    // the one just verified.
    if ((await lockPasswordHash(tx, user.id)) !== user.passwordHash) return null;
    return openSession(deps, tx, user);
  });
  if (!session) throw new UnauthenticatedError(wrongCredentials);
  await deps.throttle.recordSuccess(email, clientAddress);
  return signIn(deps, user, session);
}

type RefreshOutcome =
  | { kind: "rotated"; user: UserRecord; sessionId: string; refreshToken: string }
  | { kind: "reused"; sessionId: string }
  | { kind: "invalid"; message: string };

/**
 * Exchanges a refresh token for a new pair. Each token works once: presenting a used one again
 * means it leaked, so the whole session is revoked (and its access tokens with it).
 */
export async function refreshSession(deps: IdentityDependencies, refreshToken: string): Promise<SignedIn> {
  const outcome = await deps.unitOfWork(async (tx): Promise<RefreshOutcome> => {
    const stored = await findRefreshToken(tx, tokenHash(refreshToken));
    if (!stored) return { kind: "invalid", message: "The refresh token is not valid." };
    const { session } = stored;
    if (session.revokedAt || session.expiresAt.getTime() <= Date.now())
      return { kind: "invalid", message: "The session has ended: sign in again." };
    if (!(await claimRefreshToken(tx, stored.id))) {
      await revokeSession(tx, session.id, "REUSE_DETECTED");
      await deps.revocations.revoke([session.id], deps.tokens.ttlSeconds);
      return { kind: "reused", sessionId: session.id };
    }
    const next = newOpaqueToken();
    await rotateRefreshToken(tx, session.id, tokenHash(next));
    return { kind: "rotated", user: session.user, sessionId: session.id, refreshToken: next };
  });
  switch (outcome.kind) {
    case "invalid":
      throw new UnauthenticatedError(outcome.message);
    case "reused":
      throw new UnauthenticatedError(
        "This refresh token was already used; the session has been revoked. Sign in again.",
      );
    case "rotated":
      return signIn(deps, outcome.user, { sessionId: outcome.sessionId, refreshToken: outcome.refreshToken });
  }
}

/** Revokes the session of a refresh token (used or not). Unknown tokens are ignored. */
export async function logout(deps: IdentityDependencies, refreshToken: string): Promise<true> {
  await deps.unitOfWork(async (tx) => {
    const stored = await findRefreshToken(tx, tokenHash(refreshToken));
    if (!stored) return;
    await revokeSession(tx, stored.sessionId, "LOGOUT");
    await deps.revocations.revoke([stored.sessionId], deps.tokens.ttlSeconds);
  });
  return true;
}

/**
 * Starts a password reset for a registered email: a single-use link valid one hour, emailed
 * through `users.password_reset.requested` with its token sealed. Answers the same whether or
 * not the email exists, and whether or not that email has had enough resets for now; only too
 * many requests from one client address are RATE_LIMITED.
 */
export async function requestPasswordReset(
  deps: IdentityDependencies,
  rawEmail: string,
  clientAddress: string,
): Promise<true> {
  const email = rawEmail.trim().toLowerCase().slice(0, 320);
  if (!(await takeAccountEmail(deps, email, clientAddress, false))) return true;
  await deps.unitOfWork(async (tx, emit) => {
    const user = await findUserByEmail(tx, email);
    if (!user) return;
    const link = issueLink(deps.sealer, "PASSWORD_RESET", user.id);
    await insertPasswordResetToken(tx, user.id, link.tokenHash, link.expiresAt);
    emit("users.password_reset.requested", { userId: user.id, email: user.email, name: user.name, link: link.sealed });
  });
  return true;
}

/**
 * Sets a new password with a reset token. Whoever had the account before may still hold a way
 * in, so it ends them all: every session (and its access tokens), every other reset link, and
 * any pending email change (whose link went to an address of their choosing).
 */
export async function resetPassword(
  deps: IdentityDependencies,
  input: { token: string; newPassword: string },
): Promise<true> {
  const password = newPassword(input.newPassword, "newPassword");
  const passwordHash = await deps.passwords.hash(password);
  const reset = await deps.unitOfWork(async (tx) => {
    const userId = await consumePasswordResetToken(tx, tokenHash(input.token));
    if (!userId) return false;
    // Updating the row locks it until commit, so a login that verified the old password cannot
    // open a session the revocation below misses (see `login`).
    await updateUser(tx, userId, { passwordHash });
    await revokePasswordResetTokens(tx, userId);
    await revokeEmailTokens(tx, userId, ["CHANGE_EMAIL"]);
    const revoked = await revokeAllSessions(tx, userId, "PASSWORD_RESET");
    await deps.revocations.revoke(revoked, deps.tokens.ttlSeconds);
    return true;
  });
  if (!reset) throw new BadUserInputError("This reset link is invalid, used or expired: request a new one.", "token");
  return true;
}
