import { NotFoundError } from "../../../common/errors";
import { countryCode } from "../../../common/postalAddress";
import { optionalText, requiredId } from "../../../common/validation";
import { findCartChoices, saveCartChoices } from "../../store/cartChoiceStore";
import type { CartOwner } from "../../store/cartStore";
import type { CartView } from "../../store/records";
import { cartBuyerKey } from "./buyerKey";
import { showCart } from "../cart";
import { viewVariants, type CatalogViewDependencies } from "../catalogView";
import { pricingLineOf } from "../orderLines";
import { DiscountCodeRejectedError, priceWithShopConfiguration, validateCodes } from "./checkoutPricing";
import type { Destination, PricedCheckout } from "./pricingTypes";

/** A destination as a client sends it (DestinationInput). */
export function validateDestinationInput(
  input: { country: string; region?: string | null } | null | undefined,
  field = "destination",
): Destination | null {
  if (!input) return null;
  return {
    country: countryCode(input.country, `${field}.country`),
    region: optionalText(input.region, `${field}.region`, 100),
  };
}

/** Where a cart ships when no destination is given: its buyer identity's shipping address, if any. */
export function cartDestination(cart: CartView, given: Destination | null): Destination | null {
  if (given) return given;
  const address = cart.buyer.shippingAddress;
  return address ? { country: address.country, region: address.region ?? null } : null;
}

/**
 * Prices a cart as it is now, with its codes and shipping method, at a destination: the one
 * given, else its buyer identity's shipping address (none: no shipping and no tax yet). Codes
 * that no longer apply are left out (the priced result lists them as rejected); a method no
 * longer offered falls back to the cheapest. Per-customer limits count the cart's buyer: its
 * customer, or a guest by the email of its buyer identity.
 */
export async function priceCart(
  deps: CatalogViewDependencies,
  cart: CartView,
  destination: Destination | null,
  override: { discountCodes?: string[] } = {},
): Promise<PricedCheckout> {
  const views = await viewVariants(
    deps,
    cart.items.map((item) => item.variantId),
    { availability: false },
  );
  const lines = cart.items.flatMap((item) => {
    const view = views.get(item.variantId);
    return view ? [pricingLineOf(item.id, view, item.quantity, item.unitPriceMinor)] : [];
  });
  const choices = await findCartChoices(deps.db, cart.id);
  const request = {
    currency: cart.currency,
    lines,
    destination: cartDestination(cart, destination),
    shippingMethodId: choices.shippingMethodId,
    codes: override.discountCodes ?? choices.discountCodes,
    buyerKey: cartBuyerKey(cart),
  };
  const priced = await priceWithShopConfiguration(deps.db, request);
  // A method chosen earlier that is not offered here: price the cheapest instead.
  if (!priced.shippingMethodAvailable)
    return priceWithShopConfiguration(deps.db, { ...request, shippingMethodId: null });
  return priced;
}

/** Sets the cart's discount codes; each must apply to the cart now (BAD_USER_INPUT on `codes` with its reason). */
export async function updateCartDiscountCodes(
  deps: CatalogViewDependencies,
  owner: CartOwner,
  codes: readonly string[],
): Promise<CartView> {
  const wanted = validateCodes(codes, "codes");
  const cart = await showCart(deps, owner);
  const priced = await priceCart(deps, cart, null, { discountCodes: wanted });
  const [rejected] = priced.rejectedCodes;
  if (rejected) throw new DiscountCodeRejectedError(rejected.message, "codes", rejected.code, rejected.reason);
  await saveCartChoices(deps.db, cart.id, { discountCodes: [...new Set(wanted)] });
  return cart;
}

/** Chooses the cart's shipping method (null: the cheapest); NOT_FOUND for a method that does not exist. */
export async function selectCartShippingMethod(
  deps: CatalogViewDependencies,
  owner: CartOwner,
  shippingMethodId: string | null | undefined,
): Promise<CartView> {
  const id = shippingMethodId ? requiredId(shippingMethodId, "shippingMethodId") : null;
  if (id && !(await deps.db.shippingMethod.findUnique({ where: { id }, select: { id: true } })))
    throw new NotFoundError("No shipping method has this id.", "shippingMethodId");
  const cart = await showCart(deps, owner);
  await saveCartChoices(deps.db, cart.id, { shippingMethodId: id });
  return cart;
}
