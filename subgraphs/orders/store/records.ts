import type {
  CatalogVariant,
  Discount,
  Order,
  OrderItem,
  OrderStatusChange,
  ShippingMethod,
  TaxRate,
} from "../generated/prisma/client";
import type { ShippingZoneRecord } from "./pricingSettingsStore";
import type { Money } from "../../common/money";
import type { PostalAddress } from "../../common/postalAddress";

export type OrderRecord = Order;
export type OrderItemRecord = OrderItem & { currency: string };
export type OrderStatusChangeRecord = OrderStatusChange;
export type CatalogVariantRecord = CatalogVariant;

/** A user as other subgraphs reference them: only the id. */
export interface UserReference {
  id: string;
}

/** A picture kept in an order line's snapshot. */
export interface ImageSnapshot {
  url: string;
  alt: string;
}

/** The address snapshot kept in `orders.shipping_address`. */
export interface ShippingAddressSnapshot extends PostalAddress {
  name?: string | null;
}

/** A cart line with the variant's current price. */
export interface CartLine {
  /** The line's own id. */
  id: string;
  productId: string;
  variantId: string;
  quantity: number;
  unitPriceMinor: bigint;
  currency: string;
}

export interface CartView {
  id: string;
  /** The customer whose cart it is; null for a guest cart. */
  customerId: string | null;
  items: CartLine[];
  currency: string;
  buyer: {
    email: string | null;
    shippingAddress: ShippingAddressSnapshot | null;
    billingAddress: ShippingAddressSnapshot | null;
  };
  /** Null for a customer's cart. */
  expiresAt: Date | null;
}

export type { Money, ShippingZoneRecord };
export type ShippingMethodRecord = ShippingMethod;
export type TaxRateRecord = TaxRate;
export type PromotionRecord = Discount;

import type {
  Fulfillment,
  FulfillmentLine,
  OrderReturn,
  ReturnExchangeLine,
  ReturnLine,
} from "../generated/prisma/client";

/** A fulfillment with its lines, as the API shows it. */
export type FulfillmentView = Fulfillment & { lines: FulfillmentLine[] };
/** A return with its lines and the order's currency, as the API shows it. */
export type ReturnView = OrderReturn & {
  lines: ReturnLine[];
  exchangeLines: ReturnExchangeLine[];
  currency: string;
};
/** A replacement of an exchange with the order's currency, as the API shows it. */
export type ExchangeLineView = ReturnExchangeLine & { currency: string };

export type {
  Carrier as CarrierRecord,
  Fulfillment as FulfillmentRecord,
  FulfillmentLine as FulfillmentLineRecord,
  OrderReturn as OrderReturnRecord,
  ReturnLine as ReturnLineRecord,
  ReturnExchangeLine as ReturnExchangeLineRecord,
} from "../generated/prisma/client";
