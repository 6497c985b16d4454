import { graphql, graphqlData } from "../../support/graphqlClient";
import { CatalogBuilder } from "../../support/catalogBuilder";
import { placeOrder, placeOrderInput, waitForOrder } from "../../support/checkout";
import { loginAdmin, registerCustomer, type Session } from "../../support/identity";
import { startServices, type TestServices } from "../../support/testServices";

const addToCart = `mutation($productId: ID!, $quantity: Int!) { addToCart(productId: $productId, quantity: $quantity) { id } }`;
const cartQuery = `query { cart { items { product { id } quantity } } }`;
const placeOrderMutation = `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id status } }`;
const cancelOrder = `mutation($id: ID!) { cancelOrder(id: $id, reason: "changed my mind") { id } }`;

/**
 * A signed-in customer's cart checkout without discount uses is placed by one statement
 * (checkoutSql.ts, `placeOrderAtOnce`), which alone enforces the customer's unpaid limits: a
 * refused order is an error of that statement, so it writes nothing, not even the idempotency
 * key's claim, and leaves the cart as it was.
 */
describe("a signed-in customer's unpaid limits, on the one-statement checkout", () => {
  let services: TestServices<"products" | "inventory" | "orders" | "payments">;
  let url: string;
  let build: CatalogBuilder;

  beforeAll(async () => {
    services = await startServices(["products", "inventory", "orders", "payments"], {
      settings: { orders: { UNPAID_ORDERS_PER_BUYER: "2", UNPAID_UNITS_PER_BUYER: "5" } },
    });
    url = services.router.url;
    const admin = await loginAdmin(url);
    build = new CatalogBuilder(url, admin.accessToken);
    // Four services and the router start on a machine other test runs share: minutes, not seconds.
  }, 400_000);

  afterAll(() => services?.cleanUp());

  const fillCart = (customer: Session, productId: string, quantity: number) =>
    graphqlData(url, addToCart, { token: customer.accessToken, variables: { productId, quantity } });
  const cartLines = async (customer: Session) =>
    (await graphqlData(url, cartQuery, { token: customer.accessToken })).cart.items.map(
      (item: { product: { id: string }; quantity: number }) => [item.product.id, item.quantity],
    );
  /** A cart checkout with a card that waits for authentication: the order stays unpaid. */
  const unpaidOrder = async (customer: Session, productId: string, quantity: number) => {
    await fillCart(customer, productId, quantity);
    return placeOrder(url, customer.accessToken, placeOrderInput(null, "tok_3ds_required"));
  };
  const ordersOf = (customer: Session) =>
    services.orders.runtime.db.order.count({ where: { customerId: customer.user.id } });
  const claimOf = (customer: Session, idempotencyKey: string) =>
    services.orders.runtime.db.orderRequest.findUnique({
      where: { customerId_idempotencyKey: { customerId: customer.user.id, idempotencyKey } },
    });
  const cancel = async (customer: Session, orderId: string) => {
    await graphqlData(url, cancelOrder, { token: customer.accessToken, variables: { id: orderId } });
    await waitForOrder(url, customer.accessToken, orderId, (order) => order.status === "CANCELLED", "the cancel");
  };

  /**
   * The refused checkout wrote nothing: no order, no claim of its key, the cart's lines kept; once
   * an unpaid order is cancelled, the same request with the same key places the order.
   */
  async function expectNothingWritten(
    customer: Session,
    refused: { input: Record<string, unknown>; ordersBefore: number; lines: unknown[]; cancelling: string },
  ) {
    expect(await ordersOf(customer)).toBe(refused.ordersBefore);
    expect(await claimOf(customer, refused.input.idempotencyKey as string)).toBeNull();
    expect(await cartLines(customer)).toEqual(refused.lines);

    await cancel(customer, refused.cancelling);
    const retried = await graphql<{ placeOrder: { id: string } }>(url, placeOrderMutation, {
      token: customer.accessToken,
      variables: { input: refused.input },
    });
    expect(retried.errors).toBeUndefined();
    expect(await ordersOf(customer)).toBe(refused.ordersBefore + 1);
    expect(await claimOf(customer, refused.input.idempotencyKey as string)).toMatchObject({
      orderId: retried.data?.placeOrder.id,
    });
    expect(await cartLines(customer)).toEqual([]);
  }

  it("refuses a customer holding the most orders waiting for payment (ORDERS_HELD), writing nothing", async () => {
    const customer = await registerCustomer(url);
    const product = await build.product({ name: "Held Orders Mug", price: "8.00", stock: 50 });
    const first = await unpaidOrder(customer, product.id, 1);
    await unpaidOrder(customer, product.id, 1);

    await fillCart(customer, product.id, 1);
    const input = placeOrderInput(null, "tok_3ds_required");
    const refused = await graphql(url, placeOrderMutation, { token: customer.accessToken, variables: { input } });
    expect(refused.errors?.[0]?.message).toBe(
      "You have 2 orders waiting for payment: pay or cancel one before placing another.",
    );
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: "CONFLICT" });

    await expectNothingWritten(customer, { input, ordersBefore: 2, lines: [[product.id, 1]], cancelling: first.id });
  });

  it("refuses an order that would take the units waiting for payment past the limit (UNITS_HELD), writing nothing", async () => {
    const customer = await registerCustomer(url);
    const product = await build.product({ name: "Held Units Tray", price: "3.00", stock: 50 });
    const first = await unpaidOrder(customer, product.id, 3);

    await fillCart(customer, product.id, 3);
    const input = placeOrderInput(null, "tok_3ds_required");
    const refused = await graphql(url, placeOrderMutation, { token: customer.accessToken, variables: { input } });
    expect(refused.errors?.[0]?.message).toBe(
      "Orders waiting for payment may hold at most 5 units: this order would make 6.",
    );
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: "CONFLICT", field: "items" });

    await expectNothingWritten(customer, { input, ordersBefore: 1, lines: [[product.id, 3]], cancelling: first.id });
  });
});
