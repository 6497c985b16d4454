import { priceCheckout } from "../pricing/priceCheckout";
import type {
  Destination,
  Discount,
  PricedCheckout,
  PricingLine,
  ShippingZone,
  TaxRate,
} from "../pricing/pricingTypes";

/** What an order keeps that its pricing depends on (besides its lines). */
export interface OrderPricingFacts {
  currency: string;
  /** When it was placed: its discounts are judged as they were then (dates), not as they are now. */
  placedAt: Date;
  destination: Destination;
  /** Null: the order was placed without a shipping method (no zones then), and pays no shipping. */
  shippingMethodId: string | null;
  pricesIncludeTax: boolean;
}

/** The shop's configuration an order is priced again with. */
export interface RepricingConfiguration {
  zones: readonly ShippingZone[];
  taxRates: readonly TaxRate[];
  /** The discounts the order got when it was placed (codes and automatic promotions), as stored now. */
  discounts: readonly Discount[];
}

/**
 * Prices what remains of an order with the checkout's one pricing function (`priceCheckout`):
 * the order's own codes and promotions (and no others), its shipping method and address, its
 * tax setting. A discount is judged as at placement: its dates against the time the order was
 * placed, and its usage limits left out (the order holds its use already), so only a condition
 * about the lines (a minimum subtotal, eligible products, buy X get Y) can make it drop off.
 * Discounts are allocated over the remaining lines as at checkout.
 */
export function repriceOrder(
  order: OrderPricingFacts,
  lines: readonly PricingLine[],
  configuration: RepricingConfiguration,
): PricedCheckout {
  const asPlaced = configuration.discounts.map((discount): Discount => ({
    ...discount,
    active: true,
    timesUsed: 0,
    customerUses: 0,
  }));
  return priceCheckout({
    currency: order.currency,
    lines,
    destination: order.destination,
    shippingMethodId: order.shippingMethodId,
    // Without a method at placement there was no shipping to price: there is none now either.
    zones: order.shippingMethodId === null ? [] : configuration.zones,
    taxRates: configuration.taxRates,
    codes: asPlaced.flatMap((discount) => (discount.code === null ? [] : [discount.code])),
    codeDiscounts: asPlaced.filter((discount) => discount.code !== null),
    promotions: asPlaced.filter((discount) => discount.code === null),
    pricesIncludeTax: order.pricesIncludeTax,
    now: order.placedAt,
  });
}

/** Why the remaining lines cannot be priced for the order as it is (null: they can). */
export function repricingProblem(priced: PricedCheckout, previousTotalMinor: bigint): string | null {
  if (!priced.shippingMethodAvailable || !priced.shipsToDestination)
    return "The order's shipping method is not offered for what would remain: ask the shop to change the order.";
  if (priced.totalMinor > previousTotalMinor)
    return "What would remain costs more than the order paid (a discount or free shipping would no longer apply): ask the shop, or cancel the order.";
  return null;
}
