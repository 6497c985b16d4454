import { randomUUID } from "node:crypto";
import { createLogger } from "../../logger";
import type { SqlExecutor } from "../../database/prismaOptions";
import { createEnvelope, type EventEnvelope } from "../envelope";
import { EventConsumer, onEvent } from "../eventConsumer";
import { OutboxRelay } from "../outboxRelay";
import { isUnconsumed, streamFor, subjectFor } from "../streams";
import { emptyOutbox, natsWithStreams } from "./support/relayFixture";

const statusChanged = "orders.order.status_changed";

function statusEvent(status: "PENDING" | "AWAITING_PAYMENT" | "CONFIRMED"): EventEnvelope<typeof statusChanged> {
  return createEnvelope("orders", {
    type: statusChanged,
    data: {
      orderId: randomUUID(),
      number: "U-1",
      customerId: randomUUID(),
      from: null,
      status,
      cancellationReason: null,
      reason: null,
      total: { amount: "6.00", currency: "EUR" },
      lines: [],
      shipment: null,
      at: new Date().toISOString(),
    },
  });
}

/**
 * The statuses an order only passes through (no durable consumer takes them) are published and
 * stored without the stream's acknowledgement; the others as before.
 */
describe("events no consumer takes", () => {
  const namespace = `unconsumed${process.pid}`;
  const logger = createLogger("test", { level: "silent" });
  const natsConnection = natsWithStreams(namespace);

  it("are the checkout's PENDING and AWAITING_PAYMENT, not CONFIRMED", () => {
    expect(isUnconsumed(statusEvent("PENDING"))).toBe(true);
    expect(isUnconsumed(statusEvent("AWAITING_PAYMENT"))).toBe(true);
    expect(isUnconsumed(statusEvent("CONFIRMED"))).toBe(false);
    expect(
      isUnconsumed(
        createEnvelope("inventory", { type: "inventory.reservation.succeeded", data: { orderId: randomUUID() } }),
      ),
    ).toBe(false);
  });

  it("are published on their subjects and stored, as the others, with no acknowledgement asked for", async () => {
    const nc = natsConnection();
    const relay = new OutboxRelay({ db: emptyOutbox, js: nc.jetstream(), namespace, logger });
    relay.start();
    const events = [statusEvent("PENDING"), statusEvent("AWAITING_PAYMENT"), statusEvent("CONFIRMED")];
    // The stream's acknowledgements the relay is sent: one, for CONFIRMED.
    const acknowledgements = nc.subscribe("_INBOX.>");
    let answered = 0;
    void (async () => {
      // Other clients' replies too: only the stream's acknowledgements of this namespace count.
      for await (const message of acknowledgements)
        if (message.string().includes(`"stream":"${streamFor(namespace, statusChanged)}"`)) answered += 1;
    })();
    const subjects = nc.subscribe(`${subjectFor(namespace, statusChanged)}.*`);
    const live: string[] = [];
    void (async () => {
      for await (const message of subjects) live.push(message.subject);
    })();
    await nc.flush();

    relay.publishCommitted(events);
    await relay.settled();
    await nc.flush();
    await relay.stop();
    acknowledgements.unsubscribe();
    subjects.unsubscribe();

    const jsm = await nc.jetstreamManager();
    for (const event of events) {
      const stored = await jsm.streams.getMessage(streamFor(namespace, statusChanged), {
        last_by_subj: `${subjectFor(namespace, statusChanged)}.${event.data.status}`,
      });
      expect(stored.json<EventEnvelope>()).toEqual(event);
      expect(stored.header.get("Nats-Msg-Id")).toBe(event.id);
    }
    expect(live.sort()).toEqual(
      ["AWAITING_PAYMENT", "CONFIRMED", "PENDING"].map((status) => `${subjectFor(namespace, statusChanged)}.${status}`),
    );
    expect(answered).toBe(1);
    expect(relay.publishedCount).toBe(3);
  });

  it("cannot be taken by a consumer before they are taken off the list", () => {
    const nc = natsConnection();
    const consumerOf = (subjectDetails: string[]) =>
      new EventConsumer<SqlExecutor>({
        service: "notifications",
        handler: onEvent<SqlExecutor, typeof statusChanged>(statusChanged, () => Promise.resolve(), {
          subjectDetails,
        }) as never,
        unitOfWork: undefined as never,
        db: emptyOutbox,
        js: nc.jetstream(),
        jsm: undefined as never,
        namespace,
        logger,
      });
    expect(() => consumerOf(["CONFIRMED", "PENDING"])).toThrow(/takes PENDING.*unconsumedSubjectDetails/);
    expect(consumerOf(["CONFIRMED"]).durables.map((durable) => durable.subject)).toEqual([
      subjectFor(namespace, statusChanged),
      `${subjectFor(namespace, statusChanged)}.CONFIRMED`,
    ]);
  });
});
