/**
 * What the one pricing function (`priceCheckout`) takes and answers. Plain data: the shop's
 * configuration is read by the caller and handed in, so the same calculation prices a cart and
 * an order, and a test can state every case in a table.
 */

export type TaxCategory = "STANDARD" | "REDUCED" | "ZERO";

export interface PricingLine {
  /** The cart line's or order line's own key (position or id), used in allocations and tax lines. */
  lineId: string;
  variantId: string;
  productId: string;
  categoryIds: readonly string[];
  unitPriceMinor: bigint;
  quantity: number;
  /** Weight of one unit in grams (0 when unknown). */
  weightGrams: number;
  taxCategory: TaxCategory;
}

export interface Destination {
  /** ISO 3166-1 alpha-2, upper case. */
  country: string;
  region: string | null;
}

/** How a shipping method's price is found. */
export type ShippingRate =
  | { kind: "FLAT"; amountMinor: bigint }
  /** The first band whose `upToGrams` holds the cart's weight (`null`: no upper bound); none: unavailable. */
  | { kind: "WEIGHT"; bands: ReadonlyArray<{ upToGrams: number | null; amountMinor: bigint }> }
  /** The band with the highest `fromMinor` the discounted subtotal reaches; none: unavailable. */
  | { kind: "ORDER_VALUE"; bands: ReadonlyArray<{ fromMinor: bigint; amountMinor: bigint }> };

export interface ShippingMethod {
  id: string;
  name: string;
  rate: ShippingRate;
  /** Free when the discounted subtotal reaches this; null: never free. */
  freeAboveMinor: bigint | null;
}

export interface ShippingZone {
  id: string;
  name: string;
  /** Where it ships: a whole country (`region` null) or one region of it. */
  areas: readonly Destination[];
  methods: readonly ShippingMethod[];
}

export interface TaxRate {
  country: string;
  /** null: the whole country (a region's own rate wins over it). */
  region: string | null;
  taxCategory: TaxCategory;
  ratePpm: bigint;
}

export type DiscountKind = "PERCENTAGE" | "FIXED_AMOUNT" | "FREE_SHIPPING" | "BUY_X_GET_Y";

/** A promotion: automatic (`code` null) or unlocked by a discount code. */
export interface Discount {
  id: string;
  title: string;
  code: string | null;
  kind: DiscountKind;
  /** PERCENTAGE, and BUY_X_GET_Y (how much off the free units: 100 % makes them free). */
  valuePpm: bigint;
  /** FIXED_AMOUNT, in the checkout's currency. */
  amountMinor: bigint;
  currency: string;
  /** Only these products or categories (both empty: the whole order). */
  productIds: readonly string[];
  categoryIds: readonly string[];
  buyQuantity: number;
  getQuantity: number;
  minSubtotalMinor: bigint;
  startsAt: Date | null;
  endsAt: Date | null;
  active: boolean;
  /** Total uses allowed (null: unlimited), and uses counted or held now. */
  usageLimit: number | null;
  timesUsed: number;
  /** Uses allowed to one customer (null: unlimited), and this customer's uses counted or held. */
  perCustomerLimit: number | null;
  customerUses: number;
  combinable: boolean;
}

export interface PricingInput {
  currency: string;
  lines: readonly PricingLine[];
  /** Where it ships; null while unknown (no shipping, no tax yet). */
  destination: Destination | null;
  /** The customer's choice; null: the cheapest method available. */
  shippingMethodId: string | null;
  zones: readonly ShippingZone[];
  taxRates: readonly TaxRate[];
  /** The codes entered, as typed, and the discounts they name (missing ones are unknown codes). */
  codes: readonly string[];
  codeDiscounts: readonly Discount[];
  /** Automatic promotions that may apply. */
  promotions: readonly Discount[];
  pricesIncludeTax: boolean;
  now: Date;
}

export interface LineAllocation {
  lineId: string;
  amountMinor: bigint;
}

export interface DiscountAllocation {
  discountId: string;
  title: string;
  code: string | null;
  amountMinor: bigint;
  lines: LineAllocation[];
  /** The part taken off shipping (FREE_SHIPPING). */
  shippingMinor: bigint;
}

export interface TaxLine {
  /** null: the tax on shipping. */
  lineId: string | null;
  taxCategory: TaxCategory;
  ratePpm: bigint;
  /** The amount the rate applies to (after discounts; tax included when prices include tax). */
  taxableMinor: bigint;
  amountMinor: bigint;
}

export interface AvailableShippingMethod {
  id: string;
  name: string;
  zoneName: string;
  amountMinor: bigint;
}

export type RejectionReason =
  | "UNKNOWN"
  | "INACTIVE"
  | "NOT_STARTED"
  | "EXPIRED"
  | "EXHAUSTED"
  | "MIN_SUBTOTAL"
  | "NOT_COMBINABLE"
  | "NOT_APPLICABLE";

export interface RejectedCode {
  code: string;
  reason: RejectionReason;
  message: string;
}

export interface PricedCheckout {
  currency: string;
  subtotalMinor: bigint;
  /** The chosen method's price before discounts; 0 without destination or shipping configuration. */
  shippingMinor: bigint;
  shippingMethod: AvailableShippingMethod | null;
  availableShippingMethods: AvailableShippingMethod[];
  /** False: a destination is given that no zone ships to (there are zones). */
  shipsToDestination: boolean;
  /** False: a method was chosen that is not available for this destination and cart. */
  shippingMethodAvailable: boolean;
  discounts: DiscountAllocation[];
  discountMinor: bigint;
  taxLines: TaxLine[];
  taxMinor: bigint;
  pricesIncludeTax: boolean;
  totalMinor: bigint;
  rejectedCodes: RejectedCode[];
}
