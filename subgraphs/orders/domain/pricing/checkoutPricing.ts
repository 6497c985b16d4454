import { BadUserInputError } from "../../../common/errors";
import { loadPricingConfiguration, type PricingConfiguration } from "../../store/pricingConfigStore";
import type { OrdersReader } from "../../store/database";
import { normalizeCode, priceCheckout } from "./priceCheckout";
import type { Destination, PricedCheckout, PricingLine, RejectionReason } from "./pricingTypes";

/** A discount code the checkout cannot take: BAD_USER_INPUT on the field, with the reason clients can act on. */
export class DiscountCodeRejectedError extends BadUserInputError {
  constructor(
    message: string,
    field: string,
    readonly discountCode: string,
    readonly reason: RejectionReason,
  ) {
    super(message, field);
  }
  override extensions(): Record<string, unknown> {
    return { ...super.extensions(), discountCode: this.discountCode, reason: this.reason };
  }
}

export const maxDiscountCodes = 5;

/** Checks the codes a client sends: up to five, each 1 to 50 characters; answers them upper case. */
export function validateCodes(codes: readonly string[] | null | undefined, field: string): string[] {
  if (!codes) return [];
  if (codes.length > maxDiscountCodes)
    throw new BadUserInputError(`At most ${maxDiscountCodes} discount codes apply to one checkout.`, field);
  return codes.map((code, index) => {
    const normal = normalizeCode(code);
    if (normal.length === 0 || normal.length > 50)
      throw new BadUserInputError("A discount code has 1 to 50 characters.", `${field}.${index}`);
    return normal;
  });
}

export interface CheckoutPricingRequest {
  currency: string;
  lines: PricingLine[];
  destination: Destination | null;
  shippingMethodId: string | null;
  codes: readonly string[];
  /** Whose uses count against per-customer limits (see `discountBuyerKey`); null: nobody's yet. */
  buyerKey: string | null;
  now?: Date;
}

/** Reads the shop's configuration that applies to this checkout and prices it (one function for carts and orders). */
export async function priceWithShopConfiguration(
  db: OrdersReader,
  request: CheckoutPricingRequest,
): Promise<PricedCheckout> {
  const now = request.now ?? new Date();
  const configuration = await loadPricingConfiguration(db, {
    currency: request.currency,
    country: request.destination?.country ?? null,
    codes: request.codes,
    buyerKey: request.buyerKey,
    now,
  });
  return priceWithConfiguration(configuration, { ...request, now });
}

/**
 * Prices a checkout with the shop's configuration read already, for the request's currency,
 * destination country, codes, buyer and `now` (the checkout's read brings it: `readCheckout`).
 */
export function priceWithConfiguration(
  configuration: PricingConfiguration,
  request: CheckoutPricingRequest & { now: Date },
): PricedCheckout {
  const { now } = request;
  return priceCheckout({
    currency: request.currency,
    lines: request.lines,
    destination: request.destination,
    shippingMethodId: request.shippingMethodId,
    zones: configuration.zones,
    taxRates: configuration.taxRates,
    codes: request.codes,
    codeDiscounts: configuration.codeDiscounts,
    promotions: configuration.promotions,
    pricesIncludeTax: configuration.pricesIncludeTax,
    now,
  });
}

/**
 * What a checkout that is about to become an order must satisfy: the shop ships to the address,
 * the chosen method is offered there, and every code applies. Each failure is BAD_USER_INPUT
 * naming the field.
 */
export function requireOrderable(
  priced: PricedCheckout,
  fields: { country: string; shippingMethodId: string; discountCodes: string },
): void {
  if (!priced.shipsToDestination)
    throw new BadUserInputError("The shop does not ship to this address.", fields.country);
  if (!priced.shippingMethodAvailable)
    throw new BadUserInputError(
      "This shipping method is not offered for this address and cart: choose one of `availableShippingMethods`.",
      fields.shippingMethodId,
    );
  const [rejected] = priced.rejectedCodes;
  if (rejected)
    throw new DiscountCodeRejectedError(rejected.message, fields.discountCodes, rejected.code, rejected.reason);
}
