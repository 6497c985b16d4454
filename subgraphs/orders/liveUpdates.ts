import type { Redis } from "ioredis";
import type { EventEnvelope } from "../common/events/envelope";
import type { Logger } from "../common/logger";
import { customerOrdersChannel, orderChannel, type OrderUpdate } from "../common/orderUpdates";

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
    if (event.type !== "orders.order.status_changed") continue;
    const { orderId, customerId, number, status, cancellationReason, at } =
      event.data as EventEnvelope<"orders.order.status_changed">["data"];
    const update: OrderUpdate = { orderId, customerId, number, status, cancellationReason, at };
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
