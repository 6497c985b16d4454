import { randomUUID } from "node:crypto";
import { graphql, graphqlData } from "../../support/graphqlClient";
import { CatalogBuilder } from "../../support/catalogBuilder";
import { placeOrder, placeOrderInput, stockOf, waitForOrder } from "../../support/checkout";
import { loginAdmin, registerCustomer, type Session } from "../../support/identity";
import { collect, subscriptionClient } from "../../support/subscriptionClient";
import { startServices, type TestServices } from "../../support/testServices";
import { waitFor } from "../../support/waitFor";

const orderEdit = `mutation($input: OrderEditInput!) { orderEdit(input: $input) {
  id status total { amount } items { id quantity }
  edits { id editedBy reason lines { orderItemId name previousQuantity quantity } previousTotal { amount } total { amount } refund { amount } } } }`;
const orderView = `query($id: ID!) { order(id: $id) {
  id status total { amount } subtotal { amount }
  items { id quantity product { id } }
  cost { discountTotal { amount } tax { amount } shipping { amount } total { amount }
         discounts { code amount { amount } lines { amount { amount } } } }
  edits { id editedBy lines { orderItemId previousQuantity quantity } previousTotal { amount } total { amount } refund { amount } }
  payment { status refundedAmount { amount } refundableAmount { amount } } } }`;
const inApp = `query { me { notifications(first: 50, channel: IN_APP) { edges { node { kind body } } } } }`;
const myOrderUpdates = `subscription { myOrderUpdates { id status total { amount } } }`;

const editedOf = (answer: { data?: unknown }) => (answer.data as { orderEdit: any }).orderEdit;
const cents = (amount: string) => Math.round(Number(amount) * 100);

/**
 * Order edits before shipping, through the router: what remains is priced again with the
 * checkout's pricing, the removed units' stock is released, the difference is refunded once,
 * the edit is kept in the order's history and reaches the customer's subscription and inbox.
 */
describe("order edits before shipping, through the router", () => {
  let services: TestServices<"products" | "inventory" | "orders" | "payments" | "notifications">;
  let url: string;
  let admin: Session;
  let build: CatalogBuilder;
  let lamp: { id: string };
  let mug: { id: string };

  const asAdmin = (query: string, variables: Record<string, unknown>) =>
    graphqlData(url, query, { token: admin.accessToken, variables });

  beforeAll(async () => {
    services = await startServices(["products", "inventory", "orders", "payments", "notifications"], {
      settings: { payments: { PAYMENT_RETRY_BASE_MS: "50" }, orders: { ORDER_EDIT_WINDOW_MINUTES: "60" } },
    });
    url = services.router.url;
    admin = await loginAdmin(url);
    build = new CatalogBuilder(url, admin.accessToken);
    lamp = await build.product({ name: `Edit Lamp ${randomUUID().slice(0, 6)}`, price: "30.00", stock: 10 });
    mug = await build.product({ name: `Edit Mug ${randomUUID().slice(0, 6)}`, price: "10.00", stock: 5 });
    await asAdmin(`mutation($input: ShippingZoneInput!) { shippingZoneSave(input: $input) { id } }`, {
      input: {
        name: "Domestic",
        areas: [{ country: "GB" }],
        methods: [{ name: "Standard", rateKind: "FLAT", price: "4.99", freeAbove: "50.00" }],
      },
    });
    await asAdmin(`mutation($input: TaxRateInput!) { taxRateSet(input: $input) { id } }`, {
      input: { country: "GB", taxCategory: "STANDARD", rate: "20" },
    });
    const promotion = `mutation($input: PromotionInput!) { promotionCreate(input: $input) { id } }`;
    await asAdmin(promotion, { input: { title: "Five off", code: "EDIT5", kind: "FIXED_AMOUNT", amount: "5.00" } });
    await asAdmin(promotion, {
      input: { title: "Half a mug", code: "MUGHALF", kind: "PERCENTAGE", percentage: "50", productIds: [mug.id] },
    });
  }, 400_000);

  afterAll(() => services?.cleanUp(), 120_000);

  const refundPayouts = () =>
    services.payments.provider.log.filter((entry) => entry.kind === "refund" && entry.result === "refunded");

  /** A confirmed order of two lamps and a mug, with both codes; its lines by product. */
  async function confirmedOrder(customer: Session) {
    const placed = await placeOrder(
      url,
      customer.accessToken,
      placeOrderInput(
        [
          { productId: lamp.id, quantity: 2 },
          { productId: mug.id, quantity: 1 },
        ],
        "tok_visa",
        { discountCodes: ["EDIT5", "MUGHALF"] },
      ),
    );
    await waitForOrder(url, customer.accessToken, placed.id, (order) => order.status === "CONFIRMED", "CONFIRMED");
    const { order } = await graphqlData(url, orderView, { token: customer.accessToken, variables: { id: placed.id } });
    const lineOf = (productId: string) => order.items.find((item: any) => item.product.id === productId).id as string;
    return { order, lampLine: lineOf(lamp.id), mugLine: lineOf(mug.id) };
  }

  const edit = (token: string, input: Record<string, unknown>) =>
    graphql(url, orderEdit, { token, variables: { input } });

  it("removes a discounted line: priced again, the code dropped, the other re-allocated, refunded once, stock released, history and subscriber told", async () => {
    const customer = await registerCustomer(url);
    const client = subscriptionClient(url, customer.accessToken);
    const updates = collect(client, myOrderUpdates);
    try {
      const mugReservedBefore = (await stockOf(url, admin.accessToken, mug.id)).reserved;
      const { order, mugLine, lampLine } = await confirmedOrder(customer);
      // The subscription is live: it told the order's way to CONFIRMED.
      await waitFor(
        () => updates.messages.some((message) => message.data?.myOrderUpdates?.status === "CONFIRMED") || undefined,
        "the subscriber told of CONFIRMED",
      );
      expect(order.cost.discounts.map((each: any) => each.code).sort()).toEqual(["EDIT5", "MUGHALF"]);
      expect((await stockOf(url, admin.accessToken, mug.id)).reserved).toBe(mugReservedBefore + 1);
      const previousTotal = order.total.amount as string;
      const payoutsBefore = refundPayouts().length;

      const input = {
        orderId: order.id,
        idempotencyKey: `edit-${randomUUID()}`,
        lines: [{ orderItemId: mugLine, quantity: 0 }],
        reason: "changed my mind about the mug",
      };
      // Sent twice at once (a double click): one edit, the same answer.
      const [answer, twin] = await Promise.all([edit(customer.accessToken, input), edit(customer.accessToken, input)]);
      expect(answer.errors).toBeUndefined();
      expect(twin.errors).toBeUndefined();
      expect(editedOf(twin)).toEqual(editedOf(answer));
      const edited = editedOf(answer);
      // 2 × 30.00 − 5.00 (all of it on the lamps now) = 55.00: ships free; 20 % tax = 11.00.
      expect(edited).toMatchObject({
        id: order.id,
        status: "CONFIRMED",
        total: { amount: "66.00" },
        items: [{ id: lampLine, quantity: 2 }],
      });
      expect(edited.edits).toEqual([
        expect.objectContaining({
          editedBy: "CUSTOMER",
          reason: "changed my mind about the mug",
          lines: [expect.objectContaining({ orderItemId: mugLine, previousQuantity: 1, quantity: 0 })],
          previousTotal: { amount: previousTotal },
          total: { amount: "66.00" },
        }),
      ]);
      const refund = cents(previousTotal) - 6600;
      expect(cents(edited.edits[0].refund.amount)).toBe(refund);

      const now = (await graphqlData(url, orderView, { token: customer.accessToken, variables: { id: order.id } }))
        .order;
      expect(now.cost).toMatchObject({
        discountTotal: { amount: "5.00" },
        shipping: { amount: "0.00" },
        tax: { amount: "11.00" },
        total: { amount: "66.00" },
        discounts: [{ code: "EDIT5", amount: { amount: "5.00" }, lines: [{ amount: { amount: "5.00" } }] }],
      });
      expect(now.subtotal.amount).toBe("60.00");

      // The difference is refunded at the payment, once; what remains refundable is the new total.
      const paid = await waitFor(async () => {
        const view = (await graphqlData(url, orderView, { token: admin.accessToken, variables: { id: order.id } }))
          .order;
        return cents(view.payment.refundedAmount.amount) === refund ? view : undefined;
      }, "the edit's refund made");
      expect(paid.payment.refundableAmount.amount).toBe("66.00");
      expect(refundPayouts().length - payoutsBefore).toBe(1);
      // The mug's unit is no longer held for the order.
      await waitFor(
        async () => (await stockOf(url, admin.accessToken, mug.id)).reserved === mugReservedBefore || undefined,
        "the mug's stock released",
      );
      // The subscriber saw the change.
      await waitFor(
        () => updates.messages.some((message) => message.data?.myOrderUpdates?.total?.amount === "66.00") || undefined,
        "the subscriber told of the edit",
      );

      // The customer is told, in the app (and by email as their preferences allow).
      const told = await waitFor(async () => {
        const { me } = await graphqlData(url, inApp, { token: customer.accessToken });
        return me.notifications.edges.find((edge: any) => edge.node.kind === "ORDER_EDITED")?.node;
      }, "an ORDER_EDITED notification");
      expect(told.body).toMatch(/total is now 66\.00/);

      // The same key again: the same answer, nothing more edited or refunded.
      const again = await edit(customer.accessToken, input);
      expect(again.errors).toBeUndefined();
      expect(editedOf(again).total).toEqual({ amount: "66.00" });
      expect(editedOf(again).edits).toHaveLength(1);
      // The same key with another edit is CONFLICT.
      const other = await edit(customer.accessToken, { ...input, lines: [{ orderItemId: lampLine, quantity: 1 }] });
      expect(other.errors?.[0]?.extensions).toMatchObject({ code: "CONFLICT", field: "idempotencyKey" });
      // A return or refund later cannot take more than the new total: everything left is 66.00.
      const rest = await asAdmin(
        `mutation($input: RefundOrderInput!) { refundOrder(input: $input) { refundedAmount { amount } refundableAmount { amount } } }`,
        { input: { orderId: order.id, idempotencyKey: `rest-${randomUUID()}` } },
      );
      expect(rest.refundOrder.refundableAmount.amount).toBe("0.00");
      expect(cents(rest.refundOrder.refundedAmount.amount)).toBe(cents(previousTotal));
      expect(refundPayouts().length - payoutsBefore).toBe(2);
    } finally {
      updates.stop();
      await client.dispose();
    }
  }, 300_000);

  it("lets staff reduce a quantity after the customer's window, and refuses the customer then", async () => {
    const customer = await registerCustomer(url);
    const { order, lampLine } = await confirmedOrder(customer);
    // Placed two hours ago: past the customer's 60 minutes.
    await services.orders.runtime.db.order.update({
      where: { id: order.id },
      data: { createdAt: new Date(Date.now() - 2 * 3600_000) },
    });
    const late = await edit(customer.accessToken, {
      orderId: order.id,
      idempotencyKey: randomUUID(),
      lines: [{ orderItemId: lampLine, quantity: 1 }],
    });
    expect(late.errors?.[0]?.extensions?.code).toBe("CONFLICT");
    expect(late.errors?.[0]?.message).toMatch(/60 minutes/);
    // The shop raises its tax rate meanwhile: the order keeps the rate it was placed with.
    const rate = `mutation($input: TaxRateInput!) { taxRateSet(input: $input) { id } }`;
    await asAdmin(rate, { input: { country: "GB", taxCategory: "STANDARD", rate: "25" } });
    const byStaff = await edit(admin.accessToken, {
      orderId: order.id,
      idempotencyKey: randomUUID(),
      lines: [{ orderItemId: lampLine, quantity: 1 }],
    }).finally(() => asAdmin(rate, { input: { country: "GB", taxCategory: "STANDARD", rate: "20" } }));
    expect(byStaff.errors).toBeUndefined();
    expect(editedOf(byStaff).edits[0]).toMatchObject({
      editedBy: "STAFF",
      lines: [{ orderItemId: lampLine, previousQuantity: 2, quantity: 1 }],
    });
    expect(editedOf(byStaff).items.find((item: any) => item.id === lampLine).quantity).toBe(1);
    // 30.00 + 10.00 − 5.00 (3.75 + 1.25) − 4.38 (half of the mug's 8.75) = 30.62 < 50.00: shipping
    // 4.99; tax at 20 %: 5.25 + 0.87 + 1.00 = 7.12 (at 25 % it would be 8.90).
    expect(editedOf(byStaff).total).toEqual({ amount: "42.73" });
  }, 300_000);

  it("refuses bad input, other people's orders, and orders that shipped", async () => {
    const customer = await registerCustomer(url);
    const stranger = await registerCustomer(url);
    const { order, lampLine, mugLine } = await confirmedOrder(customer);
    const base = { orderId: order.id, idempotencyKey: randomUUID() };
    const refusal = async (token: string, input: Record<string, unknown>) =>
      (await edit(token, { ...base, ...input })).errors?.[0]?.extensions;

    expect(await refusal(customer.accessToken, { lines: [{ orderItemId: randomUUID(), quantity: 0 }] })).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "lines.0.orderItemId",
    });
    expect(await refusal(customer.accessToken, { lines: [{ orderItemId: lampLine, quantity: 3 }] })).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "lines.0.quantity",
    });
    expect(await refusal(customer.accessToken, { lines: [{ orderItemId: lampLine, quantity: -1 }] })).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "lines.0.quantity",
    });
    expect(
      await refusal(customer.accessToken, {
        lines: [
          { orderItemId: lampLine, quantity: 1 },
          { orderItemId: lampLine, quantity: 0 },
        ],
      }),
    ).toMatchObject({ code: "BAD_USER_INPUT", field: "lines.1.orderItemId" });
    expect(
      await refusal(customer.accessToken, {
        lines: Array.from({ length: 51 }, () => ({ orderItemId: lampLine, quantity: 1 })),
      }),
    ).toMatchObject({ code: "BAD_USER_INPUT", field: "lines" });
    expect(
      await refusal(customer.accessToken, {
        lines: [
          { orderItemId: lampLine, quantity: 0 },
          { orderItemId: mugLine, quantity: 0 },
        ],
      }),
    ).toMatchObject({ code: "CONFLICT", field: "lines" });
    expect(await refusal(stranger.accessToken, { lines: [{ orderItemId: lampLine, quantity: 1 }] })).toMatchObject({
      code: "FORBIDDEN",
    });
    expect(
      await refusal(customer.accessToken, { orderId: randomUUID(), lines: [{ orderItemId: lampLine, quantity: 1 }] }),
    ).toMatchObject({ code: "NOT_FOUND" });
    // Nothing of it was edited.
    const untouched = (await graphqlData(url, orderView, { token: customer.accessToken, variables: { id: order.id } }))
      .order;
    expect(untouched.edits).toEqual([]);
    expect(untouched.total).toEqual(order.total);

    await asAdmin(`mutation($input: ShipOrderInput!) { shipOrder(input: $input) { id } }`, {
      input: { orderId: order.id, carrier: "Post", trackingNumber: `P-${randomUUID().slice(0, 8)}` },
    });
    expect(await refusal(admin.accessToken, { lines: [{ orderItemId: lampLine, quantity: 1 }] })).toMatchObject({
      code: "CONFLICT",
    });
  }, 300_000);
});
