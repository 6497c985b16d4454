import type { Redis } from "ioredis";
import type { EventEnvelope } from "../common/events/envelope";
import type { Logger } from "../common/logger";
import { customerOrdersChannel, orderChannel, type OrderUpdate } from "../common/orderUpdates";

/** What subscribers are told of an event: a status change, a parcel shipped or moving, an edit. */
export function orderUpdateOf(event: EventEnvelope): OrderUpdate | null {
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

/** An event older than this is no live update (the relay's poll after a long outage): it is not published. */
const staleAfterMs = 10 * 60_000;

/**
 * Live order updates on Redis, where the routers' subscriptions listen, published at least once
 * by the outbox relay (`OutboxRelay.setBeforePublish`): right after the commit, before the events
 * go to NATS, and stamped as published only once Redis took them too. If the process dies between
 * the commit and the stamp, or Redis fails, the relay's poll (of this replica or another) publishes
 * them again until Redis takes them, so a subscriber hears of every change without a consumer of
 * orders' own events.
 *
 * A change told twice (published, then the stamp failed) is told once to each subscriber: the
 * routers drop a status no newer than the last told, and a step already told
 * (router/subscriptions/liveOrders.ts, `ToldStatuses`).
 */
export class LiveUpdates {
  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
    private readonly logger: Logger,
  ) {}

  /**
   * Publishes the updates of the events that tell subscribers something, in one pipeline;
   * rejects if Redis did not take them all (the relay then tries again). Old news is left out:
   * a poll back from a long outage would tell connected subscribers stale statuses.
   */
  async publish(events: readonly EventEnvelope[]): Promise<void> {
    const now = Date.now();
    const updates = events.flatMap((event) => {
      const update = now - Date.parse(event.occurredAt) > staleAfterMs ? null : orderUpdateOf(event);
      return update ? [update] : [];
    });
    if (updates.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const update of updates) {
      const payload = JSON.stringify(update);
      pipeline
        .publish(orderChannel(this.keyPrefix, update.orderId), payload)
        .publish(customerOrdersChannel(this.keyPrefix, update.customerId), payload);
    }
    try {
      const results = await pipeline.exec();
      const failed = results?.find(([error]) => error);
      if (!results || failed) throw failed?.[0] ?? new Error("the Redis pipeline was not run");
    } catch (error) {
      this.logger.warn(
        { orderIds: updates.map((update) => update.orderId), err: (error as Error).message },
        "could not publish order updates to Redis; the outbox relay will again",
      );
      throw error;
    }
  }
}
