import { randomUUID } from "node:crypto";
import { createNotificationsDatabase } from "../../subgraphs/notifications";
import { createOrdersDatabase } from "../../subgraphs/orders";
import { createPaymentsDatabase } from "../../subgraphs/payments";
import { createInventoryDatabase } from "../../subgraphs/inventory";
import { graphql, graphqlData } from "../support/graphqlClient";
import { loginAdmin, registerCustomer } from "../support/identity";
import { startStack, type RunningStack } from "../support/stack";
import { newTestId } from "../support/testNames";
import { waitFor } from "../support/waitFor";

const acrossAllSix = `
  query AcrossAllSix($orderId: ID!) {
    order(id: $orderId) {
      number
      status
      total { amount currency }
      statusHistory { status reason }
      customer {
        name
        email
        orders { totalCount edges { node { number } } }
        notifications(channel: IN_APP) { totalCount unreadCount edges { node { subject read } } }
      }
      items {
        quantity
        unitPrice { amount currency }
        lineTotal { amount }
        product { name sku price { amount } category { name } stock { available inStock } }
      }
      payment { status amount { amount currency } refundedAmount { amount } }
    }
  }
`;

describe("the supergraph end to end: six subgraph processes behind the router", () => {
  const testId = newTestId();
  let stack: RunningStack;

  beforeAll(async () => {
    stack = await startStack(testId);
  }, 120_000);

  afterAll(async () => {
    await stack?.destroy();
  }, 60_000);

  it("answers one query whose fields come from all six subgraphs", async () => {
    // The catalog through the router, as the admin; the stock record follows through NATS.
    const admin = await loginAdmin(stack.routerUrl);
    const { createCategory: category } = await graphqlData(
      stack.routerUrl,
      `mutation { createCategory(input: { name: "Audio", slug: "audio" }) { id } }`,
      {
        token: admin.accessToken,
      },
    );
    const { createProduct: product } = await graphqlData(
      stack.routerUrl,
      `mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }`,
      {
        token: admin.accessToken,
        variables: { input: { sku: "E2E-1", name: "Studio Headphones", price: "149.90", categoryId: category.id } },
      },
    );
    const inventoryDb = createInventoryDatabase(stack.databaseUrl("inventory"));
    await waitFor(
      () => inventoryDb.stockLevel.findUnique({ where: { variantId: product.id } }).then((row) => row ?? undefined),
      "the stock record",
    );
    await inventoryDb.stockLevel.update({ where: { variantId: product.id }, data: { onHand: 12, reserved: 2 } });

    // A customer, registered through the router, with an order, its payment and a notification
    // written into each owning service's database.
    const notificationsDb = createNotificationsDatabase(stack.databaseUrl("notifications"));
    const customer = await registerCustomer(stack.routerUrl, { email: "ada@example.com", name: "Ada Lovelace" });
    const user = customer.user;
    // Its welcome arrives through NATS; wait for it so the inbox below is what it will stay.
    await waitFor(
      async () => (await notificationsDb.notification.count({ where: { userId: user.id, kind: "WELCOME" } })) === 4,
      "the welcome notifications",
    );
    const ordersDb = createOrdersDatabase(stack.databaseUrl("orders"));
    const paymentsDb = createPaymentsDatabase(stack.databaseUrl("payments"));
    const order = await ordersDb.order.create({
      data: {
        number: "K7M-4PQ2",
        customerId: user.id,
        status: "CONFIRMED",
        subtotalMinor: 29980n,
        totalMinor: 29980n,
        shippingAddress: { line1: "1 Analytical St", city: "London", postalCode: "N1", country: "GB" },
        items: {
          create: [{ position: 0, productId: product.id, variantId: product.id, quantity: 2, unitPriceMinor: 14990n }],
        },
        statusHistory: {
          create: [
            { status: "PENDING" },
            { status: "AWAITING_PAYMENT" },
            { status: "CONFIRMED", reason: "payment captured" },
          ],
        },
      },
    });
    await paymentsDb.payment.create({
      data: { orderId: order.id, customerId: user.id, status: "SUCCEEDED", amountMinor: 29980n },
    });
    await notificationsDb.notification.create({
      data: {
        userId: user.id,
        channel: "IN_APP",
        kind: "ORDER_CONFIRMED",
        subject: "Order K7M-4PQ2 confirmed",
        body: "Thanks!",
        sourceEventId: randomUUID(),
      },
    });
    await Promise.all([inventoryDb, ordersDb, paymentsDb, notificationsDb].map((db) => db.$disconnect()));

    const { order: seen } = await graphqlData(stack.routerUrl, acrossAllSix, {
      token: customer.accessToken,
      variables: { orderId: order.id },
    });
    expect(seen).toEqual({
      number: "K7M-4PQ2",
      status: "CONFIRMED",
      total: { amount: "299.80", currency: "USD" },
      statusHistory: [
        { status: "PENDING", reason: null },
        { status: "AWAITING_PAYMENT", reason: null },
        { status: "CONFIRMED", reason: "payment captured" },
      ],
      customer: {
        name: "Ada Lovelace",
        email: "ada@example.com",
        orders: { totalCount: 1, edges: [{ node: { number: "K7M-4PQ2" } }] },
        notifications: {
          totalCount: 2,
          unreadCount: 2,
          edges: [
            { node: { subject: "Order K7M-4PQ2 confirmed", read: false } },
            { node: { subject: "Welcome, Ada Lovelace", read: false } },
          ],
        },
      },
      items: [
        {
          quantity: 2,
          unitPrice: { amount: "149.90", currency: "USD" },
          lineTotal: { amount: "299.80" },
          product: {
            name: "Studio Headphones",
            sku: "E2E-1",
            price: { amount: "149.90" },
            category: { name: "Audio" },
            stock: { available: 10, inStock: true },
          },
        },
      ],
      payment: {
        status: "SUCCEEDED",
        amount: { amount: "299.80", currency: "USD" },
        refundedAmount: { amount: "0.00" },
      },
    });
  });

  it("rejects a malformed query at the router", async () => {
    const result = await graphql(stack.routerUrl, "{ order(id: 1) { nope } }");
    expect(result.errors?.[0]?.extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
  });

  it("reports every subgraph ready, and every process stops cleanly on SIGTERM", async () => {
    const ready = await fetch(new URL("/health/ready", stack.routerUrl));
    expect(ready.status).toBe(200);
    for (const url of Object.values(stack.subgraphUrls)) {
      const body = await (await fetch(new URL("/health/ready", url))).json();
      expect(body).toMatchObject({
        status: "ready",
        checks: { database: { ok: true }, nats: { ok: true }, redis: { ok: true } },
      });
    }
    const exitCodes = await stack.stop();
    expect(Object.values(exitCodes)).toEqual([0, 0, 0, 0, 0, 0, 0]);
  });
});
