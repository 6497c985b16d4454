import { randomUUID } from "node:crypto";
import { connect } from "nats";
import { subjectFor } from "../../../subgraphs/common/events/streams";
import { graphql, graphqlData } from "../../support/graphqlClient";
import { CatalogBuilder, type BuiltVariant } from "../../support/catalogBuilder";
import { atLocation, placeOrder, placeOrderInput, variantStockOf, waitForOrder } from "../../support/checkout";
import { testCarrierSecret } from "../../support/fulfillment";
import { loginAdmin, registerCustomer, type Session } from "../../support/identity";
import { startServices, type TestServices } from "../../support/testServices";
import { waitFor } from "../../support/waitFor";

const requestExchange = `mutation($input: ReturnRequestInput!) { returnRequest(input: $input) {
  id status exchangeTotal { amount currency } exchangeLines { orderItemId variant { id } quantity unitPrice { amount } } } }`;
const approve = `mutation($id: ID!) { returnApprove(id: $id, labelReference: "LBL-X") { id status exchangeOrder { id number } } }`;
const reject = `mutation($id: ID!, $reason: String!) { returnReject(id: $id, reason: $reason) { id status exchangeOrder { id status } } }`;
const receive = `mutation($input: ReturnReceiveInput!) { returnReceive(input: $input) { id status refundAmount { amount } } }`;
const returnsOf = `query($id: ID!) { order(id: $id) { id status
  returns { id status refundAmount { amount } refundedAmount { amount } exchangeCredit { amount } exchangeTotal { amount }
    exchangeOrder { id status } }
  payment { refundedAmount { amount } exchangeCreditAmount { amount } refundableAmount { amount } } } }`;
const exchangeOrderOf = `query($id: ID!) { order(id: $id) { id status total { amount }
  items { variant { id } quantity unitPrice { amount } }
  originalOrder { id } exchangeFor { id }
  payment { status amount { amount } paidByExchangeCredit refundableAmount { amount } } } }`;
const myOrders = `query { me { orders(first: 50) { edges { node { id } } } } }`;

describe("exchanges: a return whose refund pays for a new order of another variant, through the router", () => {
  let services: TestServices<"products" | "inventory" | "orders" | "payments">;
  let url: string;
  let admin: Session;
  let build: CatalogBuilder;

  beforeAll(async () => {
    services = await startServices(["products", "inventory", "orders", "payments"], {
      // One unpaid order a customer: an exchange order waiting for its parcel must not count.
      settings: { orders: { CARRIER_WEBHOOK_SECRETS: `acme=${testCarrierSecret}`, UNPAID_ORDERS_PER_BUYER: "1" } },
    });
    url = services.router.url;
    admin = await loginAdmin(url);
    build = new CatalogBuilder(url, admin.accessToken);
  }, 400_000);

  afterAll(() => services?.cleanUp());

  const providerCalls = (kind: "capture" | "refund") =>
    services.payments.provider.log.filter((entry) => entry.kind === kind);

  /** A shoe in four sizes: S and M at 30.00, L at 36.00, XL at 80.00 (more than two S are worth). */
  async function shoe(stock: { S: number; M: number; L: number; XL: number }) {
    const product = await build.productWithVariants({
      name: `Trail Shoe ${randomUUID().slice(0, 6)}`,
      options: [{ name: "Size", values: ["S", "M", "L", "XL"] }],
      variants: [
        { options: { Size: "S" }, price: "30.00", stock: stock.S },
        { options: { Size: "M" }, price: "30.00", stock: stock.M },
        { options: { Size: "L" }, price: "36.00", stock: stock.L },
        { options: { Size: "XL" }, price: "80.00", stock: stock.XL },
      ],
    });
    const [S, M, L, XL] = product.variants as [BuiltVariant, BuiltVariant, BuiltVariant, BuiltVariant];
    return { product, S, M, L, XL };
  }

  /** A customer's order of two S, shipped and delivered; its line's id. */
  async function deliveredOrder(customer: Session, variantId: string) {
    const placed = await placeOrder(url, customer.accessToken, placeOrderInput([{ variantId, quantity: 2 }]));
    await waitForOrder(url, customer.accessToken, placed.id, (order) => order.status === "CONFIRMED", "CONFIRMED");
    const { order } = await graphqlData(url, `query($id: ID!) { order(id: $id) { items { id } } }`, {
      token: customer.accessToken,
      variables: { id: placed.id },
    });
    await graphqlData(url, `mutation($input: ShipOrderInput!) { shipOrder(input: $input) { id } }`, {
      token: admin.accessToken,
      variables: { input: { orderId: placed.id, carrier: "Post", trackingNumber: `P-${placed.number}` } },
    });
    await graphqlData(url, `mutation($id: ID!) { markOrderDelivered(id: $id) { id } }`, {
      token: admin.accessToken,
      variables: { id: placed.id },
    });
    return { orderId: placed.id, lineId: order.items[0].id as string };
  }

  it("pays a new order of another variant from the return's refund, once, refunds the rest once, and moves the stock", async () => {
    const depot = await build.location(`Depot ${randomUUID().slice(0, 6)}`, 1);
    const customer = await registerCustomer(url);
    const { S, M, L } = await shoe({ S: 2, M: 2, L: 1, XL: 5 });
    const { orderId, lineId } = await deliveredOrder(customer, S.id);
    const capturesBefore = providerCalls("capture").length;
    const refundsBefore = providerCalls("refund").length;

    // Two S back, one L (36.00) instead: the 60.00 they are worth pays for it, 24.00 goes back to the card.
    const { returnRequest: asked } = await graphqlData(url, requestExchange, {
      token: customer.accessToken,
      variables: {
        input: {
          orderId,
          reason: "too small",
          lines: [{ orderItemId: lineId, quantity: 2 }],
          exchange: [{ orderItemId: lineId, variantId: L.id, quantity: 1 }],
        },
      },
    });
    expect(asked).toMatchObject({
      status: "REQUESTED",
      exchangeTotal: { amount: "36.00", currency: "USD" },
      exchangeLines: [{ orderItemId: lineId, variant: { id: L.id }, quantity: 1, unitPrice: { amount: "36.00" } }],
    });

    // Approval places the exchange order, whose stock is held while the parcel comes back.
    const { returnApprove } = await graphqlData(url, approve, {
      token: admin.accessToken,
      variables: { id: asked.id },
    });
    const exchangeOrderId = returnApprove.exchangeOrder.id as string;
    await waitForOrder(url, customer.accessToken, exchangeOrderId, (o) => o.status === "AWAITING_PAYMENT", "held");
    expect(await variantStockOf(url, admin.accessToken, L.id)).toMatchObject({ onHand: 1, reserved: 1, available: 0 });
    // No card is asked to pay it, however long it waits.
    expect(providerCalls("capture").length).toBe(capturesBefore);
    // Nor does it count as an unpaid order of the customer's: they may still place one (at most one unpaid here).
    const other = await placeOrder(url, customer.accessToken, placeOrderInput([{ variantId: M.id, quantity: 1 }]));
    await waitForOrder(url, customer.accessToken, other.id, (o) => o.status === "CONFIRMED", "another order paid");
    const capturesNow = capturesBefore + 1;
    expect(providerCalls("capture").length).toBe(capturesNow);

    const { returnReceive } = await graphqlData(url, receive, {
      token: admin.accessToken,
      variables: { input: { returnId: asked.id, restock: true, locationId: depot.id } },
    });
    expect(returnReceive).toMatchObject({ status: "RECEIVED", refundAmount: { amount: "60.00" } });

    const settled = await waitFor(async () => {
      const { order } = await graphqlData(url, returnsOf, { token: admin.accessToken, variables: { id: orderId } });
      return order.returns[0].status === "REFUNDED" && order.returns[0].refundedAmount.amount === "24.00"
        ? order
        : undefined;
    }, "the exchange paid and the rest refunded");
    expect(settled.returns[0]).toMatchObject({
      refundAmount: { amount: "60.00" },
      exchangeCredit: { amount: "36.00" },
      exchangeTotal: { amount: "36.00" },
      exchangeOrder: { id: exchangeOrderId },
    });
    expect(settled.payment).toEqual({
      refundedAmount: { amount: "24.00" },
      exchangeCreditAmount: { amount: "36.00" },
      refundableAmount: { amount: "0.00" },
    });
    // The original order was delivered and stays so: what was returned paid for the exchange and the refund.
    expect(settled.status).toBe("DELIVERED");

    const exchange = (
      await waitFor(async () => {
        const answer = await graphqlData(url, exchangeOrderOf, {
          token: customer.accessToken,
          variables: { id: exchangeOrderId },
        });
        return answer.order.status === "CONFIRMED" ? answer : undefined;
      }, "the exchange order confirmed")
    ).order;
    expect(exchange).toMatchObject({
      total: { amount: "36.00" },
      items: [{ variant: { id: L.id }, quantity: 1, unitPrice: { amount: "36.00" } }],
      originalOrder: { id: orderId },
      exchangeFor: { id: asked.id },
      payment: {
        status: "SUCCEEDED",
        amount: { amount: "36.00" },
        paidByExchangeCredit: true,
        refundableAmount: { amount: "36.00" },
      },
    });
    // One payout of 24.00 to the card, no capture at all.
    const refunds = providerCalls("refund").slice(refundsBefore);
    expect(refunds.map((each) => each.amountMinor)).toEqual([2400n]);
    expect(providerCalls("capture").length).toBe(capturesNow);
    // The customer sees it among their orders.
    const { me } = await graphqlData(url, myOrders, { token: customer.accessToken });
    expect(me.orders.edges.map((edge: any) => edge.node.id)).toEqual(
      expect.arrayContaining([exchangeOrderId, orderId]),
    );

    // Stock: the two S back at the depot; the L ships from where it was held.
    expect(atLocation(await variantStockOf(url, admin.accessToken, S.id), depot.id)).toEqual({
      onHand: 2,
      reserved: 0,
    });
    await graphqlData(url, `mutation($input: ShipOrderInput!) { shipOrder(input: $input) { id } }`, {
      token: admin.accessToken,
      variables: { input: { orderId: exchangeOrderId, carrier: "Post", trackingNumber: "P-EX-1" } },
    });
    await waitFor(async () => {
      const stock = await variantStockOf(url, admin.accessToken, L.id);
      return stock.onHand === 0 && stock.reserved === 0 ? stock : undefined;
    }, "the replacement deducted when it ships");

    // `orders.return.received` told again, as a new event (another id): no second order paid, no second refund.
    const outbox = await services.orders.runtime.db.outboxEvent.findFirstOrThrow({
      where: { type: "orders.return.received", envelope: { path: ["data", "returnId"], equals: asked.id } },
    });
    const nats = await connect({ servers: process.env.NATS_URL ?? "nats://127.0.0.1:4222" });
    try {
      const envelope = { ...(outbox.envelope as Record<string, unknown>), id: randomUUID() };
      await nats.jetstream().publish(subjectFor(services.testId, "orders.return.received"), JSON.stringify(envelope), {
        msgID: randomUUID(),
      });
      await waitFor(async () => {
        const info = await (
          await nats.jetstreamManager()
        ).consumers.info(`${services.testId}_ORDERS`.toUpperCase(), "payments__orders_return_received");
        return info.num_pending === 0 && info.num_ack_pending === 0 ? true : undefined;
      }, "the repeated event to be handled");
    } finally {
      await nats.close();
    }
    const db = services.payments.runtime.db;
    expect(await db.payment.count({ where: { orderId: exchangeOrderId } })).toBe(1);
    expect(await db.refund.count({ where: { payment: { orderId } } })).toBe(2);
    expect(providerCalls("refund").length - refundsBefore).toBe(1);
    expect(providerCalls("capture").length).toBe(capturesNow);

    // Refunding the exchange order gives back to the card that paid the original: its capture, never beyond it.
    const { refundOrder } = await graphqlData(
      url,
      `mutation($input: RefundOrderInput!) { refundOrder(input: $input) { refundedAmount { amount } refundableAmount { amount } } }`,
      { token: admin.accessToken, variables: { input: { orderId: exchangeOrderId, amount: "36.00" } } },
    );
    expect(refundOrder).toEqual({ refundedAmount: { amount: "36.00" }, refundableAmount: { amount: "0.00" } });
    const original = await db.payment.findUniqueOrThrow({ where: { orderId } });
    const payouts = providerCalls("refund")
      .slice(refundsBefore)
      .filter((entry) => entry.result === "refunded");
    expect(payouts.map((entry) => [entry.captureReference, entry.amountMinor])).toEqual([
      [original.captureReference, 2400n],
      [original.captureReference, 3600n],
    ]);
    expect(original.amountMinor).toBe(6000n);
  }, 300_000);

  it("refunds what is left and cancels the exchange order when a back-office refund left too little to pay for it", async () => {
    const customer = await registerCustomer(url);
    const { S, L } = await shoe({ S: 2, M: 0, L: 1, XL: 0 });
    const { orderId, lineId } = await deliveredOrder(customer, S.id);
    const { returnRequest: asked } = await graphqlData(url, requestExchange, {
      token: customer.accessToken,
      variables: {
        input: {
          orderId,
          reason: "too small",
          lines: [{ orderItemId: lineId, quantity: 2 }],
          exchange: [{ orderItemId: lineId, variantId: L.id, quantity: 1 }],
        },
      },
    });
    const { returnApprove } = await graphqlData(url, approve, {
      token: admin.accessToken,
      variables: { id: asked.id },
    });
    const exchangeOrderId = returnApprove.exchangeOrder.id as string;
    await waitForOrder(url, customer.accessToken, exchangeOrderId, (o) => o.status === "AWAITING_PAYMENT", "held");
    // 30.00 of the 60.00 refunded meanwhile: the 30.00 left cannot pay for the 36.00 replacement.
    await graphqlData(
      url,
      `mutation($input: RefundOrderInput!) { refundOrder(input: $input) { refundedAmount { amount } } }`,
      { token: admin.accessToken, variables: { input: { orderId, amount: "30.00", reason: "goodwill" } } },
    );
    await graphqlData(url, receive, {
      token: admin.accessToken,
      variables: { input: { returnId: asked.id, restock: false } },
    });
    const cancelled = await waitForOrder(
      url,
      customer.accessToken,
      exchangeOrderId,
      (o) => o.status === "CANCELLED",
      "cancelled",
    );
    expect(cancelled).toMatchObject({
      cancellationReason: "PAYMENT_DECLINED",
      payment: { status: "FAILED", failureReason: "exchange_credit_insufficient" },
    });
    await waitFor(async () => {
      const stock = await variantStockOf(url, admin.accessToken, L.id);
      return stock.reserved === 0 && stock.available === 1 ? stock : undefined;
    }, "the replacement released");
    const settled = await waitFor(async () => {
      const { order } = await graphqlData(url, returnsOf, { token: admin.accessToken, variables: { id: orderId } });
      return order.returns[0].status === "REFUNDED" ? order : undefined;
    }, "the rest refunded");
    expect(settled.returns[0]).toMatchObject({
      refundedAmount: { amount: "30.00" },
      exchangeCredit: { amount: "0.00" },
    });
    expect(settled.payment).toEqual({
      refundedAmount: { amount: "60.00" },
      exchangeCreditAmount: { amount: "0.00" },
      refundableAmount: { amount: "0.00" },
    });
  }, 300_000);

  it("releases the held replacement when an approved exchange is rejected, and refuses bad exchanges", async () => {
    const customer = await registerCustomer(url);
    const { S, M, XL } = await shoe({ S: 2, M: 1, L: 0, XL: 5 });
    const { orderId, lineId } = await deliveredOrder(customer, S.id);
    const ask = (exchange: Array<Record<string, unknown>>, quantity = 2) =>
      graphql(url, requestExchange, {
        token: customer.accessToken,
        variables: { input: { orderId, reason: "wrong size", lines: [{ orderItemId: lineId, quantity }], exchange } },
      });
    const refusal = async (exchange: Array<Record<string, unknown>>, quantity = 2) =>
      (await ask(exchange, quantity)).errors?.[0]?.extensions;

    expect(await refusal([{ orderItemId: lineId, variantId: randomUUID(), quantity: 1 }])).toMatchObject({
      code: "NOT_FOUND",
      field: "exchange.0.variantId",
    });
    expect(await refusal([{ orderItemId: lineId, variantId: S.id, quantity: 1 }])).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "exchange.0.variantId",
    });
    expect(await refusal([{ orderItemId: lineId, variantId: M.id, quantity: 2 }], 1)).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "exchange.0.quantity",
    });
    expect(await refusal([{ orderItemId: randomUUID(), variantId: M.id, quantity: 1 }])).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "exchange.0.orderItemId",
    });
    // One XL costs 80.00, more than the 60.00 two S are worth: the difference is not charged.
    expect(await refusal([{ orderItemId: lineId, variantId: XL.id, quantity: 1 }])).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "exchange",
    });
    // Two M, when one is in stock.
    expect(await refusal([{ orderItemId: lineId, variantId: M.id, quantity: 2 }])).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "exchange.0.variantId",
    });
    // Nothing was asked by the refusals.
    const { order: untouched } = await graphqlData(url, returnsOf, {
      token: customer.accessToken,
      variables: { id: orderId },
    });
    expect(untouched.returns).toEqual([]);

    const asked = (await ask([{ orderItemId: lineId, variantId: M.id, quantity: 1 }])).data!.returnRequest as {
      id: string;
    };
    const { returnApprove } = await graphqlData(url, approve, {
      token: admin.accessToken,
      variables: { id: asked.id },
    });
    const exchangeOrderId = returnApprove.exchangeOrder.id as string;
    await waitFor(async () => {
      const stock = await variantStockOf(url, admin.accessToken, M.id);
      return stock.reserved === 1 ? stock : undefined;
    }, "the replacement held");

    // The parcel never came: the return is refused, the exchange order cancelled, the M released.
    const { returnReject } = await graphqlData(url, reject, {
      token: admin.accessToken,
      variables: { id: asked.id, reason: "parcel never arrived" },
    });
    expect(returnReject).toMatchObject({
      status: "REJECTED",
      exchangeOrder: { id: exchangeOrderId, status: "CANCELLED" },
    });
    await waitFor(async () => {
      const stock = await variantStockOf(url, admin.accessToken, M.id);
      return stock.reserved === 0 && stock.available === 1 ? stock : undefined;
    }, "the replacement released");
    const { order: after } = await graphqlData(url, returnsOf, {
      token: customer.accessToken,
      variables: { id: orderId },
    });
    expect(after.returns).toMatchObject([{ status: "REJECTED", exchangeCredit: { amount: "0.00" } }]);
    expect(after.payment).toMatchObject({
      refundedAmount: { amount: "0.00" },
      exchangeCreditAmount: { amount: "0.00" },
    });
    // A rejected return is over: it cannot be rejected or received again.
    const again = await graphql(url, reject, { token: admin.accessToken, variables: { id: asked.id, reason: "x" } });
    expect(again.errors?.[0]?.extensions?.code).toBe("CONFLICT");
  }, 300_000);
});
