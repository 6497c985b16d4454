import type { WindowLimit, WindowLimiter } from "../../common/windowLimiter";
import { insertGuestCart } from "../store/cartStore";
import type { CartView } from "../store/records";
import { newCartToken } from "./cartAccess";
import { showCart } from "./cart";
import type { CatalogViewDependencies } from "./catalogView";

export interface GuestCartDependencies extends CatalogViewDependencies {
  limiter: WindowLimiter;
  /** The client's address (through trusted proxies). */
  clientAddress: string;
  limits: { cartCreations: WindowLimit };
}

/**
 * `cartCreate`: a new, empty guest cart and its token, shown only now. Creation is limited per
 * client, and an unused guest cart expires (a worker deletes it), so anonymous clients cannot
 * fill the database.
 */
export async function createGuestCart(deps: GuestCartDependencies): Promise<{ cart: CartView; cartToken: string }> {
  await deps.limiter.take(deps.limits.cartCreations, deps.clientAddress, "Too many carts created from this client.");
  const { token, hash } = newCartToken();
  const { id } = await insertGuestCart(deps.db, hash);
  return { cart: await showCart(deps, { kind: "guest", cartId: id }), cartToken: token };
}
