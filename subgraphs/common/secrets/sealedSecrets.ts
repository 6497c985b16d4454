import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { z } from "zod";

/**
 * Secrets that travel from the users service to the notifications service (a password-reset
 * token, an email-verification token) are sealed with AES-256-GCM under a key only those two
 * services hold (SECRET_SEALING_KEY). The outbox, NATS, dead letters and the notifications
 * database then carry only ciphertext; the notifications service opens it at the moment it hands
 * the email to the transport, and nothing else ever sees the token.
 *
 * A sealed secret reads `v1.<key id>.<iv>.<ciphertext>.<tag>` (base64url). The key id (the first
 * bytes of the key's SHA-256) says which key sealed it, so a secret sealed under another key is
 * refused with a clear reason rather than as corrupt; the header is authenticated with the rest.
 */

/**
 * What a sealed secret is for: a link's purpose decides the page of the storefront it opens;
 * VERIFY_PHONE is a code texted to a new mobile number.
 */
export const secretPurposes = ["PASSWORD_RESET", "VERIFY_EMAIL", "CHANGE_EMAIL", "VERIFY_PHONE"] as const;
export type SecretPurpose = (typeof secretPurposes)[number];

/** What is sealed: the token, for whom and what, and until when it is any use. */
export interface SecretPayload {
  purpose: SecretPurpose;
  userId: string;
  token: string;
  expiresAt: Date;
}

const version = "v1";
const sealedPattern = /^v1\.[\w-]{11}\.[\w-]{16}\.[\w-]+\.[\w-]{22}$/;

const payloadSchema = z.object({
  p: z.enum(secretPurposes),
  u: z.string(),
  t: z.string(),
  e: z.number().int(),
});

/** Why a sealed secret cannot be used; the message never contains any part of the secret. */
export class UnusableSecretError extends Error {
  override name = "UnusableSecretError";
}

/**
 * The development key, used only outside production when SECRET_SEALING_KEY is unset. It is
 * public (it is in this file), which is why production refuses it.
 */
export const developmentSealingKey = createHash("sha256").update("commerce development secret sealing key").digest();

function decodeKey(value: string): Buffer | null {
  const text = value.trim();
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, "hex");
  const bytes = Buffer.from(text, "base64");
  return bytes.length === 32 ? bytes : null;
}

/**
 * The SECRET_SEALING_KEY setting: 32 random bytes, base64 (`openssl rand -base64 32`) or hex.
 * Unset means the development key; each service's environment refuses that in production.
 */
export const sealingKeySetting = z
  .string()
  .optional()
  .transform((value, context) => {
    if (value === undefined) return undefined;
    const key = decodeKey(value);
    if (!key) {
      context.addIssue({ code: "custom", message: "must be 32 bytes, base64 (openssl rand -base64 32) or hex" });
      return z.NEVER;
    }
    return key;
  });

/** Adds the production rule for SECRET_SEALING_KEY to a service environment's refinement. */
export function requireSealingKeyInProduction(
  settings: { NODE_ENV: string; SECRET_SEALING_KEY?: Buffer | undefined },
  context: z.RefinementCtx,
): void {
  if (settings.NODE_ENV !== "production") return;
  if (!settings.SECRET_SEALING_KEY || settings.SECRET_SEALING_KEY.equals(developmentSealingKey)) {
    context.addIssue({
      code: "custom",
      path: ["SECRET_SEALING_KEY"],
      message:
        "is required in production, the same in the users and notifications services: 32 random bytes (openssl rand -base64 32)",
    });
  }
}

/** Seals and opens secrets under one key. */
export class SecretSealer {
  private readonly keyId: string;

  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error("a sealing key is 32 bytes");
    this.keyId = createHash("sha256").update(key).digest().subarray(0, 8).toString("base64url");
  }

  /** The sealer of a service's environment: its key, or the development key when none is set. */
  static fromSetting(key: Buffer | undefined): SecretSealer {
    return new SecretSealer(key ?? developmentSealingKey);
  }

  seal(payload: SecretPayload): string {
    const iv = randomBytes(12);
    const header = `${version}.${this.keyId}`;
    const cipher = createCipheriv("aes-256-gcm", this.key, iv);
    cipher.setAAD(Buffer.from(header));
    const plaintext = JSON.stringify({
      p: payload.purpose,
      u: payload.userId,
      t: payload.token,
      e: payload.expiresAt.getTime(),
    });
    const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    return [
      header,
      iv.toString("base64url"),
      ciphertext.toString("base64url"),
      cipher.getAuthTag().toString("base64url"),
    ].join(".");
  }

  /**
   * Opens a sealed secret; throws UnusableSecretError when it is malformed, sealed under another
   * key, tampered with, or expired (`now` past its expiry).
   */
  open(sealed: string, now: Date = new Date()): SecretPayload {
    if (!sealedPattern.test(sealed)) throw new UnusableSecretError("the sealed secret is malformed");
    const [, keyId, iv, ciphertext, tag] = sealed.split(".") as [string, string, string, string, string];
    if (keyId !== this.keyId) {
      throw new UnusableSecretError("the secret was sealed under another key (SECRET_SEALING_KEY differs)");
    }
    let plaintext: string;
    try {
      const decipher = createDecipheriv("aes-256-gcm", this.key, Buffer.from(iv, "base64url"));
      decipher.setAAD(Buffer.from(`${version}.${keyId}`));
      decipher.setAuthTag(Buffer.from(tag, "base64url"));
      plaintext = Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64url")), decipher.final()]).toString(
        "utf8",
      );
    } catch {
      throw new UnusableSecretError("the sealed secret does not authenticate");
    }
    const parsed = payloadSchema.safeParse(JSON.parse(plaintext));
    if (!parsed.success) throw new UnusableSecretError("the sealed secret holds no known payload");
    const payload = {
      purpose: parsed.data.p,
      userId: parsed.data.u,
      token: parsed.data.t,
      expiresAt: new Date(parsed.data.e),
    };
    if (payload.expiresAt.getTime() <= now.getTime())
      throw new UnusableSecretError("the link expired before it was sent");
    return payload;
  }
}
