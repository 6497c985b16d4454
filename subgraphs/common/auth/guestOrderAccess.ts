import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * A guest's access to their own order's payment (3-D Secure needs its `nextAction`): a short-lived
 * token the orders service answers once, in `placeGuestOrder`'s answer, and the payments service
 * checks beside the payment (`Order.payment(accessToken:)`). Nothing is stored: the token is an
 * HMAC-SHA256 of the order id and an expiry, keyed with a key derived from the secret every
 * subgraph already shares (ROUTER_SIGNING_SECRET, refused in production when left at its
 * development value), for this purpose only, so a router signature and an access token can never
 * stand for each other. A token opens one order, until it expires; another order's does not.
 *
 * Token: `ga1.<expiry, unix seconds>.<base64url HMAC of "<order id>.<expiry>">` (about 60 characters).
 */
export interface GuestOrderAccessKeys {
  /** ROUTER_SIGNING_SECRET. */
  secret: string;
  /** ROUTER_SIGNING_SECRET_PREVIOUS: tokens signed before a rotation still open their order until they expire. */
  previousSecret?: string | undefined;
}

const version = "ga1";
const tokenPattern = /^ga1\.(\d{1,12})\.([\w-]{43})$/;

function derivedKey(secret: string): Buffer {
  return createHmac("sha256", secret).update("guest-order-access-token:v1").digest();
}

function signature(secret: string, orderId: string, expiresAtSeconds: number): Buffer {
  return createHmac("sha256", derivedKey(secret)).update(`${orderId}.${expiresAtSeconds}`).digest();
}

/** The token that opens `orderId`'s payment until `expiresAt`. */
export function issueGuestOrderAccessToken(keys: GuestOrderAccessKeys, orderId: string, expiresAt: Date): string {
  const expiresAtSeconds = Math.floor(expiresAt.getTime() / 1000);
  return `${version}.${expiresAtSeconds}.${signature(keys.secret, orderId, expiresAtSeconds).toString("base64url")}`;
}

/** Why a token does not open an order, for tests and logs (the client is told one thing for all). */
export type GuestOrderAccessProblem = "malformed" | "expired" | "mismatch";

/** Checks `token` for `orderId`; null when it opens the order now. */
export function guestOrderAccessProblem(
  keys: GuestOrderAccessKeys,
  token: string,
  orderId: string,
  now: Date = new Date(),
): GuestOrderAccessProblem | null {
  const match = tokenPattern.exec(token);
  if (!match) return "malformed";
  const expiresAtSeconds = Number(match[1]);
  const given = Buffer.from(match[2]!, "base64url");
  const secrets = [keys.secret, keys.previousSecret].filter((each): each is string => !!each);
  if (!secrets.some((secret) => timingSafeEqual(signature(secret, orderId, expiresAtSeconds), given))) {
    return "mismatch";
  }
  return expiresAtSeconds * 1000 <= now.getTime() ? "expired" : null;
}
