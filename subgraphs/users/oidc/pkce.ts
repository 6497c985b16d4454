import { createHash, randomBytes } from "node:crypto";

/** A PKCE code verifier (RFC 7636): 43 characters of URL-safe base64 from 256 random bits. */
export function newCodeVerifier(): string {
  return randomBytes(32).toString("base64url");
}

/** The S256 challenge of a verifier, sent with the authorization request. */
export function codeChallengeOf(verifier: string): string {
  return createHash("sha256").update(verifier).digest("base64url");
}
