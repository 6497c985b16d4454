import type { Redis } from "ioredis";
import type { EventEnvelope } from "../common/events/envelope";
import type { Logger } from "../common/logger";
import { customerOrdersChannel, orderChannel, type OrderUpdate } from "../common/orderUpdates";

/** What subscribers are told of an event: a status change, a parcel shipped or moving, an edit. */
function orderUpdateOf(event: EventEnvelope): OrderUpdate | null {
  if (event.type === "orders.order.status_changed") {
    const { orderId, customerId, number, status, cancellationReason, at } =
      event.data as EventEnvelope<"orders.order.status_changed">["data"];
    return { orderId, customerId, number, status, cancellationReason, at };
  }
  if (event.type === "orders.fulfillment.created" || event.type === "orders.fulfillment.updated") {
    const data = event.data as
      EventEnvelope<"orders.fulfillment.created">["data"] | EventEnvelope<"orders.fulfillment.updated">["data"];
    const parcelStatus = "status" in data ? data.status : "SHIPPED";
    return {
      orderId: data.orderId,
      customerId: data.customerId,
      number: data.number,
      status: data.orderStatus,
      cancellationReason: null,
      at: data.at,
      step: `fulfillment:${data.fulfillmentId}:${parcelStatus}`,
    };
  }
  if (event.type === "orders.order.edited") {
    const data = event.data as EventEnvelope<"orders.order.edited">["data"];
    return {
      orderId: data.orderId,
      customerId: data.customerId,
      number: data.number,
      status: data.status,
      cancellationReason: null,
      at: data.at,
      step: `edit:${data.editId}`,
    };
  }
  return null;
}

/**
 * Publishes every committed order transition to Redis, where the routers' subscriptions listen.
 * A publish that fails loses only a live message: a subscriber's first message is always the
 * order as it is, and the transition itself is safe in the database and on NATS.
 */
export function publishOrderUpdates(
  redis: Redis,
  keyPrefix: string,
  logger: Logger,
  events: readonly EventEnvelope[],
): void {
  for (const event of events) {
    const update = orderUpdateOf(event);
    if (!update) continue;
    const { orderId, customerId } = update;
    const payload = JSON.stringify(update);
    redis
      .pipeline()
      .publish(orderChannel(keyPrefix, orderId), payload)
      .publish(customerOrdersChannel(keyPrefix, customerId), payload)
      .exec()
      .catch((error: Error) =>
        logger.warn({ orderId, err: error.message }, "could not publish an order update to Redis"),
      );
  }
}
