import { createHash, randomBytes } from "node:crypto";

/** An unguessable token for a client to hold (256 bits, URL-safe). */
export function newOpaqueToken(): string {
  return randomBytes(32).toString("base64url");
}

/** How tokens are stored: only their SHA-256, so a leaked table grants nothing. */
export function tokenHash(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}
