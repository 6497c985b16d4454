import { randomUUID } from "node:crypto";
import { graphql, graphqlData } from "../../support/graphqlClient";
import { CatalogBuilder, type BuiltVariant } from "../../support/catalogBuilder";
import { address } from "../../support/checkout";
import { loginAdmin, registerCustomer, tokenOfSealedLink, type Session } from "../../support/identity";
import { NatsTap } from "../../support/natsTap";
import { startServices, type TestServices } from "../../support/testServices";
import { waitFor } from "../../support/waitFor";

const cartFields = `id items { id variant { id } quantity lineTotal { amount currency } } subtotal { amount currency }
  itemCount buyerIdentity { email shippingAddress { name line1 city postalCode country } billingAddress { line1 country } } expiresAt`;
const cartCreate = `mutation CartCreate { cartCreate { cartToken cart { ${cartFields} } } }`;
const guestCart = `query GuestCart($token: String!) { cart(token: $token) { ${cartFields} } }`;
const customerCart = `query Cart { cart { ${cartFields} } }`;
const linesAdd = `mutation CartLinesAdd($cartToken: String, $lines: [CartLineInput!]!) { cartLinesAdd(cartToken: $cartToken, lines: $lines) { ${cartFields} } }`;
const linesUpdate = `mutation CartLinesUpdate($cartToken: String, $lines: [CartLineUpdateInput!]!) { cartLinesUpdate(cartToken: $cartToken, lines: $lines) { ${cartFields} } }`;
const linesRemove = `mutation CartLinesRemove($cartToken: String, $lineIds: [ID!]!) { cartLinesRemove(cartToken: $cartToken, lineIds: $lineIds) { ${cartFields} } }`;
const identityUpdate = `mutation CartBuyerIdentityUpdate($cartToken: String, $buyerIdentity: CartBuyerIdentityInput!) { cartBuyerIdentityUpdate(cartToken: $cartToken, buyerIdentity: $buyerIdentity) { ${cartFields} } }`;
const cartMerge = `mutation CartMerge($cartToken: String!) { cartMerge(cartToken: $cartToken) { cart { ${cartFields} } adjustments { variant { id } requestedQuantity quantity reason } } }`;
const placeGuestOrder = `mutation PlaceGuestOrder($input: PlaceGuestOrderInput!) { placeGuestOrder(input: $input) { id number status guestEmail total { amount currency } } }`;
const guestOrder = `query GuestOrder($number: String!, $email: String!) { guestOrder(number: $number, email: $email) {
  id number status guestEmail customer { id } items { variant { id } quantity lineTotal { amount } } total { amount currency }
  shippingAddress { line1 country } billingAddress { line1 country } } }`;
const myOrders = `query { me { orders(first: 20) { totalCount edges { node { id number guestEmail payment { status } } } } } }`;

interface CartView {
  id: string;
  items: Array<{ id: string; variant: { id: string }; quantity: number; lineTotal: { amount: string } }>;
  subtotal: { amount: string; currency: string };
  itemCount: number;
  buyerIdentity: { email: string | null; shippingAddress: { line1: string } | null };
  expiresAt: string | null;
}

describe("guest carts and guest checkout, through the router", () => {
  let services: TestServices<"products" | "inventory" | "orders" | "payments">;
  let url: string;
  let admin: Session;
  let build: CatalogBuilder;
  let tap: NatsTap;

  beforeAll(async () => {
    services = await startServices(["products", "inventory", "orders", "payments"], {
      settings: { orders: { UNPAID_ORDERS_PER_BUYER: "2" } },
    });
    url = services.router.url;
    admin = await loginAdmin(url);
    build = new CatalogBuilder(url, admin.accessToken);
    tap = await NatsTap.open(`${services.testId}.users.>`);
    // Four services and the router start on a machine other test runs share: minutes, not seconds.
  }, 400_000);

  afterAll(async () => {
    await tap?.close();
    await services?.cleanUp();
  });

  const hoodie = (stock = 200) =>
    build.productWithVariants({
      name: "Guest Hoodie",
      options: [{ name: "Size", values: ["M", "L"] }],
      variants: [
        { options: { Size: "M" }, price: "40.00", stock },
        { options: { Size: "L" }, price: "45.50", stock },
      ],
    });

  async function newGuestCart(): Promise<string> {
    const { cartCreate: created } = await graphqlData(url, cartCreate);
    expect(created.cartToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(created.cart).toMatchObject({ items: [], itemCount: 0, buyerIdentity: { email: null } });
    expect(created.cart.expiresAt).not.toBeNull();
    return created.cartToken;
  }

  const call = async <T = CartView>(query: string, variables: Record<string, unknown>, token?: string): Promise<T> => {
    const data = await graphqlData(url, query, { variables, token });
    return Object.values(data)[0] as T;
  };

  async function guestOrderOf(number: string, email: string) {
    return graphql(url, guestOrder, { variables: { number, email } });
  }

  it("a guest buys: creates a cart, adds two variants, says who buys, orders, pays and looks the order up by number and email", async () => {
    const [medium, large] = (await hoodie()).variants as [BuiltVariant, BuiltVariant];
    const cartToken = await newGuestCart();

    await call(linesAdd, { cartToken, lines: [{ variantId: medium.id, quantity: 2 }] });
    const filled = await call(linesAdd, { cartToken, lines: [{ variantId: large.id, quantity: 1 }] });
    expect(filled.items.map((item) => [item.variant.id, item.quantity])).toEqual([
      [medium.id, 2],
      [large.id, 1],
    ]);
    expect(filled.subtotal).toEqual({ amount: "125.50", currency: "USD" });

    // Invalid identity fields are BAD_USER_INPUT naming the field, and change nothing.
    const badEmail = await graphql(url, identityUpdate, {
      variables: { cartToken, buyerIdentity: { email: "not-an-email" } },
    });
    expect(badEmail.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "buyerIdentity.email" });
    const badCountry = await graphql(url, identityUpdate, {
      variables: { cartToken, buyerIdentity: { shippingAddress: { ...address, country: "XX" } } },
    });
    expect(badCountry.errors?.[0]?.extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "buyerIdentity.shippingAddress.country",
    });

    const email = `guest-${randomUUID().slice(0, 8)}@example.com`;
    const identified = await call(identityUpdate, {
      cartToken,
      buyerIdentity: { email: email.toUpperCase(), shippingAddress: address },
    });
    expect(identified.buyerIdentity).toMatchObject({ email, shippingAddress: { line1: address.line1 } });
    expect((await call(guestCart, { token: cartToken })).buyerIdentity.email).toBe(email);

    const input = { cartToken, idempotencyKey: randomUUID(), paymentToken: "tok_visa" };
    const placed = await call<{ id: string; number: string; status: string; guestEmail: string }>(placeGuestOrder, {
      input,
    });
    expect(placed).toMatchObject({
      status: "PENDING",
      guestEmail: email,
      total: { amount: "125.50", currency: "USD" },
    });
    // A retry with the same key answers the same order.
    expect((await call<{ id: string }>(placeGuestOrder, { input })).id).toBe(placed.id);
    // The cart was emptied by the checkout.
    expect((await call(guestCart, { token: cartToken })).items).toEqual([]);

    const confirmed = await waitFor(async () => {
      const { data } = await guestOrderOf(placed.number, email);
      const order = data?.guestOrder as { status: string } | undefined;
      return order?.status === "CONFIRMED" ? order : undefined;
    }, "the guest order to be CONFIRMED");
    expect(confirmed).toMatchObject({
      id: placed.id,
      guestEmail: email,
      customer: null,
      items: [
        { variant: { id: medium.id }, quantity: 2, lineTotal: { amount: "80.00" } },
        { variant: { id: large.id }, quantity: 1, lineTotal: { amount: "45.50" } },
      ],
      total: { amount: "125.50", currency: "USD" },
      shippingAddress: { line1: address.line1, country: "GB" },
    });
    // Letter case of the email does not matter.
    expect((await guestOrderOf(placed.number, email.toUpperCase())).data?.guestOrder).toMatchObject({ id: placed.id });

    // A wrong email and a wrong number answer the same NOT_FOUND.
    const wrongEmail = await guestOrderOf(placed.number, "someone-else@example.com");
    const wrongNumber = await guestOrderOf("ZZZ-ZZZZZ", email);
    expect(wrongEmail.errors?.[0]?.extensions).toMatchObject({ code: "NOT_FOUND" });
    expect(wrongEmail.errors?.[0]).toEqual(wrongNumber.errors?.[0]);
    expect(wrongEmail.data?.guestOrder ?? null).toBeNull();

    // A token no cart has is NOT_FOUND; a guest cart is no customer's.
    const unknown = await graphql(url, guestCart, { variables: { token: "x".repeat(43) } });
    expect(unknown.errors?.[0]?.extensions).toMatchObject({ code: "NOT_FOUND", field: "token" });
    const signedOut = await graphql(url, customerCart);
    expect(signedOut.errors?.[0]?.extensions).toMatchObject({ code: "UNAUTHENTICATED" });
  });

  it("adds lines, sets their quantity idempotently, and removes them, for a guest and for a customer", async () => {
    const [medium, large] = (await hoodie()).variants as [BuiltVariant, BuiltVariant];
    const cartToken = await newGuestCart();
    const added = await call(linesAdd, {
      cartToken,
      lines: [
        { variantId: medium.id, quantity: 1 },
        { variantId: large.id, quantity: 2 },
        { variantId: medium.id, quantity: 2 },
      ],
    });
    expect(added.items.map((item) => [item.variant.id, item.quantity])).toEqual([
      [medium.id, 3],
      [large.id, 2],
    ]);
    const [mediumLine, largeLine] = added.items as [CartView["items"][0], CartView["items"][0]];

    const update = { cartToken, lines: [{ id: mediumLine.id, quantity: 5 }] };
    const once = await call(linesUpdate, update);
    const twice = await call(linesUpdate, update);
    expect(twice).toEqual(once);
    expect(twice.items.map((item) => [item.id, item.quantity])).toEqual([
      [mediumLine.id, 5],
      [largeLine.id, 2],
    ]);

    // Too many units, or a line the cart does not have, change nothing.
    const tooMany = await graphql(url, linesUpdate, {
      variables: { cartToken, lines: [{ id: largeLine.id, quantity: 100 }] },
    });
    expect(tooMany.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "lines.0.quantity" });
    const noSuchLine = await graphql(url, linesUpdate, {
      variables: { cartToken, lines: [{ id: randomUUID(), quantity: 1 }] },
    });
    expect(noSuchLine.errors?.[0]?.extensions).toMatchObject({ code: "NOT_FOUND", field: "lines.0.id" });
    const overCap = await graphql(url, linesAdd, {
      variables: { cartToken, lines: [{ variantId: medium.id, quantity: 95 }] },
    });
    expect(overCap.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "lines.0.quantity" });
    expect((await call(guestCart, { token: cartToken })).items.map((item) => item.quantity)).toEqual([5, 2]);

    // Quantity 0 removes a line; sent again, it is no error and changes nothing.
    const zero = { cartToken, lines: [{ id: largeLine.id, quantity: 0 }] };
    expect((await call(linesUpdate, zero)).items.map((item) => item.id)).toEqual([mediumLine.id]);
    expect((await call(linesUpdate, zero)).items.map((item) => item.id)).toEqual([mediumLine.id]);
    const remove = { cartToken, lineIds: [mediumLine.id] };
    expect((await call(linesRemove, remove)).items).toEqual([]);
    expect((await call(linesRemove, remove)).items).toEqual([]);

    // The same operations without a token work on the signed-in customer's cart, which the
    // contract's older operations see too.
    const customer = await registerCustomer(url);
    const mine = await call(linesAdd, { lines: [{ variantId: large.id, quantity: 4 }] }, customer.accessToken);
    expect(mine.expiresAt).toBeNull();
    const { cart } = await graphqlData(url, `query { cart { id items { id quantity } } }`, {
      token: customer.accessToken,
    });
    expect(cart).toEqual({ id: mine.id, items: [{ id: mine.items[0]!.id, quantity: 4 }] });
    const removed = await call(linesRemove, { lineIds: [mine.items[0]!.id] }, customer.accessToken);
    expect(removed.items).toEqual([]);
  });

  it("merges a guest cart into the customer's on sign-in: quantities add up to the cap, and what was capped is reported", async () => {
    const [medium, large] = (await hoodie()).variants as [BuiltVariant, BuiltVariant];
    const customer = await registerCustomer(url);
    await call(linesAdd, { lines: [{ variantId: medium.id, quantity: 60 }] }, customer.accessToken);

    const cartToken = await newGuestCart();
    await call(linesAdd, {
      cartToken,
      lines: [
        { variantId: large.id, quantity: 2 },
        { variantId: medium.id, quantity: 50 },
      ],
    });
    await call(identityUpdate, { cartToken, buyerIdentity: { shippingAddress: address } });

    const merged = await call<{ cart: CartView; adjustments: unknown[] }>(
      cartMerge,
      { cartToken },
      customer.accessToken,
    );
    expect(merged.cart.items.map((item) => [item.variant.id, item.quantity])).toEqual([
      [medium.id, 99],
      [large.id, 2],
    ]);
    expect(merged.adjustments).toEqual([
      { variant: { id: medium.id }, requestedQuantity: 110, quantity: 99, reason: "QUANTITY_CAP" },
    ]);
    // The customer's cart had no address: it takes the guest's.
    expect(merged.cart.buyerIdentity.shippingAddress).toMatchObject({ line1: address.line1 });
    const { cart } = await graphqlData(url, customerCart, { token: customer.accessToken });
    expect(cart).toEqual(merged.cart);

    // The guest cart is gone: merging it again is NOT_FOUND, and a guest cart needs a signed-in caller to merge.
    const again = await graphql(url, cartMerge, { token: customer.accessToken, variables: { cartToken } });
    expect(again.errors?.[0]?.extensions).toMatchObject({ code: "NOT_FOUND", field: "cartToken" });
    const anonymous = await graphql(url, cartMerge, { variables: { cartToken: await newGuestCart() } });
    expect(anonymous.errors?.[0]?.extensions).toMatchObject({ code: "UNAUTHENTICATED" });
  });

  it("attaches a guest's orders to the account of the same email only once that email is verified", async () => {
    const [medium] = (await hoodie()).variants as [BuiltVariant];
    const customer = await registerCustomer(url);
    const cartToken = await newGuestCart();
    await call(linesAdd, { cartToken, lines: [{ variantId: medium.id, quantity: 1 }] });
    const placed = await call<{ id: string; number: string }>(placeGuestOrder, {
      input: {
        cartToken,
        idempotencyKey: randomUUID(),
        email: customer.user.email.toUpperCase(),
        shippingAddress: address,
        billingAddress: { ...address, line1: "1 Billing Lane" },
        paymentToken: "tok_visa",
      },
    });
    const confirmed = await waitFor(async () => {
      const order = (await guestOrderOf(placed.number, customer.user.email)).data?.guestOrder as
        { status: string; customer: unknown; billingAddress: unknown } | undefined;
      return order?.status === "CONFIRMED" ? order : undefined;
    }, "the guest order to be CONFIRMED");
    expect(confirmed).toMatchObject({ customer: null, billingAddress: { line1: "1 Billing Lane", country: "GB" } });

    // Not verified yet: the account does not see the order, nor may it read it.
    const before = await graphqlData(url, myOrders, { token: customer.accessToken });
    expect(before.me.orders.totalCount).toBe(0);
    const forbidden = await graphql(
      url,
      `
        query ($id: ID!) {
          order(id: $id) {
            id
          }
        }
      `,
      {
        token: customer.accessToken,
        variables: { id: placed.id },
      },
    );
    expect(forbidden.errors?.[0]?.extensions).toMatchObject({ code: "FORBIDDEN" });

    const registered = await waitFor(
      () =>
        (tap.received as Array<{ type: string; data: { userId: string; verification?: { sealed: string } } }>).find(
          (event) => event.type === "users.user.registered" && event.data.userId === customer.user.id,
        ),
      "users.user.registered",
    );
    const token = tokenOfSealedLink(registered.data.verification);
    expect(
      (await graphqlData(url, `mutation($token: String!) { verifyEmail(token: $token) }`, { variables: { token } }))
        .verifyEmail,
    ).toBe(true);

    const after = await waitFor(async () => {
      const { me } = await graphqlData(url, myOrders, { token: customer.accessToken });
      const node = me.orders.edges[0]?.node as { payment: { status: string } | null } | undefined;
      return node?.payment ? me.orders : undefined;
    }, "the guest order in me.orders, with its payment");
    expect(after.totalCount).toBe(1);
    expect(after.edges[0].node).toMatchObject({
      id: placed.id,
      guestEmail: customer.user.email,
      payment: { status: "SUCCEEDED" },
    });
    expect((await guestOrderOf(placed.number, customer.user.email)).data?.guestOrder).toMatchObject({
      customer: { id: customer.user.id },
    });
  });

  it("limits the unpaid orders one guest email may hold", async () => {
    const [medium] = (await hoodie()).variants as [BuiltVariant];
    const email = `holder-${randomUUID().slice(0, 8)}@example.com`;
    const order = async () => {
      const cartToken = await newGuestCart();
      await call(linesAdd, { cartToken, lines: [{ variantId: medium.id, quantity: 1 }] });
      // A card that waits for authentication: the order stays unpaid, its stock reserved.
      return graphql(url, placeGuestOrder, {
        variables: {
          input: {
            cartToken,
            idempotencyKey: randomUUID(),
            email,
            shippingAddress: address,
            paymentToken: "tok_3ds_required",
          },
        },
      });
    };
    expect((await order()).errors).toBeUndefined();
    expect((await order()).errors).toBeUndefined();
    const third = await order();
    expect(third.errors?.[0]?.extensions).toMatchObject({ code: "CONFLICT" });
    expect(await services.orders.runtime.db.order.count({ where: { guestEmail: email } })).toBe(2);
  });
});
