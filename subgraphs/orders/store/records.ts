import type { Order, OrderItem, OrderStatusChange } from "../generated/prisma/client";
import type { Money } from "../../common/money";

export type OrderRecord = Order;
export type OrderItemRecord = OrderItem & { currency: string };
export type OrderStatusChangeRecord = OrderStatusChange;

/** A user as other subgraphs reference them: only the id. */
export interface UserReference {
  id: string;
}

/** The address snapshot kept in `orders.shipping_address`. */
export interface ShippingAddressSnapshot {
  name?: string | null;
  line1: string;
  line2?: string | null;
  city: string;
  region?: string | null;
  postalCode: string;
  country: string;
}

export type { Money };
