import { randomUUID } from "node:crypto";
import { connect, type NatsConnection } from "nats";
import type { EventEnvelope } from "../../subgraphs/common/events/envelope";
import { streamFor, subjectFor } from "../../subgraphs/common/events/streams";
import type { ServiceMetrics } from "../../subgraphs/common/metrics";
import { CatalogBuilder } from "../support/catalogBuilder";
import { placeOrder, placeOrderInput, waitForOrder } from "../support/checkout";
import { loginAdmin, registerCustomer } from "../support/identity";
import { startServices, type TestServices } from "../support/testServices";
import { waitFor } from "../support/waitFor";

const statusChanged = "orders.order.status_changed";

/** How a service's consumers ended their deliveries of `type`, by outcome. */
async function outcomes(metrics: ServiceMetrics, type: string): Promise<Record<string, number>> {
  const counted: Record<string, number> = {};
  for (const value of (await metrics.eventsConsumed.get()).values) {
    if (value.labels.type === type) counted[String(value.labels.outcome)] = value.value;
  }
  return counted;
}

describe("a subject per order status: consumers are delivered only the statuses they handle", () => {
  let services: TestServices<"products" | "inventory" | "orders" | "payments" | "notifications">;
  let nats: NatsConnection;

  beforeAll(async () => {
    services = await startServices(["products", "inventory", "orders", "payments", "notifications"]);
    nats = await connect({ servers: process.env.NATS_URL ?? "nats://127.0.0.1:4222" });
    // Six services start on a machine other test runs share.
  }, 180_000);

  afterAll(async () => {
    await nats?.close();
    await services?.cleanUp();
  });

  const delivered = async (durable: string) =>
    (await (await nats.jetstreamManager()).consumers.info(streamFor(services.testId, statusChanged), durable)).delivered
      .consumer_seq;

  it("publishes each status on its own subject and delivers none of a checkout's to payments or inventory", async () => {
    const url = services.router.url;
    const admin = await loginAdmin(url);
    const customer = await registerCustomer(url);
    const product = await new CatalogBuilder(url, admin.accessToken).product({
      name: "Subjects",
      price: "4.00",
      stock: 5,
    });
    const order = await placeOrder(
      url,
      customer.accessToken,
      placeOrderInput([{ productId: product.id, quantity: 1 }]),
    );
    await waitForOrder(
      url,
      customer.accessToken,
      order.id,
      (each) => each.status === "CONFIRMED",
      "the order confirmed",
    );
    await waitFor(
      async () => (await outcomes(services.notifications.runtime.metrics, statusChanged)).applied === 1,
      "the confirmation to reach notifications",
    );

    // Each status of the checkout on a subject of its own, with the payload as before.
    const jsm = await nats.jetstreamManager();
    const stream = streamFor(services.testId, statusChanged);
    for (const status of ["PENDING", "AWAITING_PAYMENT", "CONFIRMED"]) {
      const stored = await jsm.streams.getMessage(stream, {
        last_by_subj: `${subjectFor(services.testId, statusChanged)}.${status}`,
      });
      expect(stored.json<EventEnvelope<typeof statusChanged>>().data).toMatchObject({ orderId: order.id, status });
    }

    // Payments takes CANCELLED only, inventory CANCELLED, REFUNDED and SHIPPED: nothing was delivered to them.
    const payments = services.payments.runtime.consumers.find((each) => each.name.endsWith("order_status_changed"))!;
    expect(payments.durables.map((each) => each.name)).toEqual([
      "payments__orders_order_status_changed",
      "payments__orders_order_status_changed__CANCELLED",
    ]);
    const inventory = services.inventory.runtime.consumers.find((each) => each.name.endsWith("order_status_changed"))!;
    for (const durable of [...payments.durables, ...inventory.durables]) expect(await delivered(durable.name)).toBe(0);
    // Notifications was delivered the confirmation alone, and applied it.
    expect(await delivered("notifications__orders_order_status_changed__CONFIRMED")).toBe(1);
    expect(await delivered("notifications__orders_order_status_changed")).toBe(0);
    for (const service of [services.payments, services.inventory, services.notifications, services.orders]) {
      expect((await outcomes(service.runtime.metrics, statusChanged)).ignored).toBeUndefined();
    }
    expect(await outcomes(services.notifications.runtime.metrics, statusChanged)).toEqual({ applied: 1 });
  });

  it("still takes events on the one subject of all statuses, as an older replica of orders publishes them", async () => {
    const jsm = await nats.jetstreamManager();
    const stream = streamFor(services.testId, statusChanged);
    const confirmed = (
      await jsm.streams.getMessage(stream, { last_by_subj: `${subjectFor(services.testId, statusChanged)}.CONFIRMED` })
    ).json<EventEnvelope<typeof statusChanged>>();
    const notifiedBefore = (await outcomes(services.notifications.runtime.metrics, statusChanged)).applied ?? 0;
    const paymentsBefore = await outcomes(services.payments.runtime.metrics, statusChanged);
    // A consumer restarted finds its durables as it left them (the bare subject's unchanged).
    const payments = services.payments.runtime.consumers.find((each) => each.name.endsWith("order_status_changed"))!;
    await payments.stop();
    await payments.start();

    const shipped: EventEnvelope<typeof statusChanged> = {
      ...confirmed,
      id: randomUUID(),
      occurredAt: new Date().toISOString(),
      data: {
        ...confirmed.data,
        from: "CONFIRMED",
        status: "SHIPPED",
        shipsInFulfillments: false,
        at: new Date().toISOString(),
      },
    };
    await nats
      .jetstream()
      .publish(subjectFor(services.testId, statusChanged), JSON.stringify(shipped), { msgID: shipped.id });

    // Notifications tells of it; payments, which takes only CANCELLED, acknowledges it unapplied.
    await waitFor(
      async () =>
        (await outcomes(services.notifications.runtime.metrics, statusChanged)).applied === notifiedBefore + 1,
      "notifications to apply the event of the bare subject",
    );
    await waitFor(
      async () =>
        (await outcomes(services.payments.runtime.metrics, statusChanged)).ignored ===
        (paymentsBefore.ignored ?? 0) + 1,
      "payments to leave the event of the bare subject unapplied",
    );
    expect(await delivered("notifications__orders_order_status_changed")).toBe(1);
    expect(await delivered("payments__orders_order_status_changed__CANCELLED")).toBe(0);
  });
});
