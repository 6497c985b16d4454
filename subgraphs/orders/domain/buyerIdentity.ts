import { validatePostalAddress } from "../../common/postalAddress";
import { emailAddress, optionalText } from "../../common/validation";
import { lockedCart, touchCart, updateBuyerIdentity, type BuyerIdentity, type CartOwner } from "../store/cartStore";
import type { CartView, ShippingAddressSnapshot } from "../store/records";
import { cartGone } from "./cartAccess";
import { showCart } from "./cart";
import type { CatalogViewDependencies } from "./catalogView";

/** An address as a client sends it (ShippingAddressInput). */
export type AddressFields = ShippingAddressSnapshot;

/** Checks an address; every error names its field under `prefix` (`buyerIdentity.shippingAddress.`). */
export function validAddress(address: AddressFields, prefix: string): ShippingAddressSnapshot {
  return { name: optionalText(address.name, `${prefix}name`, 100), ...validatePostalAddress(address, prefix) };
}

/** The buyer identity fields given, checked: undefined keeps a field, null clears it. */
export function validBuyerIdentity(
  input: { email?: string | null; shippingAddress?: AddressFields | null; billingAddress?: AddressFields | null },
  prefix: string,
): { [K in keyof BuyerIdentity]?: BuyerIdentity[K] } {
  const address = (value: AddressFields | null | undefined, field: string) =>
    value === undefined ? undefined : value === null ? null : validAddress(value, `${prefix}${field}.`);
  return {
    email:
      input.email === undefined ? undefined : input.email === null ? null : emailAddress(input.email, `${prefix}email`),
    shippingAddress: address(input.shippingAddress, "shippingAddress"),
    billingAddress: address(input.billingAddress, "billingAddress"),
  };
}

/** `cartBuyerIdentityUpdate`: sets who buys from the cart. */
export async function updateCartBuyerIdentity(
  deps: CatalogViewDependencies,
  owner: CartOwner,
  input: Parameters<typeof validBuyerIdentity>[0],
): Promise<CartView> {
  const identity = validBuyerIdentity(input, "buyerIdentity.");
  await deps.unitOfWork(async (tx) => {
    const cart = await lockedCart(tx, owner);
    if (!cart) throw cartGone();
    await updateBuyerIdentity(tx, cart.id, identity);
    await touchCart(tx, cart.id);
  });
  return showCart(deps, owner);
}
