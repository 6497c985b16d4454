import { createHash } from "node:crypto";
import { BadUserInputError } from "../../common/errors";
import { validatePostalAddress } from "../../common/postalAddress";
import { boundedInt, emailAddress, optionalText, requiredId, requiredText } from "../../common/validation";
import type { BuyerIdentity } from "../store/cartStore";
import type { ShippingAddressSnapshot } from "../store/records";
import { validAddress } from "./buyerIdentity";
import { maxQuantityPerLine } from "./cart";
import { checkTarget, type LineTarget } from "./lineTarget";
import { validateCodes } from "./pricing/checkoutPricing";

/** A checkout request as a client sends it (PlaceOrderInput). */
export interface PlaceOrderFields {
  idempotencyKey: string;
  items?: ReadonlyArray<{ productId?: string | null; variantId?: string | null; quantity: number }> | null;
  shippingAddressId?: string | null;
  shippingAddress?: ShippingAddressSnapshot | null;
  paymentToken?: string | null;
  paymentMethodId?: string | null;
  shippingMethodId?: string | null;
  discountCodes?: readonly string[] | null;
}

export interface CheckoutRequest {
  idempotencyKey: string;
  /** Null: check out the cart. */
  items: Array<{ target: LineTarget; quantity: number }> | null;
  shippingAddressId: string | null;
  shippingAddress: ShippingAddressSnapshot | null;
  /** How the customer pays: the provider's token of a card, or one of their saved methods (exactly one). */
  paymentToken: string | null;
  paymentMethodId: string | null;
  /** Where the bill goes; null when it is the shipping address. */
  billingAddress: ShippingAddressSnapshot | null;
  /** The shipping method chosen; null: the cart's choice, else the cheapest. */
  shippingMethodId: string | null;
  /** Codes given (upper case); null: the cart's codes. */
  discountCodes: string[] | null;
  /** Identifies the request as sent, for idempotency: the same key with another request is refused. */
  hash: string;
}

export const maxOrderLines = 50;

export function validateCheckout(input: PlaceOrderFields): CheckoutRequest {
  const idempotencyKey = requiredText(input.idempotencyKey, "idempotencyKey", { max: 100 });
  let items: CheckoutRequest["items"] = null;
  if (input.items !== null && input.items !== undefined) {
    if (input.items.length === 0)
      throw new BadUserInputError("Give at least one item, or leave `items` out to check out the cart.", "items");
    if (input.items.length > maxOrderLines)
      throw new BadUserInputError(`An order has at most ${maxOrderLines} lines.`, "items");
    items = input.items.map((item, index) => ({
      target: checkTarget(item, `items.${index}.`),
      quantity: boundedInt(item.quantity, `items.${index}.quantity`, { min: 1, max: maxQuantityPerLine }),
    }));
  }
  const hasId = input.shippingAddressId !== null && input.shippingAddressId !== undefined;
  const hasAddress = input.shippingAddress !== null && input.shippingAddress !== undefined;
  if (hasId === hasAddress)
    throw new BadUserInputError("Give exactly one of `shippingAddressId` and `shippingAddress`.", "shippingAddress");
  const address = input.shippingAddress;
  const shippingAddress = address
    ? {
        name: optionalText(address.name, "shippingAddress.name", 100),
        ...validatePostalAddress(address, "shippingAddress."),
      }
    : null;
  const shippingAddressId = hasId ? requiredId(input.shippingAddressId!, "shippingAddressId") : null;
  const hasToken = input.paymentToken !== null && input.paymentToken !== undefined;
  const hasMethod = input.paymentMethodId !== null && input.paymentMethodId !== undefined;
  if (hasToken === hasMethod)
    throw new BadUserInputError("Give exactly one of `paymentToken` and `paymentMethodId`.", "paymentToken");
  const paymentToken = hasToken ? requiredText(input.paymentToken!, "paymentToken", { max: 100 }) : null;
  const paymentMethodId = hasMethod ? requiredId(input.paymentMethodId!, "paymentMethodId") : null;
  const shippingMethodId = input.shippingMethodId ? requiredId(input.shippingMethodId, "shippingMethodId") : null;
  const discountCodes =
    input.discountCodes === null || input.discountCodes === undefined
      ? null
      : validateCodes(input.discountCodes, "discountCodes");
  // A request that names products hashes as before variants existed, and one with a token as
  // before saved methods existed, so a retry keeps its key.
  const hashedItems =
    items?.map(({ target, quantity }) =>
      target.kind === "product" ? { productId: target.id, quantity } : { variantId: target.id, quantity },
    ) ?? null;
  const hash = createHash("sha256")
    .update(
      JSON.stringify({
        items: hashedItems,
        shippingAddressId,
        shippingAddress,
        paymentToken,
        ...(paymentMethodId ? { paymentMethodId } : {}),
        // Absent from requests made before pricing existed, so their retries keep their key.
        ...(shippingMethodId ? { shippingMethodId } : {}),
        ...(discountCodes ? { discountCodes } : {}),
      }),
    )
    .digest("hex");
  return {
    idempotencyKey,
    items,
    shippingAddressId,
    shippingAddress,
    paymentToken,
    paymentMethodId,
    billingAddress: null,
    shippingMethodId,
    discountCodes,
    hash,
  };
}

/** A guest checkout as a client sends it (PlaceGuestOrderInput). */
export interface PlaceGuestOrderFields {
  cartToken: string;
  idempotencyKey: string;
  email?: string | null;
  shippingAddress?: ShippingAddressSnapshot | null;
  billingAddress?: ShippingAddressSnapshot | null;
  paymentToken: string;
  shippingMethodId?: string | null;
  discountCodes?: readonly string[] | null;
}

/** A guest checkout, checked: the cart's buyer identity fills what the input leaves out. */
export interface GuestCheckoutRequest extends CheckoutRequest {
  email: string;
  shippingAddress: ShippingAddressSnapshot;
}

export function validateGuestCheckout(input: PlaceGuestOrderFields, cart: BuyerIdentity): GuestCheckoutRequest {
  const idempotencyKey = requiredText(input.idempotencyKey, "idempotencyKey", { max: 100 });
  const email = input.email
    ? emailAddress(input.email, "email")
    : (cart.email ?? missing("Give the email the confirmation goes to.", "email"));
  const shippingAddress = input.shippingAddress
    ? validAddress(input.shippingAddress, "shippingAddress.")
    : (cart.shippingAddress ?? missing("Give the address the order ships to.", "shippingAddress"));
  const billingAddress = input.billingAddress
    ? validAddress(input.billingAddress, "billingAddress.")
    : cart.billingAddress;
  const paymentToken = requiredText(input.paymentToken, "paymentToken", { max: 100 });
  const shippingMethodId = input.shippingMethodId ? requiredId(input.shippingMethodId, "shippingMethodId") : null;
  const discountCodes =
    input.discountCodes === null || input.discountCodes === undefined
      ? null
      : validateCodes(input.discountCodes, "discountCodes");
  const hash = createHash("sha256")
    .update(
      JSON.stringify({
        guest: true,
        email,
        shippingAddress,
        billingAddress,
        paymentToken,
        ...(shippingMethodId ? { shippingMethodId } : {}),
        ...(discountCodes ? { discountCodes } : {}),
      }),
    )
    .digest("hex");
  return {
    idempotencyKey,
    items: null,
    shippingAddressId: null,
    shippingAddress,
    paymentToken,
    paymentMethodId: null,
    billingAddress,
    shippingMethodId,
    discountCodes,
    email,
    hash,
  };
}

function missing(message: string, field: string): never {
  throw new BadUserInputError(message, field);
}
