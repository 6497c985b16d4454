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

/** `orders.order.status_changed` for an order as it now is, with its lines and shipment. */
export function statusChangedEvent(
  order: OrderRecord,
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
    // Until it is attached to an account, a guest's order has no user to write to.
    ...(order.guestEmail && !order.attachedAt ? { guestEmail: order.guestEmail } : {}),
    // Every shipment is a fulfillment now, announced with its own event where inventory deducts.
    shipsInFulfillments: true,
  };
}
