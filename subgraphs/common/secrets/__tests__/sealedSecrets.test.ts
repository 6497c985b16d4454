import { randomBytes } from "node:crypto";
import { z } from "zod";
import {
  developmentSealingKey,
  requireSealingKeyInProduction,
  SecretSealer,
  sealingKeySetting,
  UnusableSecretError,
} from "../sealedSecrets";

const userId = "8d0f5a55-41a8-4c3a-9a8b-0c6f1f0f7b11";
const inAnHour = () => new Date(Date.now() + 3_600_000);

describe("sealed secrets (AES-256-GCM)", () => {
  const sealer = new SecretSealer(randomBytes(32));

  it("opens what it sealed, and the sealed text holds nothing of the token", () => {
    const token = "a-reset-token-nobody-may-read-0123456789";
    const expiresAt = inAnHour();
    const sealed = sealer.seal({ purpose: "PASSWORD_RESET", userId, token, expiresAt });
    expect(sealed).toMatch(/^v1\./);
    expect(sealed).not.toContain(token);
    expect(Buffer.from(sealed.split(".")[3]!, "base64url").toString("latin1")).not.toContain(token);
    expect(sealer.open(sealed)).toEqual({ purpose: "PASSWORD_RESET", userId, token, expiresAt });
    // A fresh IV every time: two seals of one secret differ.
    expect(sealer.seal({ purpose: "PASSWORD_RESET", userId, token, expiresAt })).not.toBe(sealed);
  });

  it("refuses a secret sealed under another key, tampered with, malformed or expired", () => {
    const sealed = sealer.seal({ purpose: "VERIFY_EMAIL", userId, token: "t".repeat(43), expiresAt: inAnHour() });
    expect(() => new SecretSealer(randomBytes(32)).open(sealed)).toThrow(/another key/);
    const parts = sealed.split(".");
    const flipped = Buffer.from(parts[3]!, "base64url");
    flipped[0] = flipped[0]! ^ 1;
    parts[3] = flipped.toString("base64url");
    expect(() => sealer.open(parts.join("."))).toThrow(/does not authenticate/);
    expect(() => sealer.open("v1.garbage")).toThrow(UnusableSecretError);
    const expired = sealer.seal({ purpose: "VERIFY_EMAIL", userId, token: "t", expiresAt: new Date(Date.now() - 1) });
    expect(() => sealer.open(expired)).toThrow(/expired/);
  });

  it("reads the key as base64 or hex, refuses anything else, and requires a real key in production", () => {
    const environment = z
      .object({ NODE_ENV: z.string(), SECRET_SEALING_KEY: sealingKeySetting })
      .superRefine(requireSealingKeyInProduction);
    const key = randomBytes(32);
    expect(
      environment.parse({ NODE_ENV: "production", SECRET_SEALING_KEY: key.toString("base64") }).SECRET_SEALING_KEY,
    ).toEqual(key);
    expect(environment.parse({ NODE_ENV: "test", SECRET_SEALING_KEY: key.toString("hex") }).SECRET_SEALING_KEY).toEqual(
      key,
    );
    expect(
      environment.safeParse({ NODE_ENV: "test", SECRET_SEALING_KEY: "too-short" }).error?.issues[0]?.message,
    ).toMatch(/32 bytes/);
    expect(environment.parse({ NODE_ENV: "development" }).SECRET_SEALING_KEY).toBeUndefined();
    expect(environment.safeParse({ NODE_ENV: "production" }).error?.issues[0]?.path).toEqual(["SECRET_SEALING_KEY"]);
    expect(
      environment.safeParse({ NODE_ENV: "production", SECRET_SEALING_KEY: developmentSealingKey.toString("base64") })
        .success,
    ).toBe(false);
  });
});
