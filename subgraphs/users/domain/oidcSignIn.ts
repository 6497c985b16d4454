import { violatesUnique } from "../../common/database/uniqueViolation";
import { BadUserInputError, ConflictError, ForbiddenError } from "../../common/errors";
import type { Emit } from "../../common/events/unitOfWork";
import type { Logger } from "../../common/logger";
import { IdentityProviderUnavailableError } from "../oidc/errors";
import { IdTokenRejectedError, type IdentityClaims } from "../oidc/idToken";
import { CodeRefusedError, type OidcClient } from "../oidc/oidcClient";
import { codeChallengeOf, newCodeVerifier } from "../oidc/pkce";
import type { UsersTx } from "../store/database";
import { replaceEmailToken } from "../store/emailTokenStore";
import { findLinkedUser, insertIdentity, touchIdentity } from "../store/oidcIdentityStore";
import type { OidcSignInStore } from "../store/oidcSignInStore";
import type { UserRecord } from "../store/records";
import { findUserByEmail, insertUser } from "../store/userStore";
import type { WindowLimit, WindowLimiter } from "../../common/windowLimiter";
import { openSession, signIn, type IdentityDependencies, type SignedIn } from "./identity";
import { email as validEmail } from "./inputs";
import { issueLink } from "./links";
import { newOpaqueToken } from "./secrets";

export interface OidcSignInDependencies {
  /** The configured providers' clients, by name. */
  clients: ReadonlyMap<string, OidcClient>;
  signIns: OidcSignInStore;
  limiter: WindowLimiter;
  /** Starts, and completions, per client address. */
  limit: WindowLimit;
  logger: Logger;
}

export interface StartedSignIn {
  authorizationUrl: string;
  state: string;
  expiresAt: Date;
}

const unknownState = "This sign-in is unknown, expired or already completed: start it again.";

/**
 * Starts a sign-in with `provider`: a state, a nonce and a PKCE verifier, kept on the server for
 * the completion, and the provider's authorization URL carrying the state, the nonce and the
 * verifier's challenge. Only a redirect URI configured for the provider is accepted, so the code
 * cannot be sent anywhere else.
 */
export async function startOidcSignIn(
  deps: OidcSignInDependencies,
  input: { provider: string; redirectUri: string },
  clientAddress: string,
): Promise<StartedSignIn> {
  await deps.limiter.take(deps.limit, clientAddress, "Too many sign-ins from this client.");
  const client = deps.clients.get(input.provider);
  if (!client) throw new BadUserInputError(`No sign-in provider is called "${input.provider}".`, "provider");
  if (!client.settings.redirectUris.includes(input.redirectUri)) {
    throw new BadUserInputError("This redirect URI is not one configured for the provider.", "redirectUri");
  }
  const state = newOpaqueToken();
  const nonce = newOpaqueToken();
  const codeVerifier = newCodeVerifier();
  const authorizationUrl = await withProviderLogged(deps, input.provider, () =>
    client.authorizationUrl({
      redirectUri: input.redirectUri,
      state,
      nonce,
      codeChallenge: codeChallengeOf(codeVerifier),
    }),
  );
  await deps.signIns.put(state, { provider: input.provider, redirectUri: input.redirectUri, nonce, codeVerifier });
  return { authorizationUrl, state, expiresAt: new Date(Date.now() + deps.signIns.ttlSeconds * 1000) };
}

async function withProviderLogged<T>(
  deps: OidcSignInDependencies,
  provider: string,
  run: () => Promise<T>,
): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof IdentityProviderUnavailableError) {
      deps.logger.warn({ provider, reason: error.reason }, "an OpenID Connect provider could not be asked");
    }
    throw error;
  }
}

/**
 * Completes a sign-in: takes the started sign-in by its state (once), redeems the code with the
 * provider, verifies the ID token, and signs in the account linked to the provider's subject,
 * linking or creating one the first time (see `accountForIdentity`).
 */
export async function completeOidcSignIn(
  identity: IdentityDependencies,
  deps: OidcSignInDependencies,
  input: { state: string; code: string },
  clientAddress: string,
): Promise<SignedIn> {
  await deps.limiter.take(deps.limit, clientAddress, "Too many sign-ins from this client.");
  if (!input.code || input.code.length > 2048) throw new BadUserInputError("The code is not valid.", "code");
  const pending = await deps.signIns.take(input.state);
  const client = pending && deps.clients.get(pending.provider);
  if (!pending || !client) throw new BadUserInputError(unknownState, "state");
  let claims: IdentityClaims;
  try {
    claims = await withProviderLogged(deps, pending.provider, () =>
      client.redeem({
        code: input.code,
        redirectUri: pending.redirectUri,
        codeVerifier: pending.codeVerifier,
        nonce: pending.nonce,
      }),
    );
  } catch (error) {
    if (error instanceof CodeRefusedError) {
      throw new BadUserInputError(
        "The provider refused this code (used, expired or not this sign-in's): start again.",
        "code",
      );
    }
    if (error instanceof IdTokenRejectedError) {
      deps.logger.warn({ provider: pending.provider, reason: error.message }, "refused an ID token");
      throw new BadUserInputError("The provider's answer could not be verified: start the sign-in again.", "code");
    }
    throw error;
  }
  const { user, session } = await accountForIdentity(identity, client, claims);
  return signIn(identity, user, session);
}

/**
 * The account a verified identity signs in to, with a new session, in one transaction:
 * 1. the account linked to the issuer's subject, whatever its email says now;
 * 2. else the account with the identity's email, linked now, only when both sides have verified
 *    that email (the provider's `email_verified`, and this service's own verification): an address
 *    proven on one side only could belong to someone else on the other;
 * 3. else a new account, its email verified when the provider says so, and mailed a verification
 *    link otherwise. It has no password until a password reset sets one.
 * Two first sign-ins of one identity at once: the loser of the unique link retries and finds it.
 */
async function accountForIdentity(
  deps: IdentityDependencies,
  client: OidcClient,
  claims: IdentityClaims,
): Promise<{ user: UserRecord; session: { sessionId: string; refreshToken: string } }> {
  const { issuer, name: provider } = client.settings;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await deps.unitOfWork(async (tx, emit) => {
        const linked = await findLinkedUser(tx, issuer, claims.subject);
        if (linked) {
          await touchIdentity(tx, linked.identity.id);
          return { user: linked.user, session: await openSession(deps, tx, linked.user) };
        }
        const email = usableEmail(claims.email);
        if (!email) {
          throw new ForbiddenError("The provider did not share an email address: allow it to, then sign in again.");
        }
        const existing = await findUserByEmail(tx, email);
        const user = existing ?? (await createAccount(deps, tx, emit, claims, email));
        if (existing && (!claims.emailVerified || !existing.emailVerifiedAt)) {
          throw new ConflictError(
            claims.emailVerified
              ? "An account with this email exists, but its email is not verified yet: sign in with its password and verify the email, then sign in with the provider again."
              : "An account with this email exists, and the provider has not verified the email: sign in with the account's password.",
          );
        }
        await insertIdentity(tx, { userId: user.id, provider, issuer, subject: claims.subject, email });
        return { user, session: await openSession(deps, tx, user) };
      });
    } catch (error) {
      if (violatesUnique(error, "user_id") || violatesUnique(error, "userId")) {
        throw new ConflictError(`This account is already linked to another ${provider} account.`);
      }
      const raced = violatesUnique(error, "subject") || violatesUnique(error, "email");
      if (!raced || attempt >= 2) throw error;
    }
  }
}

/** The identity's email as this service would accept it from a person; null when it would not. */
function usableEmail(email: string | null): string | null {
  if (!email) return null;
  try {
    return validEmail(email);
  } catch {
    return null;
  }
}

async function createAccount(
  deps: IdentityDependencies,
  tx: UsersTx,
  emit: Emit,
  claims: IdentityClaims,
  email: string,
): Promise<UserRecord> {
  const name = claims.name ?? email.slice(0, email.indexOf("@")).slice(0, 100);
  const user = await insertUser(tx, {
    email,
    name,
    passwordHash: null,
    emailVerifiedAt: claims.emailVerified ? new Date() : null,
  });
  const registered = { userId: user.id, email: user.email, name: user.name, roles: user.roles };
  if (claims.emailVerified) {
    emit("users.user.registered", registered);
    emit("users.user.email_verified", { userId: user.id, email: user.email });
    return user;
  }
  const verification = issueLink(deps.sealer, "VERIFY_EMAIL", user.id);
  await replaceEmailToken(tx, {
    userId: user.id,
    purpose: "VERIFY_EMAIL",
    email: user.email,
    tokenHash: verification.tokenHash,
    expiresAt: verification.expiresAt,
  });
  emit("users.user.registered", { ...registered, verification: verification.sealed });
  return user;
}
