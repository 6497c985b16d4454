import type { EventData } from "../../common/events/catalog";
import { defaultVariantTitle } from "../../common/events/productVariants";
import { toMoney } from "../../common/money";
import type { OrderItem } from "../generated/prisma/client";
import type { OrderRecord } from "../store/records";
import type { OrderStatus } from "./orderStateMachine";

/** A line's name for receipts and emails: the variant's title too, when the product has options. */
export function lineName(item: Pick<OrderItem, "productName" | "variantTitle">): string {
  return item.variantTitle && item.variantTitle !== defaultVariantTitle
    ? `${item.productName} (${item.variantTitle})`
    : item.productName;
}

/**
 * The `guestEmail` of an order's events: a guest's order, until it is attached to an account, has
 * no user to write to, only the email it was placed with.
 */
export function guestAddress(order: Pick<OrderRecord, "guestEmail" | "attachedAt">): { guestEmail?: string } {
  return order.guestEmail && !order.attachedAt ? { guestEmail: order.guestEmail } : {};
}

/** What an order's status events tell of the order itself. */
export type StatusEventOrder = Pick<
  OrderRecord,
  | "id"
  | "number"
  | "customerId"
  | "status"
  | "cancellationReason"
  | "totalMinor"
  | "currency"
  | "carrier"
  | "trackingNumber"
  | "updatedAt"
  | "guestEmail"
  | "attachedAt"
>;

/** `orders.order.status_changed` for an order as it now is, with its lines and shipment. */
export function statusChangedEvent(
  order: StatusEventOrder,
  items: ReadonlyArray<
    Pick<OrderItem, "productId" | "variantId" | "sku" | "productName" | "variantTitle" | "quantity" | "unitPriceMinor">
  >,
  from: OrderStatus | null,
  reason: string | null,
): EventData<"orders.order.status_changed"> {
  return {
    orderId: order.id,
    number: order.number,
    customerId: order.customerId,
    from,
    status: order.status,
    cancellationReason: order.cancellationReason,
    reason,
    total: toMoney(order.totalMinor, order.currency),
    lines: items.map((item) => ({
      productId: item.productId,
      variantId: item.variantId,
      sku: item.sku,
      name: lineName(item),
      quantity: item.quantity,
      unitPrice: toMoney(item.unitPriceMinor, order.currency),
    })),
    shipment:
      order.carrier && order.trackingNumber ? { carrier: order.carrier, trackingNumber: order.trackingNumber } : null,
    at: order.updatedAt.toISOString(),
    ...guestAddress(order),
    // Every shipment is a fulfillment now, announced with its own event where inventory deducts.
    shipsInFulfillments: true,
  };
}
