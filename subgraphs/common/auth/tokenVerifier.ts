import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTVerifyGetKey } from "jose";
import { z } from "zod";
import { UnauthenticatedError } from "../errors";
import { looksLikeApiKey, type ApiKeyRegistry } from "./apiKeys";
import { roles, type Caller } from "./caller";
import { permissions } from "./permissions";
import type { RevocationCheck } from "./sessionRevocations";

/** The only algorithm accepted: tokens are signed with Ed25519 (EdDSA); `none` and HMAC never pass. */
export const accessTokenAlgorithm = "EdDSA";

export interface TokenSettings {
  issuer: string;
  audience: string;
}

const accessTokenClaims = z.object({
  sub: z.uuid(),
  sid: z.uuid(),
  roles: z.array(z.enum(roles)).min(1),
  /** Back-office permissions of the user's staff roles; absent for customers (and older tokens). */
  perms: z.array(z.enum(permissions)).optional(),
});

export interface TokenVerifierOptions extends TokenSettings {
  /** Where public keys come from: the users service's JWKS, or its own key set. */
  keys: JWTVerifyGetKey;
  /** Whether a session has ended: `LocalRevocations` answers from memory, `SessionRevocations` asks Redis. */
  revocations: RevocationCheck;
  /**
   * Verified access tokens kept until they expire, at most so many (the least recently used go
   * first); 0 verifies every time. A kept token is still checked for expiry and revocation.
   */
  cacheEntries?: number;
  /** Where API keys (`Bearer sk_live_...`) are checked: every verifier accepts them. */
  apiKeys: ApiKeyRegistry;
}

/** Verified access tokens each process keeps until they expire (router and subgraphs). */
export const verifiedTokenCacheEntries = 10_000;

export type VerifyAccessToken = (token: string) => Promise<Caller>;

/** Thrown when the key set cannot be fetched: the caller is not at fault. */
export class KeySetUnavailableError extends Error {
  override name = "KeySetUnavailableError";
}

/**
 * Verifies a bearer credential. An access token: signature against the users service's keys,
 * algorithm, issuer, audience, expiry, claims, and that its session has not been revoked. An API
 * key (`sk_live_...`): against the key records the users service publishes (see `apiKeys.ts`).
 */
export function createTokenVerifier(options: TokenVerifierOptions): VerifyAccessToken {
  const verified = new VerifiedTokens(options.cacheEntries ?? 0);
  return async (token) => {
    if (looksLikeApiKey(token)) return options.apiKeys.verify(token);
    const known = verified.get(token);
    if (known) {
      if (await options.revocations.isRevoked(known.sessionId)) {
        throw new UnauthenticatedError("The session has ended: sign in again.");
      }
      return known;
    }
    let payload: unknown;
    try {
      ({ payload } = await jwtVerify(token, options.keys, {
        issuer: options.issuer,
        audience: options.audience,
        algorithms: [accessTokenAlgorithm],
        clockTolerance: 5,
      }));
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired)
        throw new UnauthenticatedError("The access token has expired: refresh the session.");
      if (
        error instanceof joseErrors.JWKSTimeout ||
        (error as { code?: string }).code === "ERR_JOSE_GENERIC" ||
        error instanceof TypeError
      ) {
        throw new KeySetUnavailableError(`cannot fetch the signing keys: ${(error as Error).message}`);
      }
      throw new UnauthenticatedError("The access token is not valid.");
    }
    const claims = accessTokenClaims.safeParse(payload);
    if (!claims.success) throw new UnauthenticatedError("The access token is not valid.");
    if (await options.revocations.isRevoked(claims.data.sid)) {
      throw new UnauthenticatedError("The session has ended: sign in again.");
    }
    const caller: Caller = {
      userId: claims.data.sub,
      sessionId: claims.data.sid,
      roles: claims.data.roles,
      ...(claims.data.perms?.length ? { permissions: claims.data.perms } : {}),
    };
    const expiresAt = (payload as { exp?: unknown }).exp;
    if (typeof expiresAt === "number") verified.set(token, caller, expiresAt * 1000);
    return caller;
  };
}

/**
 * Access tokens whose signature, issuer, audience and claims were verified, with the caller they
 * name, until they expire (without the verification's clock tolerance: a kept token lapses a
 * little early, never late). Least recently used first out when full. A key withdrawn from the
 * key set does not end the tokens kept here before their expiry (minutes); ending a session is
 * what revocation is for, and it is checked on every use.
 */
class VerifiedTokens {
  private readonly entries = new Map<string, { caller: Caller; expiresAtMs: number }>();

  constructor(private readonly maxEntries: number) {}

  get(token: string, nowMs = Date.now()): Caller | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    this.entries.delete(token);
    if (entry.expiresAtMs <= nowMs) return undefined;
    this.entries.set(token, entry);
    return entry.caller;
  }

  set(token: string, caller: Caller, expiresAtMs: number): void {
    if (this.maxEntries <= 0) return;
    this.entries.delete(token);
    this.entries.set(token, { caller, expiresAtMs });
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }
}

/**
 * The users service's public keys over HTTP, cached for ten minutes, and fetched again when a
 * token names an unknown key id (a rotated key), at most once a second so that tokens with
 * made-up key ids cannot flood the users service.
 */
export function remoteKeySet(jwksUrl: string): JWTVerifyGetKey {
  return createRemoteJWKSet(new URL(jwksUrl), {
    cacheMaxAge: 10 * 60 * 1000,
    cooldownDuration: 1_000,
    timeoutDuration: 3_000,
  });
}

/** The token of an `Authorization: Bearer <token>` header; null without the header. */
export function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match?.[1]) throw new UnauthenticatedError("The Authorization header must be `Bearer <access token>`.");
  return match[1];
}
