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
    ] as const)
      products[key] = (await build.product({ name: `Pricing ${key}`, price, stock: 1000 })).id;
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
  });

  afterAll(() => services?.cleanUp());

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
