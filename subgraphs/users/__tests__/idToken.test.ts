import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type JWTPayload, type KeyLike } from "jose";
import { acceptedAlgorithms, IdTokenRejectedError, verifyIdToken } from "../oidc/idToken";

describe("verifying an ID token", () => {
  const issuer = "https://idp.example";
  const clientId = "commerce";
  const nonce = "n-0S6_WzA2Mj";
  let key: KeyLike;
  let otherKey: KeyLike;
  let keys: ReturnType<typeof createLocalJWKSet>;

  beforeAll(async () => {
    const pair = await generateKeyPair("RS256");
    key = pair.privateKey;
    otherKey = (await generateKeyPair("RS256")).privateKey;
    keys = createLocalJWKSet({ keys: [{ ...(await exportJWK(pair.publicKey)), kid: "k1", alg: "RS256" }] });
  });

  const token = (claims: JWTPayload, options: { signer?: KeyLike; expiresIn?: string } = {}) =>
    new SignJWT({ nonce, email: "Ada@Example.com", email_verified: true, ...claims })
      .setProtectedHeader({ alg: "RS256", kid: "k1" })
      .setIssuer((claims.iss as string) ?? issuer)
      .setAudience((claims.aud as string | string[]) ?? clientId)
      .setSubject((claims.sub as string) ?? "248289761001")
      .setIssuedAt()
      .setExpirationTime(options.expiresIn ?? "5m")
      .sign(options.signer ?? key);
  const verify = async (idToken: string) =>
    verifyIdToken(idToken, { issuer, clientId, nonce, algorithms: ["RS256"], keys });

  it("reads the subject and the claims of a good token", async () => {
    expect(await verify(await token({}))).toEqual({
      subject: "248289761001",
      email: "ada@example.com",
      emailVerified: true,
      name: null,
    });
    expect((await verify(await token({ email_verified: "true" }))).emailVerified).toBe(true);
    expect((await verify(await token({ email_verified: undefined }))).emailVerified).toBe(false);
  });

  it.each([
    ["another issuer", { iss: "https://evil.example" }],
    ["another audience", { aud: "someone-else" }],
    ["another nonce", { nonce: "replayed" }],
    ["several audiences without azp", { aud: [clientId, "other"] }],
    ["an azp of another client", { azp: "other" }],
  ])("refuses %s", async (_what, claims) => {
    await expect(verify(await token(claims as JWTPayload))).rejects.toThrow(IdTokenRejectedError);
  });

  it("refuses an expired token, one signed by another key, and an unsigned one", async () => {
    await expect(verify(await token({}, { expiresIn: "-5m" }))).rejects.toThrow(IdTokenRejectedError);
    await expect(verify(await token({}, { signer: otherKey }))).rejects.toThrow(IdTokenRejectedError);
    const [header, payload] = (await token({})).split(".");
    const none = `${Buffer.from(JSON.stringify({ alg: "none" })).toString("base64url")}.${payload}.`;
    await expect(verify(none)).rejects.toThrow(IdTokenRejectedError);
    expect(header).toBeTruthy();
  });

  it("accepts only asymmetric algorithms the provider announces", () => {
    expect(acceptedAlgorithms(["none", "HS256", "RS256", "ES256"])).toEqual(["RS256", "ES256"]);
    expect(acceptedAlgorithms(undefined)).toEqual(["RS256"]);
  });
});
