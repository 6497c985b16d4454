import { graphql, graphqlData } from "../../support/graphqlClient";
import { CatalogBuilder } from "../../support/catalogBuilder";
import {
  address,
  errorCodeOf,
  fetchOrder,
  placeOrder,
  placeOrderInput,
  settled,
  stockOf,
  waitForOrder,
} from "../../support/checkout";
import { loginAdmin, registerCustomer, type Session } from "../../support/identity";
import { startServices, type TestServices } from "../../support/testServices";
import { waitFor } from "../../support/waitFor";

describe("the checkout saga across orders, inventory and payments, through the router", () => {
  let services: TestServices<"products" | "inventory" | "orders" | "payments">;
  let url: string;
  let admin: Session;
  let customer: Session;
  let build: CatalogBuilder;

  beforeAll(async () => {
    services = await startServices(["products", "inventory", "orders", "payments"], {
      settings: { payments: { PAYMENT_RETRY_BASE_MS: "50" } },
    });
    url = services.router.url;
    admin = await loginAdmin(url);
    customer = await registerCustomer(url);
    build = new CatalogBuilder(url, admin.accessToken);
  });

  afterAll(() => services?.cleanUp());

  const history = (order: { statusHistory: Array<{ status: string }> }) =>
    order.statusHistory.map((change) => change.status);

  it("takes a paid order to CONFIRMED with stock reserved, then SHIPPED (stock deducted) and DELIVERED", async () => {
    const product = await build.product({ name: "Saga Lamp", price: "24.50", stock: 10 });
    const placed = await placeOrder(
      url,
      customer.accessToken,
      placeOrderInput([{ productId: product.id, quantity: 2 }]),
    );
    expect(placed.status).toBe("PENDING");
    expect(placed.number).toMatch(/^[0-9A-Z]{3}-[0-9A-Z]{5}$/);

    const confirmed = await waitForOrder(
      url,
      customer.accessToken,
      placed.id,
      (order) => order.status === "CONFIRMED",
      "CONFIRMED",
    );
    expect(confirmed).toMatchObject({
      total: { amount: "49.00", currency: "USD" },
      items: [
        {
          product: { id: product.id },
          quantity: 2,
          unitPrice: { amount: "24.50", currency: "USD" },
          lineTotal: { amount: "49.00" },
        },
      ],
      shippingAddress: address,
      payment: {
        status: "SUCCEEDED",
        amount: { amount: "49.00" },
        refundedAmount: { amount: "0.00" },
        failureReason: null,
      },
      shipment: null,
    });
    expect(history(confirmed)).toEqual(["PENDING", "AWAITING_PAYMENT", "CONFIRMED"]);
    expect(await stockOf(url, admin.accessToken, product.id)).toEqual({ onHand: 10, reserved: 2, available: 8 });

    const ship = `mutation($input: ShipOrderInput!) { shipOrder(input: $input) { id status shipment { carrier trackingNumber shippedAt } } }`;
    expect(
      await errorCodeOf(url, ship, customer.accessToken, {
        input: { orderId: placed.id, carrier: "UPS", trackingNumber: "1Z999" },
      }),
    ).toMatchObject({ code: "FORBIDDEN" });
    const { shipOrder } = await graphqlData(url, ship, {
      token: admin.accessToken,
      variables: { input: { orderId: placed.id, carrier: "UPS", trackingNumber: "1Z999" } },
    });
    expect(shipOrder).toMatchObject({
      status: "SHIPPED",
      shipment: { carrier: "UPS", trackingNumber: "1Z999", shippedAt: expect.any(String) },
    });
    await waitFor(async () => (await stockOf(url, admin.accessToken, product.id)).reserved === 0, "the deduction");
    expect(await stockOf(url, admin.accessToken, product.id)).toEqual({ onHand: 8, reserved: 0, available: 8 });

    const { markOrderDelivered } = await graphqlData(
      url,
      `mutation($id: ID!) { markOrderDelivered(id: $id) { id status shipment { deliveredAt } } }`,
      {
        token: admin.accessToken,
        variables: { id: placed.id },
      },
    );
    expect(markOrderDelivered).toMatchObject({ status: "DELIVERED", shipment: { deliveredAt: expect.any(String) } });
    const delivered = await fetchOrder(url, customer.accessToken, placed.id);
    expect(history(delivered)).toEqual(["PENDING", "AWAITING_PAYMENT", "CONFIRMED", "SHIPPED", "DELIVERED"]);
    expect(delivered.statusHistory.every((change) => change.reason && change.at)).toBe(true);
  });

  it("cancels an order that cannot be reserved: OUT_OF_STOCK, nothing reserved", async () => {
    const product = await build.product({ name: "Scarce Item", price: "5.00", stock: 1 });
    const placed = await placeOrder(
      url,
      customer.accessToken,
      placeOrderInput([{ productId: product.id, quantity: 2 }]),
    );
    const order = await waitForOrder(url, customer.accessToken, placed.id, settled, "the order to settle");
    expect(order).toMatchObject({ status: "CANCELLED", cancellationReason: "OUT_OF_STOCK", payment: null });
    expect(order.statusHistory.at(-1)?.reason).toMatch(/2 ordered, 1 available/);
    expect(await stockOf(url, admin.accessToken, product.id)).toMatchObject({ onHand: 1, reserved: 0 });
  });

  it.each([
    ["tok_declined", "card_declined"],
    ["tok_insufficient_funds", "insufficient_funds"],
  ])("cancels a declined payment (%s) and releases the stock", async (token, reason) => {
    const product = await build.product({ name: `Declined ${token}`, price: "7.00", stock: 3 });
    const placed = await placeOrder(
      url,
      customer.accessToken,
      placeOrderInput([{ productId: product.id, quantity: 3 }], token),
    );
    const order = await waitForOrder(url, customer.accessToken, placed.id, settled, "the order to settle");
    expect(order).toMatchObject({
      status: "CANCELLED",
      cancellationReason: "PAYMENT_DECLINED",
      payment: { status: "FAILED", failureReason: reason },
    });
    expect(history(order)).toEqual(["PENDING", "AWAITING_PAYMENT", "CANCELLED"]);
    await waitFor(
      async () => (await stockOf(url, admin.accessToken, product.id)).reserved === 0,
      "the stock to be released",
    );
  });

  it("captures tok_flaky on the retry, with one capture at the provider", async () => {
    const product = await build.product({ name: "Flaky Gadget", price: "11.00", stock: 2 });
    const placed = await placeOrder(
      url,
      customer.accessToken,
      placeOrderInput([{ productId: product.id, quantity: 1 }], "tok_flaky"),
    );
    const order = await waitForOrder(url, customer.accessToken, placed.id, settled, "the order to settle");
    expect(order).toMatchObject({ status: "CONFIRMED", payment: { status: "SUCCEEDED" } });
    const { order: withAttempts } = await graphqlData(
      url,
      `query($id: ID!) { order(id: $id) { payment { attempts { kind outcome idempotencyKey amount { amount } } } } }`,
      {
        token: admin.accessToken,
        variables: { id: placed.id },
      },
    );
    const attempts = withAttempts.payment.attempts;
    expect(attempts.map((attempt: { outcome: string }) => attempt.outcome)).toEqual(["TRANSIENT_ERROR", "SUCCEEDED"]);
    expect(attempts[0].idempotencyKey).toBe(attempts[1].idempotencyKey);
    expect(services.payments.provider.capturesFor(attempts[0].idempotencyKey)).toBe(1);
  });

  it("cancels before payment: the stock returns and nothing is charged", async () => {
    const product = await build.product({ name: "Unpaid Thing", price: "3.00", stock: 4 });
    // The provider never answers, so the order waits for its payment until the customer gives up.
    const placed = await placeOrder(
      url,
      customer.accessToken,
      placeOrderInput([{ productId: product.id, quantity: 2 }], "tok_unreachable"),
    );
    await waitForOrder(
      url,
      customer.accessToken,
      placed.id,
      (order) => order.status === "AWAITING_PAYMENT",
      "AWAITING_PAYMENT",
    );
    const { cancelOrder } = await graphqlData(
      url,
      `mutation($id: ID!) { cancelOrder(id: $id, reason: "changed my mind") { id status cancellationReason } }`,
      {
        token: customer.accessToken,
        variables: { id: placed.id },
      },
    );
    expect(cancelOrder).toEqual({ id: placed.id, status: "CANCELLED", cancellationReason: "CANCELLED_BY_CUSTOMER" });
    await waitFor(
      async () => (await stockOf(url, admin.accessToken, product.id)).reserved === 0,
      "the stock to be released",
    );
    const order = await waitForOrder(
      url,
      customer.accessToken,
      placed.id,
      (each) => each.payment?.status === "FAILED",
      "the payment to be abandoned",
    );
    expect(order.payment).toMatchObject({ status: "FAILED", failureReason: "order_cancelled" });
    expect(order.statusHistory.at(-1)).toMatchObject({ status: "CANCELLED", reason: "changed my mind" });
  });

  it("cancels after payment: a full refund, and the stock back", async () => {
    const product = await build.product({ name: "Regretted Purchase", price: "15.00", stock: 5 });
    const placed = await placeOrder(
      url,
      customer.accessToken,
      placeOrderInput([{ productId: product.id, quantity: 1 }]),
    );
    await waitForOrder(url, customer.accessToken, placed.id, (order) => order.status === "CONFIRMED", "CONFIRMED");
    await graphqlData(url, `mutation($id: ID!) { cancelOrder(id: $id) { id } }`, {
      token: customer.accessToken,
      variables: { id: placed.id },
    });
    const order = await waitForOrder(
      url,
      customer.accessToken,
      placed.id,
      (each) => each.payment?.status === "REFUNDED",
      "the refund",
    );
    expect(order).toMatchObject({
      status: "CANCELLED",
      cancellationReason: "CANCELLED_BY_CUSTOMER",
      payment: { refundedAmount: { amount: "15.00" } },
    });
    await waitFor(
      async () => (await stockOf(url, admin.accessToken, product.id)).reserved === 0,
      "the stock to be released",
    );
    expect(await stockOf(url, admin.accessToken, product.id)).toEqual({ onHand: 5, reserved: 0, available: 5 });
  });

  it("refuses to cancel a shipped order, and lets nobody else cancel one", async () => {
    const product = await build.product({ name: "Shipped Already", price: "2.00", stock: 2 });
    const placed = await placeOrder(
      url,
      customer.accessToken,
      placeOrderInput([{ productId: product.id, quantity: 1 }]),
    );
    await waitForOrder(url, customer.accessToken, placed.id, (order) => order.status === "CONFIRMED", "CONFIRMED");
    const stranger = await registerCustomer(url);
    const cancel = `mutation($id: ID!) { cancelOrder(id: $id) { id status } }`;
    expect(await errorCodeOf(url, cancel, stranger.accessToken, { id: placed.id })).toMatchObject({
      code: "FORBIDDEN",
    });
    await graphqlData(url, `mutation($input: ShipOrderInput!) { shipOrder(input: $input) { id } }`, {
      token: admin.accessToken,
      variables: { input: { orderId: placed.id, carrier: "DHL", trackingNumber: "JD0001" } },
    });
    expect(await errorCodeOf(url, cancel, customer.accessToken, { id: placed.id })).toMatchObject({ code: "CONFLICT" });
    expect(await errorCodeOf(url, cancel, admin.accessToken, { id: placed.id })).toMatchObject({ code: "CONFLICT" });
    const deliverTwice = `mutation($id: ID!) { markOrderDelivered(id: $id) { id } }`;
    await graphqlData(url, deliverTwice, { token: admin.accessToken, variables: { id: placed.id } });
    expect(await errorCodeOf(url, deliverTwice, admin.accessToken, { id: placed.id })).toMatchObject({
      code: "CONFLICT",
    });
  });

  it("refunds in part, then in full, never more than captured; the full refund makes the order REFUNDED", async () => {
    const product = await build.product({ name: "Refundable", price: "40.00", stock: 1 });
    const placed = await placeOrder(
      url,
      customer.accessToken,
      placeOrderInput([{ productId: product.id, quantity: 1 }]),
    );
    await waitForOrder(url, customer.accessToken, placed.id, (order) => order.status === "CONFIRMED", "CONFIRMED");
    const refund = `mutation($input: RefundOrderInput!) { refundOrder(input: $input) { id status amount { amount currency } refundedAmount { amount currency } } }`;
    expect(await errorCodeOf(url, refund, customer.accessToken, { input: { orderId: placed.id } })).toMatchObject({
      code: "FORBIDDEN",
    });
    const partial = await graphqlData(url, refund, {
      token: admin.accessToken,
      variables: { input: { orderId: placed.id, amount: "15.50", reason: "scratched" } },
    });
    expect(partial.refundOrder).toMatchObject({
      status: "PARTIALLY_REFUNDED",
      amount: { amount: "40.00" },
      refundedAmount: { amount: "15.50" },
    });
    expect(
      await errorCodeOf(url, refund, admin.accessToken, { input: { orderId: placed.id, amount: "24.51" } }),
    ).toMatchObject({ code: "BAD_USER_INPUT", field: "amount" });
    expect(
      await errorCodeOf(url, refund, admin.accessToken, { input: { orderId: placed.id, amount: "1.001" } }),
    ).toMatchObject({ code: "BAD_USER_INPUT", field: "amount" });
    // Still CONFIRMED after a partial refund.
    expect((await fetchOrder(url, customer.accessToken, placed.id)).status).toBe("CONFIRMED");
    const rest = await graphqlData(url, refund, {
      token: admin.accessToken,
      variables: { input: { orderId: placed.id } },
    });
    expect(rest.refundOrder).toMatchObject({ status: "REFUNDED", refundedAmount: { amount: "40.00" } });
    const order = await waitForOrder(
      url,
      customer.accessToken,
      placed.id,
      (each) => each.status === "REFUNDED",
      "REFUNDED",
    );
    expect(history(order)).toEqual(["PENDING", "AWAITING_PAYMENT", "CONFIRMED", "REFUNDED"]);
    // The same request again is a retry (its idempotency key is derived from it): answered as the
    // first, with nothing more paid out. Another request for more is CONFLICT.
    const retried = await graphqlData(url, refund, {
      token: admin.accessToken,
      variables: { input: { orderId: placed.id } },
    });
    expect(retried.refundOrder).toMatchObject({ status: "REFUNDED", refundedAmount: { amount: "40.00" } });
    expect(
      await errorCodeOf(url, refund, admin.accessToken, { input: { orderId: placed.id, reason: "once more" } }),
    ).toMatchObject({ code: "CONFLICT" });
    // Refunded before it shipped: the unit it held goes back on sale.
    await waitFor(
      async () => (await stockOf(url, admin.accessToken, product.id)).reserved === 0,
      "the stock to be released",
    );
    expect(await stockOf(url, admin.accessToken, product.id)).toEqual({ onHand: 1, reserved: 0, available: 1 });
  });

  it("returns the same order for the same idempotency key, also when the requests race; another request with it is CONFLICT", async () => {
    const product = await build.product({ name: "Idempotent Widget", price: "9.99", stock: 20 });
    const input = placeOrderInput([{ productId: product.id, quantity: 1 }]);
    const racing = await Promise.all(Array.from({ length: 6 }, () => placeOrder(url, customer.accessToken, input)));
    expect(new Set(racing.map((order) => order.id)).size).toBe(1);
    const again = await placeOrder(url, customer.accessToken, input);
    expect(again.id).toBe(racing[0]!.id);
    expect(
      await services.orders.runtime.db.order.count({ where: { items: { some: { productId: product.id } } } }),
    ).toBe(1);
    const different = await errorCodeOf(
      url,
      `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }`,
      customer.accessToken,
      {
        input: { ...input, items: [{ productId: product.id, quantity: 2 }] },
      },
    );
    expect(different).toMatchObject({ code: "CONFLICT", field: "idempotencyKey" });
    // Keys belong to a customer: another customer's same key is a new order.
    const other = await registerCustomer(url);
    const theirs = await placeOrder(url, other.accessToken, input);
    expect(theirs.id).not.toBe(racing[0]!.id);
    await waitForOrder(url, customer.accessToken, racing[0]!.id, settled, "the order to settle");
    await waitForOrder(url, other.accessToken, theirs.id, settled, "the other order to settle");
    // One unit for each customer's one order: the racing requests reserved nothing more.
    expect((await stockOf(url, admin.accessToken, product.id)).reserved).toBe(2);
  });

  it.each([
    [{ items: [] }, "BAD_USER_INPUT", "items"],
    [{ items: [{ productId: "nope", quantity: 1 }] }, "BAD_USER_INPUT", "items.0.productId"],
    [
      { items: [{ productId: "00000000-0000-4000-8000-000000000000", quantity: 0 }] },
      "BAD_USER_INPUT",
      "items.0.quantity",
    ],
    [{ items: [{ productId: "00000000-0000-4000-8000-000000000000", quantity: 1 }] }, "NOT_FOUND", "items.0.productId"],
    [{ shippingAddress: null }, "BAD_USER_INPUT", "shippingAddress"],
    [{ shippingAddressId: "00000000-0000-4000-8000-000000000000" }, "BAD_USER_INPUT", "shippingAddress"],
    [{ shippingAddress: { ...address, country: "Narnia" } }, "BAD_USER_INPUT", "shippingAddress.country"],
    [{ idempotencyKey: "" }, "BAD_USER_INPUT", "idempotencyKey"],
    [{ paymentToken: " " }, "BAD_USER_INPUT", "paymentToken"],
  ])("refuses a checkout with %j: %s naming the field %s", async (change, code, field) => {
    const base = placeOrderInput([{ productId: "00000000-0000-4000-8000-000000000000", quantity: 1 }]);
    const result = await graphql(
      url,
      `
        mutation ($input: PlaceOrderInput!) {
          placeOrder(input: $input) {
            id
          }
        }
      `,
      { token: customer.accessToken, variables: { input: { ...base, ...change } } },
    );
    expect(result.errors?.[0]?.extensions).toMatchObject({ code, field });
  });

  it("answers NOT_FOUND for an order id nobody has, and UNAUTHENTICATED before looking when signed out", async () => {
    const byId = `query($id: ID!) { order(id: $id) { id } }`;
    expect(
      await errorCodeOf(url, byId, customer.accessToken, { id: "00000000-0000-4000-8000-000000000000" }),
    ).toMatchObject({ code: "NOT_FOUND" });
    expect(await errorCodeOf(url, byId, admin.accessToken, { id: "not-a-uuid" })).toMatchObject({ code: "NOT_FOUND" });
    expect(await errorCodeOf(url, byId, undefined, { id: "00000000-0000-4000-8000-000000000000" })).toMatchObject({
      code: "UNAUTHENTICATED",
    });
  });

  it("ships to a saved address by its id, and refuses another customer's address", async () => {
    const product = await build.product({ name: "Addressed", price: "1.00", stock: 1 });
    const { addAddress } = await graphqlData(
      url,
      `mutation($input: AddressInput!) { addAddress(input: $input) { id } }`,
      {
        token: customer.accessToken,
        variables: { input: { line1: "5 Saved Lane", city: "Leeds", postalCode: "LS1", country: "GB" } },
      },
    );
    const placed = await placeOrder(url, customer.accessToken, {
      ...placeOrderInput([{ productId: product.id, quantity: 1 }]),
      shippingAddress: null,
      shippingAddressId: addAddress.id,
    });
    expect((await fetchOrder(url, customer.accessToken, placed.id)).shippingAddress).toEqual({
      name: customer.user.name,
      line1: "5 Saved Lane",
      city: "Leeds",
      postalCode: "LS1",
      country: "GB",
    });
    const other = await registerCustomer(url);
    const result = await errorCodeOf(
      url,
      `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }`,
      other.accessToken,
      {
        input: {
          ...placeOrderInput([{ productId: product.id, quantity: 1 }]),
          shippingAddress: null,
          shippingAddressId: addAddress.id,
        },
      },
    );
    expect(result).toMatchObject({ code: "NOT_FOUND", field: "shippingAddressId" });
  });

  it("lists the customer's orders and, for the back office, every order by status", async () => {
    const shopper = await registerCustomer(url);
    const product = await build.product({ name: "Listed", price: "1.00", stock: 5 });
    const first = await placeOrder(url, shopper.accessToken, placeOrderInput([{ productId: product.id, quantity: 1 }]));
    const second = await placeOrder(
      url,
      shopper.accessToken,
      placeOrderInput([{ productId: product.id, quantity: 1 }]),
    );
    const mine = await graphqlData(
      url,
      `query { me { orders(first: 10) { totalCount edges { node { id number status total { amount } } } } } }`,
      { token: shopper.accessToken },
    );
    expect(mine.me.orders.totalCount).toBe(2);
    expect(mine.me.orders.edges.map((edge: { node: { id: string } }) => edge.node.id)).toEqual([second.id, first.id]);
    await waitForOrder(url, shopper.accessToken, second.id, (order) => order.status === "CONFIRMED", "CONFIRMED");
    const adminOrders = `query($status: OrderStatus) { orders(first: 100, status: $status) { totalCount edges { node { id status customer { id email } } } } }`;
    const confirmed = await graphqlData(url, adminOrders, {
      token: admin.accessToken,
      variables: { status: "CONFIRMED" },
    });
    expect(confirmed.orders.edges.every((edge: { node: { status: string } }) => edge.node.status === "CONFIRMED")).toBe(
      true,
    );
    expect(
      confirmed.orders.edges.find((edge: { node: { id: string } }) => edge.node.id === second.id)?.node.customer,
    ).toEqual({ id: shopper.user.id, email: shopper.user.email });
    expect(await errorCodeOf(url, adminOrders, shopper.accessToken, {})).toMatchObject({ code: "FORBIDDEN" });
  });
  it("refuses at placeOrder an order no provider would take, and one variant split over lines beyond the line limit", async () => {
    const cheap = await build.product({ name: "Penny Sweet", price: "0.10", stock: 50 });
    const tooSmall = await errorCodeOf(
      url,
      `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }`,
      customer.accessToken,
      { input: placeOrderInput([{ productId: cheap.id, quantity: 1 }]) },
    );
    expect(tooSmall).toMatchObject({ code: "BAD_USER_INPUT", field: "items" });

    const split = await errorCodeOf(
      url,
      `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }`,
      customer.accessToken,
      {
        input: placeOrderInput([
          { productId: cheap.id, quantity: 60 },
          { productId: cheap.id, quantity: 60 },
        ]),
      },
    );
    expect(split).toMatchObject({ code: "BAD_USER_INPUT", field: "items.1.quantity" });
    // Neither was placed: nothing reserved, no order.
    expect(await stockOf(url, admin.accessToken, cheap.id)).toMatchObject({ reserved: 0 });
  });
});
