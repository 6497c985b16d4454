import type { Redis } from "ioredis";
import type { EventEnvelope } from "../common/events/envelope";
import { onEvent } from "../common/events/eventConsumer";
import type { Logger } from "../common/logger";
import { customerOrdersChannel, orderChannel, type OrderUpdate } from "../common/orderUpdates";
import type { OrdersTx } from "./store/database";

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

/** Fast publications remembered for the confirming consumer, at most (the oldest are forgotten). */
const maxRemembered = 10_000;
/** An event older than this is not published by the confirming consumer. */
const staleAfterMs = 10 * 60_000;
/** How long the confirming consumer waits for a fast publication still under way before publishing itself. */
const fastPublishWaitMs = 2000;

/**
 * Live order updates on Redis, where the routers' subscriptions listen, published at least once:
 *
 * - right after the commit (`publishCommitted`), from memory, so a subscriber hears of a change
 *   without waiting for the event bus;
 * - and confirmed from the committed event stream (`confirm`, run by a consumer of orders' own
 *   events): an event whose fast publication this process made is not published again; one it
 *   did not make (the process died between the commit and the publication, Redis failed, another
 *   replica committed it) is published then, and a failure leaves the event to be redelivered.
 *
 * A change told twice (the fast publication in one replica, the confirmation in another) is told
 * once to each subscriber: the routers drop a status no newer than the last told, and a step
 * already told (router/subscriptions/liveOrders.ts, `ToldStatuses`).
 */
export class LiveUpdates {
  /** Fast publications by event id: resolves true once published, false if it failed. */
  private readonly published = new Map<string, Promise<boolean>>();

  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
    private readonly logger: Logger,
  ) {}

  /** Publishes the updates of a commit's events, in one pipeline. */
  publishCommitted(events: readonly EventEnvelope[]): void {
    const told = events.flatMap((event) => {
      const update = orderUpdateOf(event);
      return update ? [{ id: event.id, update }] : [];
    });
    if (told.length === 0) return;
    const outcome = this.publish(told.map((each) => each.update)).then(
      () => true,
      (error: Error) => {
        this.logger.warn(
          { orderIds: told.map((each) => each.update.orderId), err: error.message },
          "could not publish order updates to Redis; the event stream will",
        );
        return false;
      },
    );
    for (const { id } of told) this.remember(id, outcome);
  }

  /**
   * Makes sure the event's update was published: by the fast path of this process, or now.
   * Rejects when it cannot publish, so that the event is delivered again.
   */
  async confirm(event: EventEnvelope): Promise<void> {
    const update = orderUpdateOf(event);
    if (!update) return;
    // Old news is no live update: a consumer created on a stream that already holds events (its
    // first start) or back from a long outage would tell connected subscribers stale statuses.
    if (Date.now() - Date.parse(event.occurredAt) > staleAfterMs) {
      this.published.delete(event.id);
      return;
    }
    const fast = this.published.get(event.id);
    if (fast) {
      this.published.delete(event.id);
      if (await settledWithin(fast, fastPublishWaitMs)) return;
    }
    await this.publish([update]);
  }

  /** Whether the updates of this many events are remembered as published fast (for tests). */
  get remembered(): number {
    return this.published.size;
  }

  private publish(updates: readonly OrderUpdate[]): Promise<unknown> {
    const pipeline = this.redis.pipeline();
    for (const update of updates) {
      const payload = JSON.stringify(update);
      pipeline
        .publish(orderChannel(this.keyPrefix, update.orderId), payload)
        .publish(customerOrdersChannel(this.keyPrefix, update.customerId), payload);
    }
    return pipeline.exec().then((results) => {
      const failed = results?.find(([error]) => error);
      if (!results || failed) throw failed?.[0] ?? new Error("the Redis pipeline was not run");
    });
  }

  private remember(id: string, outcome: Promise<boolean>): void {
    if (this.published.size >= maxRemembered) {
      // A Map iterates in insertion order: the oldest first. Another replica confirmed those.
      const oldest = this.published.keys().next().value;
      if (oldest !== undefined) this.published.delete(oldest);
    }
    this.published.set(id, outcome);
  }
}

/** The promise's value if it settles within `ms`; false otherwise. */
function settledWithin(promise: Promise<boolean>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(resolve, ms, false);
    timer.unref();
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/**
 * The live updates of the running orders services of this process, newest last. Event handlers
 * are declared once for the service definition; each started service has its own (made at its
 * start, by its Redis connection), and the confirming consumer uses the newest whose Redis
 * connection is open. Services of one process share one Redis (tests start replicas as processes
 * of their own).
 */
const running: LiveUpdates[] = [];
const byConnection = new WeakMap<Redis, LiveUpdates>();

/** The live updates published through this Redis connection, made on first use. */
export function liveUpdatesOf(redis: Redis, keyPrefix: string, logger: Logger): LiveUpdates {
  const existing = byConnection.get(redis);
  if (existing) return existing;
  const live = new LiveUpdates(redis, keyPrefix, logger);
  byConnection.set(redis, live);
  running.push(live);
  redis.once("end", () => {
    const index = running.indexOf(live);
    if (index >= 0) running.splice(index, 1);
  });
  return live;
}

function confirmLive(event: EventEnvelope): Promise<void> {
  const live = running.at(-1);
  if (!live) return Promise.reject(new Error("no live updates publisher is running in this process"));
  return live.confirm(event);
}

/**
 * Consumers of orders' own events that tell subscribers: `LiveUpdates.confirm`. Publishing again
 * is harmless (subscribers are told each change once), so they record nothing in the database
 * (`idempotentByVersion`: no processed-event row, no transaction for a single event).
 */
const confirmOnly = { idempotentByVersion: true } as const;
export const liveUpdateHandlers = [
  onEvent<OrdersTx, "orders.order.status_changed">("orders.order.status_changed", confirmLive, confirmOnly),
  onEvent<OrdersTx, "orders.fulfillment.created">("orders.fulfillment.created", confirmLive, confirmOnly),
  onEvent<OrdersTx, "orders.fulfillment.updated">("orders.fulfillment.updated", confirmLive, confirmOnly),
  onEvent<OrdersTx, "orders.order.edited">("orders.order.edited", confirmLive, confirmOnly),
];
