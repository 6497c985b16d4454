import { createHash, randomBytes } from "node:crypto";
import { requireCaller } from "../../common/auth/guards";
import type { Caller } from "../../common/auth/caller";
import { NotFoundError } from "../../common/errors";
import { requiredText } from "../../common/validation";
import { findGuestCartId, type CartOwner } from "../store/cartStore";
import type { OrdersReader } from "../store/database";

/**
 * A guest cart's secret: 256 random bits, base64url. Only its SHA-256 is stored, so the database
 * alone cannot address a cart, and the look-up by hash is an index probe on a value an attacker
 * cannot choose the bytes of (no timing side channel on the secret itself).
 */
export function newCartToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString("base64url");
  return { token, hash: cartTokenHash(token) };
}

export function cartTokenHash(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

const unknownCart = (field: string) => new NotFoundError("No cart has this token, or it expired.", field);

/** The live guest cart a token addresses; NOT_FOUND naming `field` when none does. */
export async function guestCartOwner(db: OrdersReader, token: string, field = "cartToken"): Promise<CartOwner> {
  const checked = requiredText(token, field, { max: 200 });
  const cartId = await findGuestCartId(db, cartTokenHash(checked));
  if (!cartId) throw unknownCart(field);
  return { kind: "guest", cartId };
}

/** The cart an operation addresses: the guest cart of `cartToken`, else the signed-in customer's (UNAUTHENTICATED when signed out). */
export function cartOwnerOf(
  db: OrdersReader,
  caller: Caller | null | undefined,
  cartToken: string | null | undefined,
  field = "cartToken",
): Promise<CartOwner> {
  if (cartToken !== null && cartToken !== undefined) return guestCartOwner(db, cartToken, field);
  return Promise.resolve({ kind: "customer", customerId: requireCaller(caller).userId });
}

/** Thrown when a guest cart vanished (expired, merged, deleted) between its look-up and its lock. */
export function cartGone(): NotFoundError {
  return unknownCart("cartToken");
}
