import { connect, headers } from "nats";
import { randomUUID } from "node:crypto";
import { inventoryService } from "../../../subgraphs/inventory";
import { deadLetterSubject, subjectFor } from "../../../subgraphs/common/events/streams";
import { graphqlData } from "../../support/graphqlClient";
import { CatalogBuilder } from "../../support/catalogBuilder";
import {
  fetchOrder,
  placeOrder,
  placeOrderInput,
  settled,
  stockOf,
  waitForOrder,
  type OrderView,
} from "../../support/checkout";
import { loginAdmin, registerCustomer, type Session } from "../../support/identity";
import { NatsTap } from "../../support/natsTap";
import { PrivateNats } from "../../support/privateNats";
import { startTestSubgraph } from "../../support/testSubgraph";
import { startServices, type TestServices } from "../../support/testServices";
import { waitFor } from "../../support/waitFor";

type Checkout = TestServices<"products" | "inventory" | "orders" | "payments">;
const checkoutServices = ["products", "inventory", "orders", "payments"] as const;

async function shopFor(services: Checkout) {
  const url = services.router.url;
  const admin = await loginAdmin(url);
  const customer = await registerCustomer(url);
  return { url, admin, customer, build: new CatalogBuilder(url, admin.accessToken) };
}

describe("no order holds stock forever: the payment window", () => {
  let services: Checkout;
  let shop: Awaited<ReturnType<typeof shopFor>>;

  beforeAll(async () => {
    services = await startServices(checkoutServices, {
      settings: {
        orders: { PAYMENT_WINDOW_SECONDS: "2", PAYMENT_WINDOW_SCAN_MS: "100" },
        // Retries are looked for often enough that several fit in the window on a loaded machine too.
        payments: { PAYMENT_RETRY_BASE_MS: "100", PAYMENT_RETRY_MAX_MS: "300", PAYMENT_WORKER_INTERVAL_MS: "100" },
      },
    });
    shop = await shopFor(services);
  });

  afterAll(() => services?.cleanUp());

  it("cancels an order whose provider never answers (tok_unreachable) with PAYMENT_TIMEOUT, releasing its stock", async () => {
    const product = await shop.build.product({ name: "Never Paid", price: "20.00", stock: 3 });
    const placed = await placeOrder(
      shop.url,
      shop.customer.accessToken,
      placeOrderInput([{ productId: product.id, quantity: 3 }], "tok_unreachable"),
    );
    const order = await waitForOrder(
      shop.url,
      shop.customer.accessToken,
      placed.id,
      settled,
      "the payment window to close",
      10_000,
    );
    expect(order).toMatchObject({ status: "CANCELLED", cancellationReason: "PAYMENT_TIMEOUT" });
    expect(order.statusHistory.at(-1)?.reason).toMatch(/did not settle|payment window/);
    await waitFor(
      async () => (await stockOf(shop.url, shop.admin.accessToken, product.id)).reserved === 0,
      "the stock to be released",
    );
    const withPayment = await waitForOrder(
      shop.url,
      shop.customer.accessToken,
      placed.id,
      (each) => each.payment?.status === "FAILED",
      "the payment to stop",
    );
    expect(withPayment.payment?.status).toBe("FAILED");
    const paymentId = withPayment.payment!.id;
    const attempts = await services.payments.runtime.db.paymentAttempt.findMany({ where: { paymentId } });
    expect(attempts.length).toBeGreaterThan(2);
    // Every try carried the same key, and the provider captured nothing under it.
    expect(new Set(attempts.map((attempt) => attempt.idempotencyKey))).toEqual(new Set([`capture:${paymentId}`]));
    expect(
      services.payments.provider.log.filter(
        (entry) => entry.idempotencyKey === `capture:${paymentId}` && entry.result === "captured",
      ),
    ).toEqual([]);
  });

  it("cancels an order stuck before its stock was reserved, and says which step never completed", async () => {
    const product = await shop.build.product({ name: "Stuck", price: "1.00", stock: 2 });
    const port = services.inventory.port;
    await services.inventory.stop();
    try {
      const placed = await placeOrder(
        shop.url,
        shop.customer.accessToken,
        placeOrderInput([{ productId: product.id, quantity: 1 }]),
      );
      const order = await waitForOrder(
        shop.url,
        shop.customer.accessToken,
        placed.id,
        settled,
        "the payment window to close",
        10_000,
      );
      expect(order).toMatchObject({ status: "CANCELLED", cancellationReason: "PAYMENT_TIMEOUT" });
      expect(order.statusHistory.at(-1)?.reason).toMatch(/stock reservation never completed/);
    } finally {
      services.inventory = await startTestSubgraph(inventoryService, services.testId, {
        ...services.shared,
        PORT: String(port),
      });
    }
    // Inventory, back, hears of the order and of its cancellation: nothing stays reserved.
    await waitFor(
      async () =>
        (await services.inventory.runtime.db.stockLevel.findUnique({ where: { variantId: product.id } }))?.reserved ===
        0,
      "nothing reserved",
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(
      (await services.inventory.runtime.db.stockLevel.findUniqueOrThrow({ where: { variantId: product.id } })).reserved,
    ).toBe(0);
  });
});

describe("concurrency and outages", () => {
  let services: Checkout;
  let shop: Awaited<ReturnType<typeof shopFor>>;

  beforeAll(async () => {
    services = await startServices(checkoutServices, {
      common: { EVENT_RETRY_DELAYS_MS: "50,100,200", EVENT_MAX_DELIVERIES: "4" },
    });
    shop = await shopFor(services);
  });

  afterAll(() => services?.cleanUp());

  it("never oversells: 100 concurrent orders of one unit for 30 available end 30 CONFIRMED and 70 OUT_OF_STOCK", async () => {
    const product = await shop.build.product({ name: "Hot Item", price: "99.00", stock: 30 });
    const customers = await Promise.all(Array.from({ length: 10 }, () => registerCustomer(shop.url)));
    const placed = await Promise.all(
      Array.from({ length: 100 }, (_, n) =>
        placeOrder(shop.url, customers[n % 10]!.accessToken, placeOrderInput([{ productId: product.id, quantity: 1 }])),
      ),
    );
    expect(placed.every((order) => order.status === "PENDING")).toBe(true);
    const ids = placed.map((order) => order.id);
    // Watch the orders' own store rather than polling 100 orders through the router.
    await waitFor(
      async () =>
        (await services.orders.runtime.db.order.count({
          where: { id: { in: ids }, status: { in: ["PENDING", "AWAITING_PAYMENT"] } },
        })) === 0,
      "every order to settle",
      30_000,
    );
    const final = await Promise.all(
      placed.map((order, n) => fetchOrder(shop.url, customers[n % 10]!.accessToken, order.id)),
    );
    const confirmed = final.filter((order) => order.status === "CONFIRMED");
    const outOfStock = final.filter((order) => order.cancellationReason === "OUT_OF_STOCK");
    expect(confirmed).toHaveLength(30);
    expect(outOfStock).toHaveLength(70);
    expect(await stockOf(shop.url, shop.admin.accessToken, product.id)).toEqual({
      onHand: 30,
      reserved: 30,
      available: 0,
    });

    // Every confirmed order ships: the reservations become deductions and nothing is left reserved.
    await Promise.all(
      confirmed.map((order) =>
        graphqlData(shop.url, `mutation($input: ShipOrderInput!) { shipOrder(input: $input) { id } }`, {
          token: shop.admin.accessToken,
          variables: { input: { orderId: order.id, carrier: "UPS", trackingNumber: order.number } },
        }),
      ),
    );
    await waitFor(
      async () => (await stockOf(shop.url, shop.admin.accessToken, product.id)).reserved === 0,
      "every deduction",
    );
    expect(await stockOf(shop.url, shop.admin.accessToken, product.id)).toEqual({
      onHand: 0,
      reserved: 0,
      available: 0,
    });
    const ledger = await services.inventory.runtime.db.stockMovement.findMany({ where: { productId: product.id } });
    expect(
      ledger.every(
        (entry) => entry.onHandAfter >= 0 && entry.reservedAfter >= 0 && entry.reservedAfter <= entry.onHandAfter,
      ),
    ).toBe(true);
  });

  it("settles every order placed while inventory is down, once it is back: nothing lost or doubled", async () => {
    const product = await shop.build.product({ name: "Patient Item", price: "4.00", stock: 50 });
    const port = services.inventory.port;
    await services.inventory.stop();
    let placed: OrderView[];
    try {
      placed = await Promise.all(
        Array.from({ length: 8 }, () =>
          placeOrder(shop.url, shop.customer.accessToken, placeOrderInput([{ productId: product.id, quantity: 2 }])),
        ),
      );
      await new Promise((resolve) => setTimeout(resolve, 700));
      for (const order of placed)
        expect((await fetchOrder(shop.url, shop.customer.accessToken, order.id)).status).toBe("PENDING");
    } finally {
      services.inventory = await startTestSubgraph(inventoryService, services.testId, {
        ...services.shared,
        PORT: String(port),
      });
    }
    const final = await Promise.all(
      placed.map((order) =>
        waitForOrder(shop.url, shop.customer.accessToken, order.id, settled, "every order to settle", 20_000),
      ),
    );
    expect(final.every((order) => order.status === "CONFIRMED")).toBe(true);
    expect(await services.inventory.runtime.db.reservation.count({ where: { productId: product.id } })).toBe(8);
    expect(await stockOf(shop.url, shop.admin.accessToken, product.id)).toEqual({
      onHand: 50,
      reserved: 16,
      available: 34,
    });
  });

  it("captures once when the same payment request is delivered twice", async () => {
    const product = await shop.build.product({ name: "Charged Once", price: "30.00", stock: 5 });
    const placed = await placeOrder(
      shop.url,
      shop.customer.accessToken,
      placeOrderInput([{ productId: product.id, quantity: 1 }]),
    );
    const order = await waitForOrder(
      shop.url,
      shop.customer.accessToken,
      placed.id,
      (each) => each.status === "CONFIRMED",
      "CONFIRMED",
    );
    const outbox = await services.orders.runtime.db.outboxEvent.findFirstOrThrow({
      where: { type: "orders.payment.requested", envelope: { path: ["data", "orderId"], equals: placed.id } },
    });
    const nats = await connect({ servers: process.env.NATS_URL ?? "nats://127.0.0.1:4222" });
    const js = nats.jetstream();
    // The same event again (a redelivery), and a copy under a new id (a duplicate publication).
    const subject = subjectFor(services.testId, "orders.payment.requested");
    await js.publish(subject, JSON.stringify(outbox.envelope), { msgID: `${outbox.id}-again` });
    await js.publish(subject, JSON.stringify({ ...(outbox.envelope as object), id: randomUUID() }));
    await waitFor(async () => {
      const info = await (
        await nats.jetstreamManager()
      ).consumers.info(`${services.testId}_ORDERS`.toUpperCase(), "payments__orders_payment_requested");
      return info.num_pending === 0 && info.num_ack_pending === 0;
    }, "payments to handle the copies");
    await nats.close();
    expect(services.payments.provider.capturesFor(`capture:${order.payment!.id}`)).toBe(1);
    expect(await services.payments.runtime.db.paymentAttempt.count({ where: { paymentId: order.payment!.id } })).toBe(
      1,
    );
    expect(
      (await fetchOrder(shop.url, shop.customer.accessToken, placed.id)).statusHistory.map((change) => change.status),
    ).toEqual(["PENDING", "AWAITING_PAYMENT", "CONFIRMED"]);
  });

  it("sends an event that keeps failing to the dead-letter subject after bounded retries", async () => {
    const consumer = "orders__inventory_reservation_succeeded";
    const tap = await NatsTap.open(deadLetterSubject(services.testId, consumer));
    const nats = await connect({ servers: process.env.NATS_URL ?? "nats://127.0.0.1:4222" });
    const orphan = randomUUID();
    const envelope = {
      id: randomUUID(),
      type: "inventory.reservation.succeeded",
      occurredAt: new Date().toISOString(),
      source: "inventory",
      data: { orderId: orphan },
    };
    const h = headers();
    h.set("x-test", "poison");
    await nats
      .jetstream()
      .publish(subjectFor(services.testId, "inventory.reservation.succeeded"), JSON.stringify(envelope), {
        headers: h,
      });
    const [dead] = (await waitFor(() => tap.received.length > 0 && tap.received, "the dead letter", 10_000)) as Array<{
      consumer: string;
      deliveries: number;
      error: string;
      event: { id: string };
    }>;
    expect(dead).toMatchObject({
      consumer,
      deliveries: 4,
      error: expect.stringContaining(orphan),
      event: { id: envelope.id },
    });
    await nats.close();
    await tap.close();
  });
});

describe("while NATS is down", () => {
  let privateNats: PrivateNats;
  let services: Checkout;
  let shop: Awaited<ReturnType<typeof shopFor>>;

  beforeAll(async () => {
    privateNats = await PrivateNats.start();
    services = await startServices(checkoutServices, { common: { NATS_URL: privateNats.url } });
    shop = await shopFor(services);
  });

  afterAll(async () => {
    await services?.cleanUp();
    await privateNats?.destroy();
  });

  it("still places orders, and completes their saga once NATS is back", async () => {
    const product = await shop.build.product({ name: "Offline Order", price: "12.00", stock: 5 });
    await waitFor(
      async () => (await services.orders.runtime.db.catalogVariant.count({ where: { productId: product.id } })) === 1,
      "orders to know the product",
    );
    await privateNats.pause();
    let placed: OrderView;
    try {
      placed = await placeOrder(
        shop.url,
        shop.customer.accessToken,
        placeOrderInput([{ productId: product.id, quantity: 1 }]),
      );
      expect(placed.status).toBe("PENDING");
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect((await fetchOrder(shop.url, shop.customer.accessToken, placed.id)).status).toBe("PENDING");
    } finally {
      await privateNats.resume();
    }
    const order = await waitForOrder(
      shop.url,
      shop.customer.accessToken,
      placed!.id,
      settled,
      "the saga to complete",
      30_000,
    );
    expect(order.status).toBe("CONFIRMED");
  });
});

// Keeps the type of a session reachable for readers of this file.
export type { Session };
