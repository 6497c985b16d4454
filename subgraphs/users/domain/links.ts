import type { SecretPurpose, SecretSealer } from "../../common/secrets/sealedSecrets";
import { newOpaqueToken, tokenHash } from "./secrets";

/** How long each kind of mailed link (or texted code) works. */
export const linkLifetimeMs: Record<SecretPurpose, number> = {
  PASSWORD_RESET: 60 * 60 * 1000,
  VERIFY_EMAIL: 24 * 60 * 60 * 1000,
  CHANGE_EMAIL: 24 * 60 * 60 * 1000,
  VERIFY_PHONE: 10 * 60 * 1000,
};

/** A new mailed link: the hash to store, and the token sealed for the event that mails it. */
export interface IssuedLink {
  tokenHash: string;
  expiresAt: Date;
  /** For the event's `link`: only ciphertext leaves the users service. */
  sealed: { sealed: string; expiresAt: string };
}

/**
 * Makes a single-use token for a link of `purpose`. The token itself exists only in memory here
 * and, sealed, in the event: the database keeps its hash, and only the notifications service can
 * open the seal, when it hands the email to the transport.
 */
export function issueLink(sealer: SecretSealer, purpose: SecretPurpose, userId: string): IssuedLink {
  const token = newOpaqueToken();
  const expiresAt = new Date(Date.now() + linkLifetimeMs[purpose]);
  return {
    tokenHash: tokenHash(token),
    expiresAt,
    sealed: { sealed: sealer.seal({ purpose, userId, token, expiresAt }), expiresAt: expiresAt.toISOString() },
  };
}
