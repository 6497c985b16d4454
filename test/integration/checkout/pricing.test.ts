import { randomUUID } from "node:crypto";
import { graphql, graphqlData } from "../../support/graphqlClient";
import { CatalogBuilder } from "../../support/catalogBuilder";
import { address, waitForOrder } from "../../support/checkout";
import { loginAdmin, registerCustomer, type Session } from "../../support/identity";
import { startServices, type TestServices } from "../../support/testServices";
import { waitFor } from "../../support/waitFor";

const costFields = `subtotal { amount currency } shipping { amount } discountTotal { amount } tax { amount } total { amount currency }
  discounts { amount { amount } code promotion } taxLines { line taxCategory rate amount { amount } }`;

interface Cost {
  subtotal: { amount: string };
  shipping: { amount: string };
  discountTotal: { amount: string };
  tax: { amount: string };
  total: { amount: string };
  discounts: Array<{ amount: { amount: string }; code: string | null; promotion: string }>;
}

const figures = (cost: Cost) => ({
  subtotal: cost.subtotal.amount,
  shipping: cost.shipping.amount,
  discount: cost.discountTotal.amount,
  tax: cost.tax.amount,
  total: cost.total.amount,
});

/**
 * Shipping, tax and discounts priced by the one pricing function, through the router: the cart's
 * cost, the order's cost and the payment's captured amount agree, and a code's usage limit holds
 * under racing checkouts.
 */
describe("pricing: shipping, tax and discounts through the router", () => {
  let services: TestServices<"products" | "inventory" | "orders" | "payments">;
  let url: string;
  let admin: Session;
  let customer: Session;
  let build: CatalogBuilder;
  const products: Record<string, string> = {};
  const variants: Record<string, string> = {};

  const asAdmin = (query: string, variables: Record<string, unknown>) =>
    graphqlData(url, query, { token: admin.accessToken, variables });
  const asCustomer = (query: string, variables: Record<string, unknown> = {}) =>
    graphqlData(url, query, { token: customer.accessToken, variables });

  const createPromotion = async (input: Record<string, unknown>) =>
    (
      await asAdmin(`mutation($input: PromotionInput!) { promotionCreate(input: $input) { id code } }`, {
        input,
      })
    ).promotionCreate as { id: string };

  const usageOf = async (id: string) =>
    (await asAdmin(`query($id: ID!) { promotion(id: $id) { usage { used held remaining } } }`, { id })).promotion
      .usage as { used: number; held: number; remaining: number | null };

  beforeAll(async () => {
    services = await startServices(["products", "inventory", "orders", "payments"], {
      settings: {
        payments: { PAYMENT_RETRY_BASE_MS: "50" },
        // Twenty checkouts race for one code on a shared, loaded machine: the router waits for
        // the slowest one instead of answering SERVICE_UNAVAILABLE (what is tested is the count).
        router: { SUBGRAPH_TIMEOUT_SECONDS: "120" },
      },
    });
    url = services.router.url;
    admin = await loginAdmin(url);
    customer = await registerCustomer(url);
    build = new CatalogBuilder(url, admin.accessToken);

    for (const [key, price] of [
      ["lamp", "10.00"],
      ["book", "12.50"],
      ["mug", "10.00"],
      ["racer", "20.00"],
    ] as const) {
      const built = await build.product({ name: `Pricing ${key}`, price, stock: 1000 });
      products[key] = built.id;
      variants[key] = built.defaultVariant.id;
    }
    await asAdmin(`mutation($id: ID!, $input: UpdateProductInput!) { updateProduct(id: $id, input: $input) { id } }`, {
      id: products.book,
      input: { taxCategory: "REDUCED" },
    });

    const zone = `mutation($input: ShippingZoneInput!) { shippingZoneSave(input: $input) { id methods { id name } } }`;
    await asAdmin(zone, {
      input: {
        name: "Domestic",
        areas: [{ country: "GB" }],
        methods: [
          { name: "Standard", rateKind: "FLAT", price: "4.99", freeAbove: "50.00" },
          { name: "Express", rateKind: "FLAT", price: "9.99" },
        ],
      },
    });
    await asAdmin(zone, {
      input: {
        name: "Europe",
        areas: [{ country: "DE" }, { country: "FR" }],
        methods: [
          {
            name: "Post",
            rateKind: "WEIGHT",
            bands: [{ upToGrams: 1000, price: "8.00" }, { price: "15.00" }],
          },
        ],
      },
    });
    const rate = `mutation($input: TaxRateInput!) { taxRateSet(input: $input) { id rate } }`;
    await asAdmin(rate, { input: { country: "GB", taxCategory: "STANDARD", rate: "20" } });
    await asAdmin(rate, { input: { country: "GB", taxCategory: "REDUCED", rate: "5" } });
    await asAdmin(rate, { input: { country: "DE", taxCategory: "STANDARD", rate: "19" } });
    await createPromotion({ title: "SAVE5", code: "SAVE5", kind: "FIXED_AMOUNT", amount: "5.00" });
    // Automatic, but only on mugs: it touches no other case of the table.
    await createPromotion({ title: "Mug week", kind: "PERCENTAGE", percentage: "10", productIds: [products.mug] });
    // Six services start on a machine other test runs share: minutes, not seconds.
  }, 400_000);

  afterAll(() => services?.cleanUp(), 120_000);

  const cases: Array<{
    name: string;
    lines: Array<[string, number]>;
    country: string;
    codes?: string[];
    expected: { subtotal: string; shipping: string; discount: string; tax: string; total: string };
  }> = [
    {
      name: "domestic address: flat shipping, 20 % tax on the lines and on shipping",
      lines: [["lamp", 2]],
      country: "GB",
      expected: { subtotal: "20.00", shipping: "4.99", discount: "0.00", tax: "5.00", total: "29.99" },
    },
    {
      name: "foreign address: the weight band, 19 % tax",
      lines: [["lamp", 2]],
      country: "DE",
      expected: { subtotal: "20.00", shipping: "8.00", discount: "0.00", tax: "5.32", total: "33.32" },
    },
    {
      name: "reduced-rate product: 5 % on the book, rounded half to even",
      lines: [
        ["book", 1],
        ["lamp", 1],
      ],
      country: "GB",
      expected: { subtotal: "22.50", shipping: "4.99", discount: "0.00", tax: "3.62", total: "31.11" },
    },
    {
      name: "a code plus an automatic promotion",
      lines: [["mug", 3]],
      country: "GB",
      codes: ["save5"],
      expected: { subtotal: "30.00", shipping: "4.99", discount: "7.50", tax: "5.50", total: "32.99" },
    },
    {
      name: "free shipping above the threshold",
      lines: [["lamp", 6]],
      country: "GB",
      expected: { subtotal: "60.00", shipping: "0.00", discount: "0.00", tax: "12.00", total: "72.00" },
    },
  ];

  it.each(cases)(
    "$name: the cart, the order and the captured payment agree",
    async ({ lines, country, codes, expected }) => {
      await asCustomer(`mutation { clearCart { id } }`);
      for (const [key, quantity] of lines)
        await asCustomer(`mutation($id: ID!, $q: Int!) { addToCart(productId: $id, quantity: $q) { id } }`, {
          id: products[key],
          q: quantity,
        });
      await asCustomer(`mutation($codes: [String!]!) { cartDiscountCodesUpdate(codes: $codes) { id } }`, {
        codes: codes ?? [],
      });
      const { cart } = await asCustomer(
        `query($d: DestinationInput) { cart { cost(destination: $d) { ${costFields} } } }`,
        { d: { country } },
      );
      expect(figures(cart.cost)).toEqual(expected);

      const { placeOrder } = await asCustomer(
        `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }`,
        {
          input: {
            idempotencyKey: randomUUID(),
            shippingAddress: { ...address, country },
            paymentToken: "tok_visa",
          },
        },
      );
      await waitForOrder(
        url,
        customer.accessToken,
        placeOrder.id,
        (order) => order.status === "CONFIRMED",
        "CONFIRMED",
      );
      const { order } = await asCustomer(
        `query($id: ID!) { order(id: $id) { total { amount currency } cost { ${costFields} } payment { status amount { amount currency } } } }`,
        { id: placeOrder.id },
      );
      expect(figures(order.cost)).toEqual(expected);
      expect(order.cost.discounts).toEqual(cart.cost.discounts);
      expect(order.total).toEqual({ amount: expected.total, currency: "USD" });
      expect(order.payment).toEqual({ status: "SUCCEEDED", amount: { amount: expected.total, currency: "USD" } });
      const captured = await services.payments.runtime.db.paymentAttempt.findMany({
        where: { kind: "CAPTURE", outcome: "SUCCEEDED", payment: { orderId: placeOrder.id } },
      });
      expect(captured.map((attempt) => attempt.amountMinor)).toEqual([BigInt(expected.total.replace(".", ""))]);
    },
  );

  it("lists the shipping methods for an address, and refuses an address the shop does not ship to", async () => {
    const { cart } = await asCustomer(
      `query { cart { availableShippingMethods(destination: { country: "GB" }) { name price { amount } } } }`,
    );
    expect(cart.availableShippingMethods.map((method: { name: string }) => method.name)).toEqual([
      "Standard",
      "Express",
    ]);
    const refused = await graphql(
      url,
      `
        mutation ($input: PlaceOrderInput!) {
          placeOrder(input: $input) {
            id
          }
        }
      `,
      {
        token: customer.accessToken,
        variables: {
          input: {
            idempotencyKey: randomUUID(),
            items: [{ productId: products.lamp, quantity: 1 }],
            shippingAddress: { ...address, country: "JP" },
            paymentToken: "tok_visa",
          },
        },
      },
    );
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "shippingAddress.country" });
  });

  it("refuses an expired code with its reason", async () => {
    await createPromotion({
      title: "Old",
      code: "OLD16",
      kind: "PERCENTAGE",
      percentage: "10",
      startsAt: "2020-01-01T00:00:00.000Z",
      endsAt: "2020-02-01T00:00:00.000Z",
    });
    const refused = await graphql(
      url,
      `
        mutation {
          cartDiscountCodesUpdate(codes: ["old16"]) {
            id
          }
        }
      `,
      {
        token: customer.accessToken,
      },
    );
    expect(refused.errors?.[0]?.extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "codes",
      reason: "EXPIRED",
    });
  });

  const guestCall = async (query: string, variables: Record<string, unknown>) =>
    Object.values(await graphqlData(url, query, { variables }))[0] as any;
  const cartCreate = `mutation { cartCreate { cartToken } }`;
  const linesAdd = `mutation($cartToken: String, $lines: [CartLineInput!]!) { cartLinesAdd(cartToken: $cartToken, lines: $lines) { id } }`;
  const identityUpdate = `mutation($cartToken: String, $buyerIdentity: CartBuyerIdentityInput!) {
    cartBuyerIdentityUpdate(cartToken: $cartToken, buyerIdentity: $buyerIdentity) { id } }`;
  const codesUpdate = `mutation($cartToken: String, $codes: [String!]!) { cartDiscountCodesUpdate(cartToken: $cartToken, codes: $codes) { discountCodes } }`;
  const guestCartCost = `query($token: String) { cart(token: $token) { shippingMethodId
    availableShippingMethods { id name price { amount } } cost { ${costFields} } } }`;
  const placeGuest = `mutation($input: PlaceGuestOrderInput!) { placeGuestOrder(input: $input) { id number total { amount currency } } }`;

  /** A guest cart with lamps, an email and a GB shipping address in its buyer identity. */
  async function guestCartFor(email: string, lamps: number): Promise<string> {
    const { cartToken } = await guestCall(cartCreate, {});
    await guestCall(linesAdd, { cartToken, lines: [{ variantId: variants.lamp, quantity: lamps }] });
    await guestCall(identityUpdate, { cartToken, buyerIdentity: { email, shippingAddress: address } });
    return cartToken as string;
  }

  it("a guest's checkout with a code is priced at the buyer identity's address, as its order and its captured payment; the code's per-customer limit counts the guest's email", async () => {
    await createPromotion({
      title: "Guest ten",
      code: "GUEST10",
      kind: "PERCENTAGE",
      percentage: "10",
      perCustomerLimit: 1,
    });
    const email = `guest-${randomUUID().slice(0, 8)}@example.com`;
    const cartToken = await guestCartFor(email, 2);
    expect(await guestCall(codesUpdate, { cartToken, codes: ["guest10"] })).toEqual({ discountCodes: ["GUEST10"] });

    // No destination given: the cart's buyer identity ships to GB.
    const priced = await guestCall(guestCartCost, { token: cartToken });
    expect(priced.availableShippingMethods.map((method: { name: string }) => method.name)).toEqual([
      "Standard",
      "Express",
    ]);
    expect(figures(priced.cost)).toEqual({
      subtotal: "20.00",
      shipping: "4.99",
      discount: "2.00",
      tax: "4.60",
      total: "27.59",
    });
    const express = priced.availableShippingMethods.find((method: { name: string }) => method.name === "Express").id;
    await guestCall(
      `mutation($cartToken: String, $id: ID) { cartShippingMethodSelect(cartToken: $cartToken, shippingMethodId: $id) { shippingMethodId } }`,
      { cartToken, id: express },
    );
    const chosen = await guestCall(guestCartCost, { token: cartToken });
    const expected = { subtotal: "20.00", shipping: "9.99", discount: "2.00", tax: "5.60", total: "33.59" };
    expect(chosen.shippingMethodId).toBe(express);
    expect(figures(chosen.cost)).toEqual(expected);

    const placed = await guestCall(placeGuest, {
      input: { cartToken, idempotencyKey: randomUUID(), paymentToken: "tok_visa" },
    });
    expect(placed.total).toEqual({ amount: "33.59", currency: "USD" });
    const confirmed = await waitFor(async () => {
      const { data } = await graphql(
        url,
        `query($number: String!, $email: String!) { guestOrder(number: $number, email: $email) { status cost { ${costFields} } } }`,
        { variables: { number: placed.number, email } },
      );
      const order = data?.guestOrder as { status: string; cost: Cost } | undefined;
      return order?.status === "CONFIRMED" ? order : undefined;
    }, "the guest's order to be CONFIRMED");
    expect(figures(confirmed.cost)).toEqual(expected);
    expect(confirmed.cost.discounts).toEqual(chosen.cost.discounts);
    const captured = await services.payments.runtime.db.paymentAttempt.findMany({
      where: { kind: "CAPTURE", outcome: "SUCCEEDED", payment: { orderId: placed.id } },
    });
    expect(captured.map((attempt) => attempt.amountMinor)).toEqual([3359n]);

    // The same guest (their email in another case) from a new cart: the code's one use is theirs.
    const again = await guestCartFor(email.toUpperCase(), 1);
    const refused = await graphql(url, codesUpdate, { variables: { cartToken: again, codes: ["GUEST10"] } });
    expect(refused.errors?.[0]?.extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "codes",
      reason: "EXHAUSTED",
    });
    const refusedOrder = await graphql(url, placeGuest, {
      variables: {
        input: { cartToken: again, idempotencyKey: randomUUID(), paymentToken: "tok_visa", discountCodes: ["GUEST10"] },
      },
    });
    expect(refusedOrder.errors?.[0]?.extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "discountCodes",
      reason: "EXHAUSTED",
    });
    // Another guest may still use it.
    const other = await guestCartFor(`other-${randomUUID().slice(0, 8)}@example.com`, 1);
    expect(await guestCall(codesUpdate, { cartToken: other, codes: ["GUEST10"] })).toEqual({
      discountCodes: ["GUEST10"],
    });
  }, 300_000);

  it("signing in carries the guest cart's discount code and shipping method into the customer's cart", async () => {
    const cartToken = await guestCartFor(`merge-${randomUUID().slice(0, 8)}@example.com`, 2);
    await guestCall(codesUpdate, { cartToken, codes: ["save5"] });
    const { availableShippingMethods } = await guestCall(guestCartCost, { token: cartToken });
    const express = availableShippingMethods.find((method: { name: string }) => method.name === "Express").id;
    await guestCall(
      `mutation($cartToken: String, $id: ID) { cartShippingMethodSelect(cartToken: $cartToken, shippingMethodId: $id) { shippingMethodId } }`,
      { cartToken, id: express },
    );
    const guestCost = (await guestCall(guestCartCost, { token: cartToken })).cost as Cost;

    const shopper = await registerCustomer(url);
    const { cartMerge } = await graphqlData(
      url,
      `mutation($cartToken: String!) { cartMerge(cartToken: $cartToken) {
        cart { discountCodes shippingMethodId cost { ${costFields} } } droppedDiscountCodes } }`,
      { token: shopper.accessToken, variables: { cartToken } },
    );
    expect(cartMerge).toMatchObject({
      cart: { discountCodes: ["SAVE5"], shippingMethodId: express },
      droppedDiscountCodes: [],
    });
    expect(figures(cartMerge.cart.cost)).toEqual(figures(guestCost));
  });

  it("refunds follow each line's priced share (after its discount, with its tax) and never exceed the discounted total", async () => {
    await asCustomer(`mutation { clearCart { id } }`);
    const { placeOrder } = await asCustomer(`mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }`, {
      input: {
        idempotencyKey: randomUUID(),
        items: [
          { productId: products.lamp, quantity: 2 },
          { productId: products.book, quantity: 1 },
        ],
        shippingAddress: address,
        paymentToken: "tok_visa",
        discountCodes: ["SAVE5"],
      },
    });
    await waitForOrder(url, customer.accessToken, placeOrder.id, (order) => order.status === "CONFIRMED", "CONFIRMED");
    const { order } = await asAdmin(
      `query($id: ID!) { order(id: $id) { items { id quantity } cost { ${costFields} discounts { lines { line amount { amount } } } } } }`,
      { id: placeOrder.id },
    );
    // Lamps 20.00 and a book 12.50; SAVE5 takes 3.08 and 1.92 off them; 20 % and 5 % tax on what is left.
    expect(figures(order.cost)).toEqual({
      subtotal: "32.50",
      shipping: "4.99",
      discount: "5.00",
      tax: "4.91",
      total: "37.40",
    });
    expect(order.cost.discounts[0].lines).toEqual([
      { line: "0", amount: { amount: "3.08" } },
      { line: "1", amount: { amount: "1.92" } },
    ]);
    const [lampLine, bookLine] = order.items as Array<{ id: string }>;

    // Payments' ledger holds what each line paid as priced, and shipping with its tax: together the total.
    const payment = await services.payments.runtime.db.payment.findFirstOrThrow({ where: { orderId: placeOrder.id } });
    const ledger = await services.payments.runtime.db.paymentLine.findMany({ where: { paymentId: payment.id } });
    expect(Object.fromEntries(ledger.map((line) => [line.lineId, line.paidMinor]))).toEqual({
      [lampLine!.id]: 2030n, // 20.00 − 3.08 + 3.38
      [bookLine!.id]: 1111n, // 12.50 − 1.92 + 0.53
      shipping: 599n, // 4.99 + 1.00
    });

    await asAdmin(`mutation($input: ShipOrderInput!) { shipOrder(input: $input) { id } }`, {
      input: { orderId: placeOrder.id, carrier: "Post", trackingNumber: `P-${randomUUID().slice(0, 6)}` },
    });
    await asAdmin(`mutation($id: ID!) { markOrderDelivered(id: $id) { id } }`, { id: placeOrder.id });
    const { returnRequest } = await asCustomer(
      `mutation($input: ReturnRequestInput!) { returnRequest(input: $input) { id } }`,
      { input: { orderId: placeOrder.id, reason: "too bright", lines: [{ orderItemId: lampLine!.id, quantity: 2 }] } },
    );
    await asAdmin(`mutation($id: ID!) { returnApprove(id: $id, labelReference: "LBL-16") { status } }`, {
      id: returnRequest.id,
    });
    const { returnReceive } = await asAdmin(
      `mutation($input: ReturnReceiveInput!) { returnReceive(input: $input) { refundAmount { amount } } }`,
      { input: { returnId: returnRequest.id, restock: false } },
    );
    // The lamps' priced share, not their unit price × quantity (20.00).
    expect(returnReceive.refundAmount).toEqual({ amount: "20.30" });
    await waitFor(async () => {
      const now = await asAdmin(`query($id: ID!) { order(id: $id) { returns { status } } }`, { id: placeOrder.id });
      return now.order.returns[0]?.status === "REFUNDED" ? true : undefined;
    }, "the return refunded");

    // A cent more than is left is refused; then everything left, and the refunds come to exactly the total.
    const refundOrder = `mutation($input: RefundOrderInput!) { refundOrder(input: $input) { refundedAmount { amount } refundableAmount { amount } } }`;
    const tooMuch = await graphql(url, refundOrder, {
      token: admin.accessToken,
      variables: { input: { orderId: placeOrder.id, amount: "17.11" } },
    });
    expect(tooMuch.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    const rest = await asAdmin(refundOrder, { input: { orderId: placeOrder.id } });
    expect(rest.refundOrder).toEqual({ refundedAmount: { amount: "37.40" }, refundableAmount: { amount: "0.00" } });
    const more = await graphql(url, refundOrder, {
      token: admin.accessToken,
      variables: { input: { orderId: placeOrder.id, amount: "0.01" } },
    });
    // Nothing is left to refund (CONFLICT, worded by how far the payment has got).
    expect(more.errors?.[0]?.extensions?.code).toBe("CONFLICT");
  }, 300_000);

  it("a code with a limit of 5 used by 20 racing checkouts goes to exactly 5 orders; a cancelled order gives its use back", async () => {
    const promotion = await createPromotion({
      title: "Five only",
      code: "FIVEONLY",
      kind: "PERCENTAGE",
      percentage: "10",
      usageLimit: 5,
    });
    const checkout = () =>
      graphql<{ placeOrder: { id: string } }>(
        url,
        `
          mutation ($input: PlaceOrderInput!) {
            placeOrder(input: $input) {
              id
            }
          }
        `,
        {
          token: customer.accessToken,
          variables: {
            input: {
              idempotencyKey: randomUUID(),
              items: [{ productId: products.racer, quantity: 1 }],
              shippingAddress: address,
              paymentToken: "tok_visa",
              discountCodes: ["fiveonly"],
            },
          },
        },
      );
    const results = await Promise.all(Array.from({ length: 20 }, checkout));
    const placed = results.filter((result) => result.data?.placeOrder).map((result) => result.data!.placeOrder.id);
    const refused = results.filter((result) => result.errors);
    expect(
      refused.map((result) => result.errors![0]!.extensions).filter((each) => each?.reason !== "EXHAUSTED"),
    ).toEqual([]);
    expect(placed).toHaveLength(5);
    expect(refused).toHaveLength(15);
    for (const result of refused)
      expect(result.errors![0]!.extensions).toMatchObject({ code: "BAD_USER_INPUT", reason: "EXHAUSTED" });
    for (const id of placed)
      await waitForOrder(url, customer.accessToken, id, (order) => order.status === "CONFIRMED", "CONFIRMED");
    expect(await usageOf(promotion.id)).toEqual({ used: 5, held: 0, remaining: 0 });
    const orders = await services.orders.runtime.db.orderDiscount.findMany({ where: { discountId: promotion.id } });
    expect(orders.map((each) => each.useStatus)).toEqual(Array(5).fill("USED"));

    await asCustomer(`mutation($id: ID!) { cancelOrder(id: $id) { id } }`, { id: placed[0] });
    expect(await usageOf(promotion.id)).toEqual({ used: 4, held: 0, remaining: 1 });
    const again = await checkout();
    expect(again.errors).toBeUndefined();
    await waitFor(async () => ((await usageOf(promotion.id)).used === 5 ? true : undefined), "the new use to count");
  });
});
