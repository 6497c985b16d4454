import { randomUUID } from "node:crypto";
import { graphql, graphqlData } from "../../support/graphqlClient";
import { CatalogBuilder } from "../../support/catalogBuilder";
import { atLocation, placeOrder, placeOrderInput, variantStockOf, waitForOrder } from "../../support/checkout";
import { testCarrierSecret } from "../../support/fulfillment";
import { loginAdmin, registerCustomer, type Session } from "../../support/identity";
import { startServices, type TestServices } from "../../support/testServices";
import { waitFor } from "../../support/waitFor";

const refundOrder = `mutation($input: RefundOrderInput!) { refundOrder(input: $input) { status refundedAmount { amount } refundableAmount { amount } } }`;
const returns = `query($id: ID!) { order(id: $id) { id status items { id quantity }
  returns { id status lines { orderItemId quantity } restocked refundAmount { amount } refundedAmount { amount } }
  payment { refundedAmount { amount } refundableAmount { amount } } } }`;

describe("returns and idempotent refunds, through the router", () => {
  let services: TestServices<"products" | "inventory" | "orders" | "payments">;
  let url: string;
  let admin: Session;
  let build: CatalogBuilder;

  beforeAll(async () => {
    services = await startServices(["products", "inventory", "orders", "payments"], {
      settings: { orders: { CARRIER_WEBHOOK_SECRETS: `acme=${testCarrierSecret}` } },
    });
    url = services.router.url;
    admin = await loginAdmin(url);
    build = new CatalogBuilder(url, admin.accessToken);
  }, 400_000);

  afterAll(() => services?.cleanUp());

  const refundPayouts = () =>
    services.payments.provider.log.filter((entry) => entry.kind === "refund" && entry.result === "refunded");

  it("refunds once for three concurrent requests of one key, and refuses the key with another amount", async () => {
    const customer = await registerCustomer(url);
    const product = await build.product({ name: "Desk Fan", price: "30.00", stock: 5 });
    const placed = await placeOrder(
      url,
      customer.accessToken,
      placeOrderInput([{ productId: product.id, quantity: 1 }]),
    );
    await waitForOrder(url, customer.accessToken, placed.id, (order) => order.status === "CONFIRMED", "CONFIRMED");
    const before = refundPayouts().length;
    const input = { orderId: placed.id, amount: "10.00", idempotencyKey: `refund-${randomUUID()}` };
    const answers = await Promise.all(
      [1, 2, 3].map(() => graphqlData(url, refundOrder, { token: admin.accessToken, variables: { input } })),
    );
    for (const answer of answers)
      expect(answer.refundOrder).toMatchObject({
        refundedAmount: { amount: "10.00" },
        refundableAmount: { amount: "20.00" },
      });
    expect(refundPayouts().length - before).toBe(1);
    const conflict = await graphql(url, refundOrder, {
      token: admin.accessToken,
      variables: { input: { ...input, amount: "11.00" } },
    });
    expect(conflict.errors?.[0]?.extensions?.code).toBe("CONFLICT");
    // Without a key, a retried request is the same request: one more payout, not two.
    const plain = { orderId: placed.id, amount: "5.00", reason: "scratched" };
    await graphqlData(url, refundOrder, { token: admin.accessToken, variables: { input: plain } });
    await graphqlData(url, refundOrder, { token: admin.accessToken, variables: { input: plain } });
    expect(refundPayouts().length - before).toBe(2);
  }, 300_000);

  it("returns delivered units with restock and a partial refund, then the rest, never refunding more than was paid", async () => {
    const depot = await build.location(`Depot ${randomUUID().slice(0, 6)}`, 1);
    const customer = await registerCustomer(url);
    const product = await build.product({ name: "Wool Socks", price: "12.50", stock: 0 });
    await build.adjustStock(product.id, 4);
    const placed = await placeOrder(
      url,
      customer.accessToken,
      placeOrderInput([{ productId: product.id, quantity: 3 }]),
    );
    await waitForOrder(url, customer.accessToken, placed.id, (order) => order.status === "CONFIRMED", "CONFIRMED");
    const { order } = await graphqlData(url, returns, { token: admin.accessToken, variables: { id: placed.id } });
    const lineId = order.items[0].id as string;
    await graphqlData(url, `mutation($input: ShipOrderInput!) { shipOrder(input: $input) { id } }`, {
      token: admin.accessToken,
      variables: { input: { orderId: placed.id, carrier: "Post", trackingNumber: "P-1" } },
    });
    await graphqlData(url, `mutation($id: ID!) { markOrderDelivered(id: $id) { id } }`, {
      token: admin.accessToken,
      variables: { id: placed.id },
    });

    const request = (quantity: number) =>
      graphqlData(url, `mutation($input: ReturnRequestInput!) { returnRequest(input: $input) { id status } }`, {
        token: customer.accessToken,
        variables: { input: { orderId: placed.id, reason: "too small", lines: [{ orderItemId: lineId, quantity }] } },
      });
    const receive = (returnId: string, restock: boolean) =>
      graphqlData(
        url,
        `mutation($input: ReturnReceiveInput!) { returnReceive(input: $input) { id status refundAmount { amount } } }`,
        {
          token: admin.accessToken,
          variables: { input: { returnId, restock, ...(restock ? { locationId: depot.id } : {}) } },
        },
      );
    const approve = (id: string) =>
      graphqlData(url, `mutation($id: ID!) { returnApprove(id: $id, labelReference: "LBL-1") { status } }`, {
        token: admin.accessToken,
        variables: { id },
      });

    const first = (await request(2)).returnRequest;
    // More than delivered and not yet returned is refused, naming the line.
    const tooMany = await graphql(
      url,
      `
        mutation ($input: ReturnRequestInput!) {
          returnRequest(input: $input) {
            id
          }
        }
      `,
      {
        token: customer.accessToken,
        variables: { input: { orderId: placed.id, reason: "x", lines: [{ orderItemId: lineId, quantity: 2 }] } },
      },
    );
    expect(tooMany.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "lines.0.quantity" });
    await approve(first.id);
    expect((await receive(first.id, true)).returnReceive).toMatchObject({
      status: "RECEIVED",
      refundAmount: { amount: "25.00" },
    });
    await waitFor(async () => {
      const now = (await graphqlData(url, returns, { token: customer.accessToken, variables: { id: placed.id } }))
        .order;
      return now.returns[0].status === "REFUNDED" ? now : undefined;
    }, "the first return refunded");
    // The two units are back at the depot.
    const stock = await waitFor(async () => {
      const now = await variantStockOf(url, admin.accessToken, product.id);
      return atLocation(now, depot.id).onHand === 2 ? now : undefined;
    }, "restocked");
    expect(atLocation(stock, depot.id)).toEqual({ onHand: 2, reserved: 0 });

    // A back-office refund takes some of what the last unit paid; its return refunds only what is left.
    await graphqlData(url, refundOrder, {
      token: admin.accessToken,
      variables: { input: { orderId: placed.id, amount: "5.00" } },
    });
    const second = (await request(1)).returnRequest;
    await approve(second.id);
    expect((await receive(second.id, false)).returnReceive).toMatchObject({ refundAmount: { amount: "12.50" } });
    const done = await waitFor(async () => {
      const now = (await graphqlData(url, returns, { token: admin.accessToken, variables: { id: placed.id } })).order;
      return now.returns[1]?.status === "REFUNDED" && now.status === "REFUNDED" ? now : undefined;
    }, "everything refunded");
    expect(done.payment).toEqual({ refundedAmount: { amount: "37.50" }, refundableAmount: { amount: "0.00" } });
    expect(done.returns.map((each: any) => each.refundedAmount.amount)).toEqual(["25.00", "7.50"]);
  }, 300_000);
});
