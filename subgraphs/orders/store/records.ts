import type { CatalogVariant, Order, OrderItem, OrderStatusChange } from "../generated/prisma/client";
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

export type { Money };
