import { createLocalJWKSet, SignJWT, type JSONWebKeySet, type JWTVerifyGetKey } from "jose";
import { randomUUID } from "node:crypto";
import { accessTokenAlgorithm, type TokenSettings } from "../../common/auth/tokenVerifier";
import type { Role } from "../../common/auth/caller";
import type { SigningKey } from "./signingKey";

export interface IssuedAccessToken {
  accessToken: string;
  expiresIn: number;
}

/** Signs short-lived access tokens and publishes the public keys that verify them. */
export class AccessTokens {
  constructor(
    private readonly key: SigningKey,
    private readonly settings: TokenSettings & { ttlSeconds: number },
  ) {}

  get ttlSeconds(): number {
    return this.settings.ttlSeconds;
  }

  async issue(subject: { userId: string; roles: readonly Role[]; sessionId: string }): Promise<IssuedAccessToken> {
    const accessToken = await new SignJWT({ roles: [...subject.roles], sid: subject.sessionId })
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
    return { keys: [this.key.publicJwk] };
  }

  /** The same keys, for the users service's own verification (no HTTP round trip to itself). */
  verificationKeys(): JWTVerifyGetKey {
    return createLocalJWKSet(this.jwks());
  }
}
