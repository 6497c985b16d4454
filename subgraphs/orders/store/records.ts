import type { CatalogProduct, Order, OrderItem, OrderStatusChange } from "../generated/prisma/client";
import type { Money } from "../../common/money";
import type { PostalAddress } from "../../common/postalAddress";

export type OrderRecord = Order;
export type OrderItemRecord = OrderItem & { currency: string };
export type OrderStatusChangeRecord = OrderStatusChange;
export type CatalogProductRecord = CatalogProduct;

/** A user as other subgraphs reference them: only the id. */
export interface UserReference {
  id: string;
}

/** The address snapshot kept in `orders.shipping_address`. */
export interface ShippingAddressSnapshot extends PostalAddress {
  name?: string | null;
}

/** A cart line with the product's current price. */
export interface CartLine {
  productId: string;
  quantity: number;
  unitPriceMinor: bigint;
  currency: string;
}

export interface CartView {
  id: string;
  items: CartLine[];
  currency: string;
}

export type { Money };
