import { createLocalJWKSet, SignJWT, type JSONWebKeySet, type JWK, type JWTVerifyGetKey } from "jose";
import { randomUUID } from "node:crypto";
import { accessTokenAlgorithm, type TokenSettings } from "../../common/auth/tokenVerifier";
import type { Role } from "../../common/auth/caller";
import type { Permission } from "../../common/auth/permissions";
import type { SigningKey } from "./signingKey";

export interface IssuedAccessToken {
  accessToken: string;
  expiresIn: number;
}

/**
 * Signs short-lived access tokens with the current key, and publishes the public keys that
 * verify them: the current one and, during a rotation, the previous one, so that tokens signed
 * before the rotation keep working until they expire instead of signing everyone out.
 */
export class AccessTokens {
  constructor(
    private readonly key: SigningKey,
    private readonly settings: TokenSettings & { ttlSeconds: number },
    private readonly previousKeys: readonly JWK[] = [],
  ) {}

  get ttlSeconds(): number {
    return this.settings.ttlSeconds;
  }

  /**
   * `permissions` are those of the user's staff roles: a claim (`perms`) every service reads, left
   * out when there are none (customers).
   */
  async issue(subject: {
    userId: string;
    roles: readonly Role[];
    sessionId: string;
    permissions?: readonly Permission[];
  }): Promise<IssuedAccessToken> {
    const claims = {
      roles: [...subject.roles],
      sid: subject.sessionId,
      ...(subject.permissions?.length ? { perms: [...subject.permissions] } : {}),
    };
    const accessToken = await new SignJWT(claims)
      .setProtectedHeader({ alg: accessTokenAlgorithm, kid: this.key.kid, typ: "JWT" })
      .setSubject(subject.userId)
      .setIssuer(this.settings.issuer)
      .setAudience(this.settings.audience)
      .setIssuedAt()
      .setJti(randomUUID())
      .setExpirationTime(`${this.settings.ttlSeconds}s`)
      .sign(this.key.privateKey);
    return { accessToken, expiresIn: this.settings.ttlSeconds };
  }

  /** The JWKS document served at /.well-known/jwks.json. */
  jwks(): JSONWebKeySet {
    return {
      keys: [this.key.publicJwk, ...this.previousKeys.filter((previous) => previous.kid !== this.key.kid)],
    };
  }

  /** The same keys, for the users service's own verification (no HTTP round trip to itself). */
  verificationKeys(): JWTVerifyGetKey {
    return createLocalJWKSet(this.jwks());
  }
}
