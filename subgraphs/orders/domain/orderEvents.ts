import type { EventData } from "../../common/events/catalog";
import { toMoney } from "../../common/money";
import type { OrderRecord } from "../store/records";
import type { OrderStatus } from "./orderStateMachine";

/** `orders.order.status_changed` for an order as it now is. */
export function statusChangedEvent(order: OrderRecord, from: OrderStatus | null, reason: string | null): EventData<"orders.order.status_changed"> {
  return {
    orderId: order.id,
    number: order.number,
    customerId: order.customerId,
    from,
    status: order.status,
    cancellationReason: order.cancellationReason,
    reason,
    total: toMoney(order.totalMinor, order.currency),
    at: order.updatedAt.toISOString(),
  };
}
