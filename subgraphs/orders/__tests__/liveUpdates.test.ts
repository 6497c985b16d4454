import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { appendToOutbox } from "../../common/events/outbox";
import { OutboxRelay } from "../../common/events/outboxRelay";
import { createEnvelope, type EventEnvelope } from "../../common/events/envelope";
import { createLogger } from "../../common/logger";
import { customerOrdersChannel, orderChannel, type OrderUpdate } from "../../common/orderUpdates";
import { registerCustomer } from "../../../test/support/identity";
import { PrivateRedis } from "../../../test/support/privateRedis";
import { collect, subscriptionClient } from "../../../test/support/subscriptionClient";
import { startServices, type TestServices } from "../../../test/support/testServices";
import { waitFor } from "../../../test/support/waitFor";
import { LiveUpdates, orderUpdateOf } from "../liveUpdates";

const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

/** An order's status change as the orders service commits it (of an order no database needs to hold). */
function statusChanged(customerId: string, status: "PENDING" | "CONFIRMED", orderId = randomUUID()) {
  return createEnvelope("orders", {
    type: "orders.order.status_changed",
    data: {
      orderId,
      number: `LIVE-${orderId.slice(0, 6)}`,
      customerId,
      from: status === "PENDING" ? null : "AWAITING_PAYMENT",
      status,
      cancellationReason: null,
      reason: null,
      total: { amount: "5.00", currency: "USD" },
      lines: [],
      shipment: null,
      at: new Date().toISOString(),
    },
  });
}

/** Every message a plain Redis subscriber hears on the channels, as the routers hear them. */
async function listen(
  channels: string[],
  url = redisUrl,
): Promise<{ messages: Array<OrderUpdate | string>; close(): void }> {
  const subscriber = new Redis(url);
  const messages: Array<OrderUpdate | string> = [];
  subscriber.on("message", (_channel: string, message: string) =>
    messages.push(message.startsWith("{") ? (JSON.parse(message) as OrderUpdate) : message),
  );
  await subscriber.subscribe(...channels);
  return { messages, close: () => subscriber.disconnect() };
}

describe("live order updates, at least once", () => {
  let services: TestServices<"orders">;
  let prefix: string;

  beforeAll(async () => {
    services = await startServices(["orders"]);
    prefix = services.orders.runtime.env.REDIS_KEY_PREFIX;
  });

  afterAll(() => services?.cleanUp());

  it("tells a subscriber of a change whose process died between the commit and its publications", async () => {
    const customer = await registerCustomer(services.router.url);
    const event = statusChanged(customer.user.id, "CONFIRMED");
    const heard = await listen([orderChannel(prefix, event.data.orderId)]);
    // Through the router too: `myOrderUpdates` of these fields is answered from the change itself.
    const client = subscriptionClient(services.router.url, customer.accessToken);
    const watch = collect(client, `subscription { myOrderUpdates { id number status } }`);
    const channel = customerOrdersChannel(prefix, customer.user.id);
    const routerListens = async () =>
      Number(((await services.orders.runtime.redis.pubsub("NUMSUB", channel)) as [string, number])[1]) > 0;
    await waitFor(routerListens, "the router to listen to the customer's updates");
    try {
      // Committed as the unit of work commits it, and then nothing: no publication to NATS or
      // Redis from memory, as when the process is killed right after its commit.
      await services.orders.runtime.db.$transaction((tx) => appendToOutbox(tx, [event]));
      // The outbox relay's poll (of this replica, another, or the restarted one) publishes it.
      expect(await services.orders.runtime.relay.flush()).toBeGreaterThanOrEqual(1);
      await waitFor(() => heard.messages.length > 0, "the update on the order's channel");
      expect(heard.messages).toEqual([orderUpdateOf(event)]);
      await waitFor(() => watch.messages.length > 0, "the update through the router");
      expect(watch.messages[0]).toEqual({
        data: { myOrderUpdates: { id: event.data.orderId, number: event.data.number, status: "CONFIRMED" } },
      });
    } finally {
      watch.stop();
      await client.dispose();
      heard.close();
    }
  });

  describe("the relay's publication and its retry", () => {
    const logger = createLogger("orders", { level: "silent", pretty: false });
    let redis: Redis;
    let heard: Awaited<ReturnType<typeof listen>>;
    let event: EventEnvelope<"orders.order.status_changed">;
    const channelPrefix = `live-${randomUUID()}:`;

    // The service's own relay would publish these tests' rows on its poll: it rests meanwhile.
    beforeAll(() => services.orders.runtime.relay.stop());
    afterAll(() => services.orders.runtime.relay.start());

    beforeEach(async () => {
      event = statusChanged(randomUUID(), "PENDING");
      heard = await listen([orderChannel(channelPrefix, event.data.orderId)]);
    });

    afterEach(() => {
      heard.close();
      redis?.disconnect();
    });

    /** A relay of the orders database whose live updates go to `redis`, polling only when flushed. */
    function relayTo(live: LiveUpdates): OutboxRelay {
      const { db, js, env } = services.orders.runtime;
      const relay = new OutboxRelay({
        db,
        js,
        namespace: env.NATS_NAMESPACE,
        logger,
        pollIntervalMs: 3_600_000,
        pollGraceMs: 3_600_000,
      });
      relay.setBeforePublish((events) => live.publish(events));
      relay.start();
      return relay;
    }

    /** The event committed, and the relay's direct path run on it, as the unit of work does. */
    async function commit(relay: OutboxRelay, committed: EventEnvelope): Promise<void> {
      await services.orders.runtime.db.$transaction((tx) => appendToOutbox(tx, [committed]));
      relay.publishCommitted([committed]);
      await relay.settled();
    }

    /** Publishes a marker after everything `redis` sent: once it is heard, so is all that came before it. */
    async function heardAllBefore(marker: string): Promise<void> {
      await redis.publish(orderChannel(channelPrefix, event.data.orderId), marker);
      await waitFor(() => heard.messages.includes(marker), "the marker");
    }

    it("publishes on the relay's retry what the direct path failed to, and the retry fails while it cannot", async () => {
      // A Redis of its own, down while the change commits.
      const server = await PrivateRedis.reserve();
      redis = new Redis(server.url, { enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => 20 });
      redis.on("error", () => undefined);
      const relay = relayTo(new LiveUpdates(redis, channelPrefix, logger));
      try {
        await commit(relay, event);
        // Not stamped: the poll tries again, and fails while Redis is down.
        await expect(relay.flush()).rejects.toThrow();
        await server.resume();
        await waitFor(() => redis.status === "ready", "the connection to Redis again");
        const down = await listen([orderChannel(channelPrefix, event.data.orderId)], server.url);
        try {
          expect(await relay.flush()).toBeGreaterThanOrEqual(1);
          await waitFor(() => down.messages.length > 0, "the update");
          expect(down.messages).toEqual([orderUpdateOf(event)]);
        } finally {
          down.close();
        }
      } finally {
        await relay.stop();
        redis.disconnect();
        await server.pause();
      }
    });

    it("does not publish again what the direct path published and stamped", async () => {
      redis = new Redis(redisUrl);
      const relay = relayTo(new LiveUpdates(redis, channelPrefix, logger));
      try {
        await commit(relay, event);
        expect(await relay.flush()).toBe(0);
        await heardAllBefore("after the retry");
        expect(heard.messages).toEqual([orderUpdateOf(event), "after the retry"]);
      } finally {
        await relay.stop();
      }
    });

    it("leaves out an event too old to be news (a poll back from a long outage)", async () => {
      redis = new Redis(redisUrl);
      const live = new LiveUpdates(redis, channelPrefix, logger);
      await live.publish([{ ...event, occurredAt: new Date(Date.now() - 3600_000).toISOString() }]);
      await heardAllBefore("after the publication");
      expect(heard.messages).toEqual(["after the publication"]);
    });

    it("publishes on its poll an event another replica committed", async () => {
      redis = new Redis(redisUrl);
      const relay = relayTo(new LiveUpdates(redis, channelPrefix, logger));
      try {
        await services.orders.runtime.db.$transaction((tx) => appendToOutbox(tx, [event]));
        expect(await relay.flush()).toBeGreaterThanOrEqual(1);
        await heardAllBefore("after the poll");
        expect(heard.messages).toEqual([orderUpdateOf(event), "after the poll"]);
      } finally {
        await relay.stop();
      }
    });
  });
});
