import { importJWK, SignJWT, type JWK, type KeyLike } from "jose";
import { Redis } from "ioredis";
import WebSocket from "ws";
import { customerOrdersChannel, orderChannel } from "../../../subgraphs/common/orderUpdates";
import type { RunningRouter } from "../../../router";
import { graphql, graphqlData } from "../../support/graphqlClient";
import { CatalogBuilder } from "../../support/catalogBuilder";
import { placeOrder, placeOrderInput, waitForOrder } from "../../support/checkout";
import { loginAdmin, registerCustomer, type Session } from "../../support/identity";
import { collect, subscriptionClient } from "../../support/subscriptionClient";
import { startTestRouter } from "../../support/testRouter";
import { startServices, type TestServices } from "../../support/testServices";
import { waitFor } from "../../support/waitFor";

const orderStatusChanged = `
  subscription OrderStatusChanged($orderId: ID!) {
    orderStatusChanged(orderId: $orderId) { id status cancellationReason items { product { id name } quantity } payment { status } }
  }
`;
const myOrderUpdates = `subscription MyOrderUpdates { myOrderUpdates { id number status } }`;

describe("live order status over graphql-ws, through the router", () => {
  let services: TestServices<"products" | "inventory" | "orders" | "payments">;
  let url: string;
  let admin: Session;
  let customer: Session;
  let build: CatalogBuilder;
  let redis: Redis;
  let secondRouter: RunningRouter;

  beforeAll(async () => {
    services = await startServices(["products", "inventory", "orders", "payments"], {
      settings: {
        router: {
          MAX_SUBSCRIPTIONS_PER_CONNECTION: "3",
          MAX_SUBSCRIPTIONS_PER_USER: "4",
          SUBSCRIPTION_KEEPALIVE_MS: "1000",
        },
      },
    });
    url = services.router.url;
    admin = await loginAdmin(url);
    customer = await registerCustomer(url);
    build = new CatalogBuilder(url, admin.accessToken);
    redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
    const urls = {
      users: services.users.url,
      products: services.products.url,
      inventory: services.inventory.url,
      orders: services.orders.url,
      payments: services.payments.url,
    };
    secondRouter = await startTestRouter(urls, {
      USERS_JWKS_URL: services.shared.USERS_JWKS_URL!,
      REDIS_KEY_PREFIX: services.shared.REDIS_KEY_PREFIX!,
    });
  });

  afterAll(async () => {
    redis?.disconnect();
    await secondRouter?.stop();
    await services?.cleanUp();
  });

  const listeners = async (channel: string) => Number(((await redis.pubsub("NUMSUB", channel)) as [string, number])[1]);
  const ship = (orderId: string) =>
    graphqlData(url, `mutation($input: ShipOrderInput!) { shipOrder(input: $input) { id } }`, {
      token: admin.accessToken,
      variables: { input: { orderId, carrier: "UPS", trackingNumber: "1Z1" } },
    });
  const deliver = (orderId: string) =>
    graphqlData(url, `mutation($id: ID!) { markOrderDelivered(id: $id) { id } }`, {
      token: admin.accessToken,
      variables: { id: orderId },
    });

  it("tells every status of a paid order, in order, exactly once, with fields from every subgraph", async () => {
    const product = await build.product({ name: "Live Lamp", price: "10.00", stock: 5 });
    const client = subscriptionClient(url, customer.accessToken);
    // The provider holds every capture until released, so the order cannot get past
    // AWAITING_PAYMENT before the subscription's first message has arrived.
    const release = services.payments.provider.holdCaptures();
    let placed: { id: string };
    let watch: ReturnType<typeof collect>;
    try {
      placed = await placeOrder(url, customer.accessToken, placeOrderInput([{ productId: product.id, quantity: 1 }]));
      watch = collect(client, orderStatusChanged, { orderId: placed.id });
      await waitFor(() => watch.messages.length > 0, "the first message");
    } finally {
      release();
    }
    await waitForOrder(url, customer.accessToken, placed.id, (order) => order.status === "CONFIRMED", "CONFIRMED");
    await waitFor(
      () => watch.messages.some((message) => message.data?.orderStatusChanged.status === "CONFIRMED"),
      "CONFIRMED to arrive",
    );
    await ship(placed.id);
    await deliver(placed.id);
    await waitFor(
      () => watch.messages.some((message) => message.data?.orderStatusChanged.status === "DELIVERED"),
      "DELIVERED to arrive",
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    const statuses = watch.messages.map((message) => message.data?.orderStatusChanged.status);
    // The first message is the order as it was when the subscription started.
    expect(["PENDING", "AWAITING_PAYMENT"]).toContain(statuses[0]);
    const all = ["PENDING", "AWAITING_PAYMENT", "CONFIRMED", "SHIPPED", "DELIVERED"];
    expect(statuses).toEqual(all.slice(all.indexOf(statuses[0]!)));
    expect(watch.messages.every((message) => !message.errors)).toBe(true);
    const last = watch.messages.at(-1)!.data!.orderStatusChanged;
    expect(last).toEqual({
      id: placed.id,
      status: "DELIVERED",
      cancellationReason: null,
      items: [{ product: { id: product.id, name: "Live Lamp" }, quantity: 1 }],
      payment: { status: "SUCCEEDED" },
    });
    watch.stop();
    await client.dispose();
  });

  it("never tells an older status after a newer one, such as a change that arrives after the first read", async () => {
    const product = await build.product({ name: "Late News", price: "4.00", stock: 5 });
    const placed = await placeOrder(
      url,
      customer.accessToken,
      placeOrderInput([{ productId: product.id, quantity: 1 }]),
    );
    await waitForOrder(url, customer.accessToken, placed.id, (order) => order.status === "CONFIRMED", "CONFIRMED");
    const client = subscriptionClient(url, customer.accessToken);
    const watch = collect(client, orderStatusChanged, { orderId: placed.id });
    await waitFor(() => watch.messages.length > 0, "the first message");
    expect(watch.messages[0]?.data?.orderStatusChanged.status).toBe("CONFIRMED");
    // A change older than what the first message told reaches the router late (as one queued
    // while the first read was in flight does, or one published out of order).
    const stale = {
      orderId: placed.id,
      customerId: customer.user.id,
      number: placed.number,
      status: "AWAITING_PAYMENT",
      cancellationReason: null,
      at: new Date(0).toISOString(),
    };
    await redis.publish(orderChannel(`${services.testId}:`, placed.id), JSON.stringify(stale));
    await ship(placed.id);
    // The stale change reached the router's Redis subscription before SHIPPED, and changes are told
    // in the order they arrive: had it been told, it would be among the messages by now.
    await waitFor(
      () => watch.messages.some((message) => message.data?.orderStatusChanged.status === "SHIPPED"),
      "SHIPPED to arrive",
    );
    expect(watch.messages.map((message) => message.data?.orderStatusChanged.status)).toEqual(["CONFIRMED", "SHIPPED"]);
    await client.dispose();
  });

  it("answers a customer watching someone else's order with FORBIDDEN, and an unknown order with NOT_FOUND", async () => {
    const product = await build.product({ name: "Private Parcel", price: "1.00", stock: 1 });
    const placed = await placeOrder(
      url,
      customer.accessToken,
      placeOrderInput([{ productId: product.id, quantity: 1 }]),
    );
    const stranger = await registerCustomer(url);
    const client = subscriptionClient(url, stranger.accessToken);
    const watch = collect(client, orderStatusChanged, { orderId: placed.id });
    await waitFor(() => watch.completed, "the subscription to end");
    expect(watch.messages).toHaveLength(1);
    expect(watch.messages[0]?.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect(watch.messages[0]?.data?.orderStatusChanged ?? null).toBeNull();
    const unknown = collect(client, orderStatusChanged, { orderId: "00000000-0000-4000-8000-000000000000" });
    await waitFor(() => unknown.completed, "the subscription to end");
    expect(unknown.messages[0]?.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    // An admin may watch any order.
    const adminClient = subscriptionClient(url, admin.accessToken);
    const adminWatch = collect(adminClient, orderStatusChanged, { orderId: placed.id });
    await waitFor(() => adminWatch.messages.length > 0, "the admin's first message");
    expect(adminWatch.messages[0]?.data?.orderStatusChanged.id).toBe(placed.id);
    adminWatch.stop();
    await Promise.all([client.dispose(), adminClient.dispose()]);
  });

  it("answers a malformed subscription with errors, not silence", async () => {
    const client = subscriptionClient(url, customer.accessToken);
    const watch = collect(client, `subscription { orderStatusChanged(orderId: "x") { notAField } }`);
    await waitFor(() => watch.error !== undefined, "the error");
    expect(JSON.stringify(watch.error)).toMatch(/notAField/);
    const missing = collect(client, `subscription($id: ID!) { orderStatusChanged(orderId: $id) { id } }`);
    await waitFor(() => missing.completed || missing.error !== undefined, "the error");
    expect(JSON.stringify(missing.error ?? missing.messages)).toMatch(/\$id|orderId/);
    await client.dispose();
  });

  it("refuses a connection without a valid token, saying why", async () => {
    for (const token of [undefined, "not-a-token"]) {
      let closed: { code: number; reason: string } | undefined;
      const client = subscriptionClient(url, token, { onClosed: (event) => (closed = event) });
      const watch = collect(client, myOrderUpdates);
      await waitFor(() => closed, "the connection to close");
      expect(closed?.code).toBe(4401);
      expect(closed?.reason).toMatch(token ? /not valid/ : /authorization/);
      expect(watch.messages).toEqual([]);
      await client.dispose();
    }
  });

  it("closes the subscription when its access token expires, with a clear reason", async () => {
    const stored = await services.users.runtime.db.signingKey.findFirstOrThrow();
    const key = (await importJWK(stored.privateJwk as unknown as JWK, "EdDSA")) as KeyLike;
    const now = Math.floor(Date.now() / 1000);
    const shortLived = await new SignJWT({ roles: ["CUSTOMER"], sid: "5b1f2f0e-9f5e-4d1a-8a59-2f9a6f1d0c11" })
      .setProtectedHeader({ alg: "EdDSA", kid: stored.kid })
      .setSubject(customer.user.id)
      .setIssuer("commerce-users")
      .setAudience("commerce-api")
      .setIssuedAt(now)
      .setExpirationTime(now + 2)
      .sign(key);
    let closed: { code: number; reason: string } | undefined;
    const client = subscriptionClient(url, shortLived, { onClosed: (event) => (closed = event) });
    collect(client, myOrderUpdates);
    await waitFor(() => closed, "the connection to close", 6000);
    expect({ code: closed?.code, reason: closed?.reason }).toEqual({
      code: 4401,
      reason: "The access token has expired: reconnect with a fresh token.",
    });
    await client.dispose();
  });

  it("tells the signed-in customer of every change of any of their orders", async () => {
    const shopper = await registerCustomer(url);
    const product = await build.product({ name: "My Updates", price: "2.00", stock: 5 });
    const client = subscriptionClient(url, shopper.accessToken);
    const watch = collect(client, myOrderUpdates);
    await waitFor(
      async () => (await listeners(customerOrdersChannel(services.testId + ":", shopper.user.id))) === 1,
      "the subscription to listen",
    );
    const first = await placeOrder(url, shopper.accessToken, placeOrderInput([{ productId: product.id, quantity: 1 }]));
    await placeOrder(
      url,
      shopper.accessToken,
      placeOrderInput([{ productId: product.id, quantity: 1 }], "tok_declined"),
    );
    await waitFor(
      () =>
        watch.messages.filter((message) => ["CONFIRMED", "CANCELLED"].includes(message.data?.myOrderUpdates.status))
          .length === 2,
      "both orders to settle",
    );
    const seen = watch.messages.map(
      (message) =>
        `${message.data?.myOrderUpdates.id === first.id ? "first" : "second"}:${message.data?.myOrderUpdates.status}`,
    );
    expect(seen.filter((entry) => entry.startsWith("first"))).toEqual([
      "first:PENDING",
      "first:AWAITING_PAYMENT",
      "first:CONFIRMED",
    ]);
    expect(seen.filter((entry) => entry.startsWith("second"))).toEqual([
      "second:PENDING",
      "second:AWAITING_PAYMENT",
      "second:CANCELLED",
    ]);
    expect(watch.messages[0]?.data?.myOrderUpdates.number).toMatch(/^[0-9A-Z]{3}-/);
    await client.dispose();
  });

  it("answers a selection of what the change carries without the gateway, and stops a revoked session", async () => {
    const shopper = await registerCustomer(url);
    const product = await build.product({ name: "Straight From Redis", price: "3.00", stock: 5 });
    let closed: { code: number; reason: string } | undefined;
    const client = subscriptionClient(url, shopper.accessToken, { onClosed: (event) => (closed = event) });
    const watch = collect(client, `subscription { myOrderUpdates { id ref: number status __typename } }`);
    await waitFor(
      async () => (await listeners(customerOrdersChannel(services.testId + ":", shopper.user.id))) === 1,
      "the subscription to listen",
    );
    const placed = await placeOrder(
      url,
      shopper.accessToken,
      placeOrderInput([{ productId: product.id, quantity: 1 }]),
    );
    await waitFor(
      () => watch.messages.some((message) => message.data?.myOrderUpdates.status === "CONFIRMED"),
      "CONFIRMED",
    );
    expect(watch.messages.map((message) => message.data?.myOrderUpdates)).toEqual(
      ["PENDING", "AWAITING_PAYMENT", "CONFIRMED"].map((status) => ({
        id: placed.id,
        ref: placed.number,
        status,
        __typename: "Order",
      })),
    );

    // A change told with no query to the orders service (what reaches it goes through the gateway).
    const ordersOperations = async () =>
      (await services.orders.runtime.metrics.registry.getSingleMetric("graphql_operations_total")!.get()).values.reduce(
        (sum, value) => sum + value.value,
        0,
      );
    const operationsBefore = await ordersOperations();
    const change = (status: string) =>
      JSON.stringify({
        orderId: placed.id,
        customerId: shopper.user.id,
        number: placed.number,
        status,
        cancellationReason: null,
        at: new Date().toISOString(),
      });
    const channel = customerOrdersChannel(`${services.testId}:`, shopper.user.id);
    await redis.publish(channel, change("SHIPPED"));
    await waitFor(
      () => watch.messages.some((message) => message.data?.myOrderUpdates.status === "SHIPPED"),
      "SHIPPED from the change alone",
    );
    expect(await ordersOperations()).toBe(operationsBefore);

    // The session ends (logout): the next change is not told, and the connection closes, saying why.
    await graphqlData(url, `mutation($token: String!) { logout(refreshToken: $token) }`, {
      variables: { token: shopper.refreshToken },
    });
    // The router has heard of it once it refuses the token over HTTP too.
    await waitFor(
      async () =>
        (
          await graphql(
            url,
            `
              {
                me {
                  id
                }
              }
            `,
            { token: shopper.accessToken },
          )
        ).errors?.[0]?.extensions?.code === "UNAUTHENTICATED",
      "the router to know the session ended",
    );
    await redis.publish(channel, change("DELIVERED"));
    await waitFor(() => closed, "the connection to close");
    expect({ code: closed?.code, reason: closed?.reason }).toEqual({
      code: 4401,
      reason: "The session has ended: sign in again.",
    });
    expect(watch.messages.map((message) => message.data?.myOrderUpdates.status)).not.toContain("DELIVERED");
    await client.dispose();
  });

  it("serves a subscriber on one router while the order is driven through another", async () => {
    const product = await build.product({ name: "Two Routers", price: "3.00", stock: 5 });
    const placed = await placeOrder(
      secondRouter.url,
      customer.accessToken,
      placeOrderInput([{ productId: product.id, quantity: 1 }], "tok_unreachable"),
    );
    const client = subscriptionClient(url, customer.accessToken);
    const watch = collect(client, orderStatusChanged, { orderId: placed.id });
    await waitFor(() => watch.messages.length > 0, "the first message");
    await graphqlData(secondRouter.url, `mutation($id: ID!) { cancelOrder(id: $id) { id } }`, {
      token: customer.accessToken,
      variables: { id: placed.id },
    });
    await waitFor(
      () => watch.messages.some((message) => message.data?.orderStatusChanged.status === "CANCELLED"),
      "the cancellation to arrive",
    );
    expect(watch.messages.at(-1)?.data?.orderStatusChanged).toMatchObject({
      status: "CANCELLED",
      cancellationReason: "CANCELLED_BY_CUSTOMER",
    });
    await client.dispose();
  });

  it("leaves no Redis subscription behind when clients unsubscribe or vanish", async () => {
    const product = await build.product({ name: "Cleanup", price: "1.00", stock: 5 });
    const placed = await placeOrder(
      url,
      customer.accessToken,
      placeOrderInput([{ productId: product.id, quantity: 1 }]),
    );
    const channel = orderChannel(`${services.testId}:`, placed.id);
    const polite = subscriptionClient(url, customer.accessToken);
    const watches = [
      collect(polite, orderStatusChanged, { orderId: placed.id }),
      collect(polite, orderStatusChanged, { orderId: placed.id }),
    ];
    await waitFor(() => watches.every((watch) => watch.messages.length > 0), "both first messages");
    expect(await listeners(channel)).toBe(1);
    expect(watches.map((watch) => watch.messages[0]?.data?.orderStatusChanged.id)).toEqual([placed.id, placed.id]);
    for (const watch of watches) watch.stop();
    await waitFor(async () => (await listeners(channel)) === 0, "the unsubscribes to reach Redis");
    await polite.dispose();

    // A client that vanishes without a word (its socket just drops).
    const raw = new WebSocket(url.replace(/^http/, "ws"), "graphql-transport-ws");
    await new Promise((resolve) => raw.once("open", resolve));
    raw.send(JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${customer.accessToken}` } }));
    await new Promise((resolve) => raw.once("message", resolve));
    raw.send(
      JSON.stringify({
        id: "1",
        type: "subscribe",
        payload: { query: orderStatusChanged, variables: { orderId: placed.id } },
      }),
    );
    await waitFor(async () => (await listeners(channel)) === 1, "the raw subscription to listen");
    raw.terminate();
    await waitFor(async () => (await listeners(channel)) === 0, "the vanished client's subscription to be dropped");
  });

  it("bounds subscriptions per connection and per user", async () => {
    const shopper = await registerCustomer(url);
    const product = await build.product({ name: "Bounded", price: "1.00", stock: 5 });
    const placed = await placeOrder(
      url,
      shopper.accessToken,
      placeOrderInput([{ productId: product.id, quantity: 1 }]),
    );
    const first = subscriptionClient(url, shopper.accessToken);
    const perConnection = [1, 2, 3, 4].map(() => collect(first, orderStatusChanged, { orderId: placed.id }));
    await waitFor(
      () =>
        perConnection.filter((watch) => watch.messages.length > 0).length === 3 &&
        perConnection[3]!.error !== undefined,
      "three to start, one refused",
    );
    expect(JSON.stringify(perConnection[3]!.error)).toMatch(/At most 3 subscriptions per connection/);
    expect(perConnection[3]!.error).toEqual([
      expect.objectContaining({ extensions: { code: "RATE_LIMITED", retryAfter: 1 } }),
    ]);
    const second = subscriptionClient(url, shopper.accessToken);
    const perUser = [
      collect(second, orderStatusChanged, { orderId: placed.id }),
      collect(second, orderStatusChanged, { orderId: placed.id }),
    ];
    await waitFor(() => perUser.every((watch) => watch.messages.length > 0), "the next two to answer");
    expect(perUser[0]!.messages[0]?.data?.orderStatusChanged.id).toBe(placed.id);
    expect(perUser[1]!.messages[0]?.errors?.[0]).toMatchObject({ extensions: { code: "RATE_LIMITED", retryAfter: 1 } });
    await Promise.all([first.dispose(), second.dispose()]);
  });

  it("pings idle connections to keep them alive", async () => {
    const raw = new WebSocket(url.replace(/^http/, "ws"), "graphql-transport-ws");
    await new Promise((resolve) => raw.once("open", resolve));
    raw.send(JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${customer.accessToken}` } }));
    const pinged = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 3000);
      raw.once("ping", () => (clearTimeout(timer), resolve(true)));
    });
    expect(pinged).toBe(true);
    raw.terminate();
  });
});
