import { exportPKCS8, generateKeyPair, jwtVerify, createLocalJWKSet } from "jose";
import { ConfigurationError, parseEnvironment } from "../../common/environment";
import { AccessTokens } from "../auth/accessTokens";
import { signingKeyFromPem } from "../auth/signingKey";
import { usersEnvironment } from "../environment";

describe("the access-token signing key", () => {
  it("is required in production, and the service says so", () => {
    expect(() =>
      parseEnvironment("users", usersEnvironment, {
        NODE_ENV: "production",
        ADMIN_EMAIL: "a@b.co",
        ADMIN_PASSWORD: "long-enough-1",
      }),
    ).toThrow(ConfigurationError);
    try {
      parseEnvironment("users", usersEnvironment, { NODE_ENV: "production" });
    } catch (error) {
      expect((error as ConfigurationError).problems.join("\n")).toMatch(/JWT_PRIVATE_KEY: is required in production/);
      expect((error as ConfigurationError).problems.join("\n")).toMatch(
        /ADMIN_EMAIL and ADMIN_PASSWORD are required in production/,
      );
    }
  });

  it("is read from an Ed25519 PKCS#8 PEM, with its JWK thumbprint as key id", async () => {
    const { privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
    const pem = await exportPKCS8(privateKey);
    const key = await signingKeyFromPem(pem);
    expect(key.kid).toMatch(/^[\w-]{43}$/);
    expect(key.publicJwk).toMatchObject({ kty: "OKP", crv: "Ed25519", alg: "EdDSA", kid: key.kid });
    expect(key.publicJwk).not.toHaveProperty("d");
    // Environment variables often carry PEMs with escaped newlines.
    expect((await signingKeyFromPem(pem.replace(/\n/g, "\\n"))).kid).toBe(key.kid);

    const tokens = new AccessTokens(key, { issuer: "iss", audience: "aud", ttlSeconds: 60 });
    const { accessToken } = await tokens.issue({
      userId: "8d0f5a55-41a8-4c3a-9a8b-0c6f1f0f7b11",
      roles: ["CUSTOMER"],
      sessionId: "5b1f2f0e-9f5e-4d1a-8a59-2f9a6f1d0c11",
    });
    const { payload, protectedHeader } = await jwtVerify(accessToken, createLocalJWKSet(tokens.jwks()), {
      issuer: "iss",
      audience: "aud",
    });
    expect(protectedHeader).toMatchObject({ alg: "EdDSA", kid: key.kid });
    expect(payload).toMatchObject({
      sub: "8d0f5a55-41a8-4c3a-9a8b-0c6f1f0f7b11",
      roles: ["CUSTOMER"],
      sid: "5b1f2f0e-9f5e-4d1a-8a59-2f9a6f1d0c11",
    });
    expect(payload.exp! - payload.iat!).toBe(60);
  });
});
