import { errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from "jose";

/** What the users service takes from a verified ID token (and, for missing claims, the UserInfo answer). */
export interface IdentityClaims {
  subject: string;
  email: string | null;
  /** Only the provider's own `email_verified: true` counts. */
  emailVerified: boolean;
  name: string | null;
}

/** Why an ID token was refused: it must not sign anyone in. The reason is for the log. */
export class IdTokenRejectedError extends Error {
  override name = "IdTokenRejectedError";
}

/** Algorithms an ID token may be signed with: asymmetric only (never `none`, never a shared-secret HMAC). */
const asymmetricAlgorithms = new Set([
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
]);

/** The algorithms to accept: those the provider announces that are asymmetric; RS256 when it announces none. */
export function acceptedAlgorithms(announced: readonly string[] | undefined): string[] {
  const accepted = (announced ?? ["RS256"]).filter((algorithm) => asymmetricAlgorithms.has(algorithm));
  return accepted.length > 0 ? accepted : ["RS256"];
}

export interface IdTokenExpectations {
  issuer: string;
  clientId: string;
  nonce: string;
  algorithms: string[];
  keys: JWTVerifyGetKey;
}

/** `email_verified` is a boolean in the specification; a few providers send the string "true". */
function isTrue(value: unknown): boolean {
  return value === true || value === "true";
}

function optionalString(value: unknown, max: number): string | null {
  return typeof value === "string" && value.trim() ? value.trim().slice(0, max) : null;
}

/** The claims the users service reads from an ID token or a UserInfo answer. */
export function identityClaims(payload: JWTPayload): Omit<IdentityClaims, "subject"> {
  return {
    email: optionalString(payload.email, 320)?.toLowerCase() ?? null,
    emailVerified: isTrue(payload.email_verified),
    name: optionalString(payload.name, 100),
  };
}

/**
 * Verifies an ID token as OpenID Connect Core 3.1.3.7 asks of a confidential client: signed by one
 * of the issuer's keys with an expected algorithm, issued by the issuer, for this client (and, when
 * it names several audiences, authorized for this client), not expired, and carrying the nonce
 * this sign-in sent, which ties it to the browser that started it.
 */
export async function verifyIdToken(idToken: string, expected: IdTokenExpectations): Promise<IdentityClaims> {
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(idToken, expected.keys, {
      issuer: expected.issuer,
      audience: expected.clientId,
      algorithms: expected.algorithms,
      requiredClaims: ["sub", "iat", "exp"],
      clockTolerance: 30,
    }));
  } catch (error) {
    if (error instanceof errors.JOSEError) throw new IdTokenRejectedError(`${error.code}: ${error.message}`);
    throw error;
  }
  const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  if ((audiences.length > 1 || payload.azp !== undefined) && payload.azp !== expected.clientId) {
    throw new IdTokenRejectedError("the ID token is authorized for another client (azp)");
  }
  if (payload.nonce !== expected.nonce) throw new IdTokenRejectedError("the ID token carries another nonce");
  if (typeof payload.sub !== "string" || !payload.sub || payload.sub.length > 255) {
    throw new IdTokenRejectedError("the ID token has no usable subject");
  }
  return { subject: payload.sub, ...identityClaims(payload) };
}
