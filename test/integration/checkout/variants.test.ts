import { randomUUID } from "node:crypto";
import { graphql, graphqlData } from "../../support/graphqlClient";
import { CatalogBuilder, type BuiltVariant } from "../../support/catalogBuilder";
import {
  atLocation,
  placeOrder,
  placeOrderInput,
  variantStockOf,
  waitForOrder,
  type OrderView,
} from "../../support/checkout";
import { loginAdmin, registerCustomer, type Session } from "../../support/identity";
import { startServices, type TestServices } from "../../support/testServices";
import { waitFor } from "../../support/waitFor";

const orderLines = `query($id: ID!) { order(id: $id) { id status cancellationReason total { amount }
  items { id quantity productName variantTitle sku selectedOptions { name value } image { url alt }
          unitPrice { amount currency } lineTotal { amount } product { id name } variant { id title price { amount } } } } }`;
const addToCart = `mutation($productId: ID, $variantId: ID, $quantity: Int!) { addToCart(productId: $productId, variantId: $variantId, quantity: $quantity) {
  id items { id variant { id title } product { id } quantity unitPrice { amount } } subtotal { amount } } }`;
const updateCartItem = `mutation($variantId: ID, $quantity: Int!) { updateCartItem(variantId: $variantId, quantity: $quantity) { items { variant { id } quantity } } }`;
const transfer = `mutation($input: StockTransferInput!) { stockTransfer(input: $input) { from { location { id } onHand reserved available } to { location { id } onHand reserved available } } }`;

describe("ordering variants, with stock per location, through the router", () => {
  let services: TestServices<"products" | "inventory" | "orders" | "payments">;
  let url: string;
  let admin: Session;
  let build: CatalogBuilder;

  beforeAll(async () => {
    services = await startServices(["products", "inventory", "orders", "payments"]);
    url = services.router.url;
    admin = await loginAdmin(url);
    build = new CatalogBuilder(url, admin.accessToken);
  });

  afterAll(() => services?.cleanUp());

  const errorOf = async (query: string, variables: Record<string, unknown>, token: string) =>
    (await graphql(url, query, { token, variables })).errors?.[0]?.extensions;

  const hoodie = (stock: Record<string, number | Record<string, number>> = {}) =>
    build.productWithVariants({
      name: "Zip Hoodie",
      options: [
        { name: "Size", values: ["M", "L"] },
        { name: "Colour", values: ["Grey", "Navy"] },
      ],
      variants: [
        { options: { Size: "M", Colour: "Grey" }, price: "55.00", stock: stock["M / Grey"] ?? 10 },
        { options: { Size: "L", Colour: "Navy" }, price: "59.00", stock: stock["L / Navy"] ?? 10 },
      ],
    });

  const settledOrders = (ids: readonly string[]) =>
    waitFor(
      async () => {
        const orders = await services.orders.runtime.db.order.findMany({ where: { id: { in: [...ids] } } });
        return orders.every((order) => ["CONFIRMED", "CANCELLED"].includes(order.status)) ? orders : undefined;
      },
      "every order to settle",
      60_000,
    );

  /** Each location's ledger of the variant adds up to what the location holds. */
  async function expectLedgerBalanced(variantId: string): Promise<void> {
    const db = services.inventory.runtime.db;
    for (const level of await db.locationStockLevel.findMany({ where: { variantId } })) {
      const entries = await db.stockMovement.findMany({ where: { variantId, locationId: level.locationId } });
      expect({
        onHand: entries.reduce((sum, entry) => sum + entry.onHandDelta, 0),
        reserved: entries.reduce((sum, entry) => sum + entry.reservedDelta, 0),
      }).toEqual({ onHand: level.onHand, reserved: level.reserved });
    }
  }

  it("orders two variants of one product, each line with its own id and snapshot", async () => {
    const customer = await registerCustomer(url);
    const product = await hoodie();
    const [grey, navy] = product.variants as [BuiltVariant, BuiltVariant];
    const placed = await placeOrder(
      url,
      customer.accessToken,
      placeOrderInput([
        { variantId: grey.id, quantity: 2 },
        { variantId: navy.id, quantity: 1 },
      ]),
    );
    await waitForOrder(url, customer.accessToken, placed.id, (order) => order.status === "CONFIRMED", "CONFIRMED");
    const { order } = await graphqlData(url, orderLines, { token: customer.accessToken, variables: { id: placed.id } });
    expect(order.total).toEqual({ amount: "169.00" });
    expect(order.items).toEqual([
      {
        id: expect.any(String),
        quantity: 2,
        productName: "Zip Hoodie",
        variantTitle: "M / Grey",
        sku: grey.sku,
        selectedOptions: [
          { name: "Size", value: "M" },
          { name: "Colour", value: "Grey" },
        ],
        image: { url: expect.stringMatching(/^https:\/\/images\.example\.com\//), alt: "Zip Hoodie" },
        unitPrice: { amount: "55.00", currency: "USD" },
        lineTotal: { amount: "110.00" },
        product: { id: product.id, name: "Zip Hoodie" },
        variant: { id: grey.id, title: "M / Grey", price: { amount: "55.00" } },
      },
      expect.objectContaining({
        variantTitle: "L / Navy",
        sku: navy.sku,
        unitPrice: { amount: "59.00", currency: "USD" },
      }),
    ]);
    expect(order.items[0].id).not.toBe(order.items[1].id);
    expect(await variantStockOf(url, admin.accessToken, grey.id)).toMatchObject({ onHand: 10, reserved: 2 });
    expect(await variantStockOf(url, admin.accessToken, navy.id)).toMatchObject({ onHand: 10, reserved: 1 });
    // The product's stock is the sum of its variants'.
    const { product: total } = await graphqlData(
      url,
      `query($id: ID!) { product(id: $id) { stock { onHand reserved available } } }`,
      {
        token: admin.accessToken,
        variables: { id: product.id },
      },
    );
    expect(total.stock).toEqual({ onHand: 20, reserved: 3, available: 17 });
  });

  it("fills the cart by variant, and takes a product id only for a product without options", async () => {
    const customer = await registerCustomer(url);
    const product = await hoodie();
    const [grey, navy] = product.variants as [BuiltVariant, BuiltVariant];
    const mug = await build.product({ name: "Cart Mug", price: "8.00", stock: 5 });
    expect(await errorOf(addToCart, { productId: product.id, quantity: 1 }, customer.accessToken)).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "productId",
    });
    expect(
      await errorOf(addToCart, { productId: mug.id, variantId: grey.id, quantity: 1 }, customer.accessToken),
    ).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "variantId",
    });
    expect(await errorOf(addToCart, { quantity: 1 }, customer.accessToken)).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "variantId",
    });
    expect(
      await errorOf(
        addToCart,
        { variantId: "00000000-0000-4000-8000-000000000000", quantity: 1 },
        customer.accessToken,
      ),
    ).toMatchObject({ code: "NOT_FOUND", field: "variantId" });
    expect(await errorOf(addToCart, { variantId: grey.id, quantity: 11 }, customer.accessToken)).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "quantity",
    });
    const add = (variables: Record<string, unknown>) =>
      graphqlData(url, addToCart, { token: customer.accessToken, variables }).then((data) => data.addToCart);
    await add({ variantId: grey.id, quantity: 1 });
    await add({ variantId: navy.id, quantity: 2 });
    await add({ variantId: grey.id, quantity: 1 });
    const cart = await add({ productId: mug.id, quantity: 1 });
    expect(
      cart.items.map((item: { variant: { title: string }; quantity: number }) => [item.variant.title, item.quantity]),
    ).toEqual([
      ["M / Grey", 2],
      ["L / Navy", 2],
      ["Default Title", 1],
    ]);
    expect(new Set(cart.items.map((item: { id: string }) => item.id)).size).toBe(3);
    expect(cart.items[2]).toMatchObject({ variant: { id: mug.defaultVariant.id }, product: { id: mug.id } });
    expect(cart.subtotal).toEqual({ amount: "236.00" });
    const { updateCartItem: updated } = await graphqlData(url, updateCartItem, {
      token: customer.accessToken,
      variables: { variantId: navy.id, quantity: 0 },
    });
    expect(updated.items.map((item: { variant: { id: string } }) => item.variant.id)).toEqual([
      grey.id,
      mug.defaultVariant.id,
    ]);

    // An archived variant can no longer be added (once orders has heard), but leaves the cart.
    await graphqlData(url, `mutation($id: ID!) { productVariantArchive(id: $id) { id } }`, {
      token: admin.accessToken,
      variables: { id: navy.id },
    });
    await waitFor(
      async () =>
        (await errorOf(addToCart, { variantId: navy.id, quantity: 1 }, customer.accessToken))?.field === "variantId",
      "orders to hear of the archived variant",
    );
    // A try made before orders heard may have put it in the cart: it leaves the cart all the same.
    await graphqlData(url, updateCartItem, {
      token: customer.accessToken,
      variables: { variantId: navy.id, quantity: 0 },
    });

    const placed = await placeOrder(url, customer.accessToken, placeOrderInput(null));
    const confirmed = await waitForOrder(
      url,
      customer.accessToken,
      placed.id,
      (order) => order.status === "CONFIRMED",
      "CONFIRMED",
    );
    expect(confirmed.total).toEqual({ amount: "118.00", currency: "USD" });
    // The same product id in an order names the mug's one variant; the hoodie's is refused.
    expect(
      await errorOf(
        `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }`,
        { input: placeOrderInput([{ productId: product.id, quantity: 1 }]) },
        customer.accessToken,
      ),
    ).toMatchObject({ code: "BAD_USER_INPUT", field: "items.0.productId" });
  });

  it("keeps an order's snapshot when the product is renamed and its variant repriced", async () => {
    const customer = await registerCustomer(url);
    const product = await hoodie();
    const [grey] = product.variants as [BuiltVariant];
    const placed = await placeOrder(url, customer.accessToken, placeOrderInput([{ variantId: grey.id, quantity: 1 }]));
    await waitForOrder(url, customer.accessToken, placed.id, (order) => order.status === "CONFIRMED", "CONFIRMED");
    const before = (await graphqlData(url, orderLines, { token: customer.accessToken, variables: { id: placed.id } }))
      .order;

    await graphqlData(
      url,
      `mutation($id: ID!) { updateProduct(id: $id, input: { name: "Heavy Zip Hoodie" }) { id } }`,
      {
        token: admin.accessToken,
        variables: { id: product.id },
      },
    );
    await graphqlData(
      url,
      `mutation($id: ID!) { productVariantUpdate(id: $id, input: { price: "65.00", sku: "HOODIE-M-GREY-2" }) { id } }`,
      { token: admin.accessToken, variables: { id: grey.id } },
    );
    // Orders hears of both changes; a new order is priced and named as the catalog now is.
    await waitFor(
      async () =>
        (await services.orders.runtime.db.catalogVariant.findUnique({ where: { variantId: grey.id } }))?.priceMinor ===
        6500n,
      "orders to learn the new price",
    );
    const again = await placeOrder(url, customer.accessToken, placeOrderInput([{ variantId: grey.id, quantity: 1 }]));
    const now = (await graphqlData(url, orderLines, { token: customer.accessToken, variables: { id: again.id } }))
      .order;
    expect(now.items[0]).toMatchObject({
      productName: "Heavy Zip Hoodie",
      sku: "HOODIE-M-GREY-2",
      unitPrice: { amount: "65.00" },
    });

    const after = (await graphqlData(url, orderLines, { token: customer.accessToken, variables: { id: placed.id } }))
      .order;
    const snapshot = ({ product: _product, variant: _variant, ...line }: Record<string, unknown>) => line;
    expect(after.items.map(snapshot)).toEqual(before.items.map(snapshot));
    expect(after.items[0]).toMatchObject({ productName: "Zip Hoodie", sku: grey.sku, unitPrice: { amount: "55.00" } });
    expect(after.total).toEqual(before.total);
    // What the catalog says now is still there for who asks.
    expect(after.items[0]).toMatchObject({
      product: { name: "Heavy Zip Hoodie" },
      variant: { price: { amount: "65.00" } },
    });
  });

  it("confirms exactly 30 of 100 concurrent orders for one variant whose 30 units sit in two locations", async () => {
    const north = await build.location("North", 1);
    const south = await build.location("South", 2);
    const product = await hoodie({ "M / Grey": { [north.id]: 12, [south.id]: 18 }, "L / Navy": 0 });
    const [grey] = product.variants as [BuiltVariant];
    const customers = await Promise.all(Array.from({ length: 10 }, () => registerCustomer(url)));
    const placed = await Promise.all(
      Array.from({ length: 100 }, (_, n) =>
        placeOrder(url, customers[n % 10]!.accessToken, placeOrderInput([{ variantId: grey.id, quantity: 1 }])),
      ),
    );
    const orders = await settledOrders(placed.map((order) => order.id));
    expect(orders.filter((order) => order.status === "CONFIRMED")).toHaveLength(30);
    expect(orders.filter((order) => order.cancellationReason === "OUT_OF_STOCK")).toHaveLength(70);

    const stock = await variantStockOf(url, admin.accessToken, grey.id);
    expect(stock).toMatchObject({ onHand: 30, reserved: 30, available: 0 });
    expect(atLocation(stock, north.id)).toEqual({ onHand: 12, reserved: 12 });
    expect(atLocation(stock, south.id)).toEqual({ onHand: 18, reserved: 18 });
    await expectLedgerBalanced(grey.id);
    // Each confirmed order's units are held where the reservation says.
    const held = await services.inventory.runtime.db.reservation.groupBy({
      by: ["locationId"],
      where: { variantId: grey.id, status: "RESERVED" },
      _sum: { quantity: true },
    });
    expect(Object.fromEntries(held.map((row) => [row.locationId, row._sum.quantity]))).toEqual({
      [north.id]: 12,
      [south.id]: 18,
    });

    // Shipping one deducts where it was held; cancelling one releases there.
    const confirmed = orders.filter((order) => order.status === "CONFIRMED");
    const reservationOf = async (orderId: string) =>
      services.inventory.runtime.db.reservation.findFirstOrThrow({ where: { orderId } });
    const shipped = await reservationOf(confirmed[0]!.id);
    const cancelled = await reservationOf(confirmed[1]!.id);
    await graphqlData(url, `mutation($input: ShipOrderInput!) { shipOrder(input: $input) { id } }`, {
      token: admin.accessToken,
      variables: { input: { orderId: confirmed[0]!.id, carrier: "UPS", trackingNumber: "1Z1" } },
    });
    await graphqlData(url, `mutation($id: ID!) { cancelOrder(id: $id) { id } }`, {
      token: admin.accessToken,
      variables: { id: confirmed[1]!.id },
    });
    const expected = { [north.id]: { onHand: 12, reserved: 12 }, [south.id]: { onHand: 18, reserved: 18 } };
    expected[shipped.locationId] = {
      onHand: expected[shipped.locationId]!.onHand - 1,
      reserved: expected[shipped.locationId]!.reserved - 1,
    };
    expected[cancelled.locationId] = {
      ...expected[cancelled.locationId]!,
      reserved: expected[cancelled.locationId]!.reserved - 1,
    };
    await waitFor(async () => {
      const now = await variantStockOf(url, admin.accessToken, grey.id);
      return atLocation(now, north.id).reserved + atLocation(now, south.id).reserved === 28 ? now : undefined;
    }, "the shipment and the cancellation to reach inventory");
    const after = await variantStockOf(url, admin.accessToken, grey.id);
    expect({ [north.id]: atLocation(after, north.id), [south.id]: atLocation(after, south.id) }).toEqual(expected);
    await expectLedgerBalanced(grey.id);
  }, 120_000);

  it("never moves reserved units when transfers race reservations", async () => {
    const east = await build.location("East", 1);
    const west = await build.location("West", 5);
    const product = await hoodie({ "M / Grey": { [east.id]: 20 }, "L / Navy": 0 });
    const [grey] = product.variants as [BuiltVariant];
    const customers = await Promise.all(Array.from({ length: 4 }, () => registerCustomer(url)));
    const move = (n: number) =>
      graphql(url, transfer, {
        token: admin.accessToken,
        variables: {
          input: {
            variantId: grey.id,
            fromLocationId: east.id,
            toLocationId: west.id,
            quantity: 2,
            reason: `rebalance ${n}`,
          },
        },
      });
    const [orders, transfers] = await Promise.all([
      Promise.all(
        Array.from({ length: 20 }, (_, n) =>
          placeOrder(url, customers[n % 4]!.accessToken, placeOrderInput([{ variantId: grey.id, quantity: 1 }])),
        ),
      ),
      Promise.all(Array.from({ length: 10 }, (_, n) => move(n))),
    ]);
    const settled = await settledOrders(orders.map((order) => order.id));
    // Every unit is somewhere available: each order found one, at one location or the other.
    expect(settled.filter((order) => order.status === "CONFIRMED")).toHaveLength(20);
    const moved = transfers.filter((result) => !result.errors).length;
    const refused = transfers.filter((result) => result.errors?.[0]?.extensions?.code === "CONFLICT").length;
    expect(moved + refused).toBe(10);
    const stock = await variantStockOf(url, admin.accessToken, grey.id);
    expect(stock).toMatchObject({ onHand: 20, reserved: 20 });
    expect(atLocation(stock, east.id)).toEqual({ onHand: 20 - 2 * moved, reserved: 20 - 2 * moved });
    expect(atLocation(stock, west.id)).toEqual({ onHand: 2 * moved, reserved: 2 * moved });
    await expectLedgerBalanced(grey.id);
    const transfersInLedger = await services.inventory.runtime.db.stockMovement.count({
      where: { variantId: grey.id, kind: "TRANSFER" },
    });
    expect(transfersInLedger).toBe(2 * moved);
    // Nothing is left to move now: everything is reserved.
    expect((await move(99)).errors?.[0]?.extensions).toMatchObject({ code: "CONFLICT", field: "quantity" });
  }, 120_000);

  it("keeps stock locations in the back office: transfers once per key, adjusts where it is told, serves from active ones", async () => {
    const customer = await registerCustomer(url);
    const depot = await build.location("Depot", 0);
    const annex = await build.location("Annex", 50);
    const product = await hoodie({ "M / Grey": { [depot.id]: 5 }, "L / Navy": 0 });
    const [grey] = product.variants as [BuiltVariant];
    const input = {
      variantId: grey.id,
      fromLocationId: depot.id,
      toLocationId: annex.id,
      quantity: 3,
      reason: "open the annex",
      idempotencyKey: randomUUID(),
    };
    const first = (await graphqlData(url, transfer, { token: admin.accessToken, variables: { input } })).stockTransfer;
    expect(first).toEqual({
      from: { location: { id: depot.id }, onHand: 2, reserved: 0, available: 2 },
      to: { location: { id: annex.id }, onHand: 3, reserved: 0, available: 3 },
    });
    const repeated = (await graphqlData(url, transfer, { token: admin.accessToken, variables: { input } }))
      .stockTransfer;
    expect(repeated).toEqual(first);
    expect(
      (await graphql(url, transfer, { token: admin.accessToken, variables: { input: { ...input, quantity: 1 } } }))
        .errors?.[0]?.extensions,
    ).toMatchObject({ code: "CONFLICT", field: "idempotencyKey" });
    expect(
      (
        await graphql(url, transfer, {
          token: admin.accessToken,
          variables: { input: { ...input, idempotencyKey: null, toLocationId: depot.id } },
        })
      ).errors?.[0]?.extensions,
    ).toMatchObject({ code: "BAD_USER_INPUT", field: "toLocationId" });
    const ledger = await services.inventory.runtime.db.stockMovement.findMany({
      where: { variantId: grey.id, kind: "TRANSFER" },
      orderBy: { id: "asc" },
    });
    expect(ledger.map((entry) => [entry.locationId, entry.onHandDelta, entry.actorId])).toEqual([
      [depot.id, -3, admin.user.id],
      [annex.id, 3, admin.user.id],
    ]);

    // The depot closes: orders are served from the annex only, and a deactivated location keeps its stock.
    await graphqlData(
      url,
      `mutation($id: ID!) { stockLocationUpdate(id: $id, input: { active: false }) { id active } }`,
      {
        token: admin.accessToken,
        variables: { id: depot.id },
      },
    );
    const placed = await placeOrder(url, customer.accessToken, placeOrderInput([{ variantId: grey.id, quantity: 3 }]));
    await waitForOrder(
      url,
      customer.accessToken,
      placed.id,
      (order: OrderView) => order.status === "CONFIRMED",
      "CONFIRMED",
    );
    const stock = await variantStockOf(url, admin.accessToken, grey.id);
    expect(atLocation(stock, depot.id)).toEqual({ onHand: 2, reserved: 0 });
    expect(atLocation(stock, annex.id)).toEqual({ onHand: 3, reserved: 3 });
    const more = await placeOrder(url, customer.accessToken, placeOrderInput([{ variantId: grey.id, quantity: 1 }]));
    expect(
      (
        await waitForOrder(
          url,
          customer.accessToken,
          more.id,
          (order: OrderView) => order.status === "CANCELLED",
          "CANCELLED",
        )
      ).cancellationReason,
    ).toBe("OUT_OF_STOCK");

    const { stockLocations } = await graphqlData(url, `query { stockLocations { id name active priority } }`, {
      token: admin.accessToken,
    });
    expect(stockLocations.map((location: { id: string }) => location.id)).toEqual(
      expect.arrayContaining([depot.id, annex.id]),
    );
    expect(stockLocations.find((location: { id: string }) => location.id === depot.id)).toMatchObject({
      active: false,
    });
    expect(
      (
        await graphql(
          url,
          `
            mutation ($input: StockLocationCreateInput!) {
              stockLocationCreate(input: $input) {
                id
              }
            }
          `,
          {
            token: admin.accessToken,
            variables: { input: { name: stockLocations[0].name } },
          },
        )
      ).errors?.[0]?.extensions,
    ).toMatchObject({ code: "CONFLICT", field: "name" });
    for (const query of [
      `query { stockLocations { id } }`,
      `query($id: ID!) { productVariant(id: $id) { stock { byLocation { onHand } } } }`,
    ]) {
      expect(
        (await graphql(url, query, { token: customer.accessToken, variables: { id: grey.id } })).errors?.[0]?.extensions
          ?.code,
      ).toBe("FORBIDDEN");
    }
    expect(
      (await graphql(url, transfer, { token: customer.accessToken, variables: { input } })).errors?.[0]?.extensions
        ?.code,
    ).toBe("FORBIDDEN");
  });

  it("accepts variants the catalog has just returned, before their events reach inventory and orders", async () => {
    const customer = await registerCustomer(url);
    const stopped = [
      ...services.inventory.runtime.consumers.filter((consumer) => /catalog_product/.test(consumer.name)),
      ...services.orders.runtime.consumers.filter((consumer) => /catalog_product/.test(consumer.name)),
    ];
    await Promise.all(stopped.map((consumer) => consumer.stop()));
    try {
      const product = await hoodie({ "M / Grey": 0, "L / Navy": 0 });
      const [grey] = product.variants as [BuiltVariant];
      const mug = await build.product({ name: "Fresh Mug", price: "6.00" });
      expect(await services.inventory.runtime.db.catalogVariant.count({ where: { productId: product.id } })).toBe(0);
      // Inventory asks products for the variant, and for the product's one variant.
      expect(await build.adjustVariantStock(grey.id, 4)).toMatchObject({ onHand: 4, available: 4 });
      expect(await build.adjustStock(mug.id, 2)).toMatchObject({ onHand: 2 });
      expect(await services.orders.runtime.db.catalogVariant.count({ where: { productId: product.id } })).toBe(0);
      // So does orders, for a variant and for a product id.
      const { addToCart: cart } = await graphqlData(url, addToCart, {
        token: customer.accessToken,
        variables: { variantId: grey.id, quantity: 2 },
      });
      expect(cart.items).toEqual([
        expect.objectContaining({ variant: { id: grey.id, title: "M / Grey" }, quantity: 2 }),
      ]);
      const placed = await placeOrder(url, customer.accessToken, placeOrderInput([{ productId: mug.id, quantity: 1 }]));
      const order = await waitForOrder(
        url,
        customer.accessToken,
        placed.id,
        (each) => each.status === "CONFIRMED",
        "CONFIRMED",
      );
      expect(order.total).toEqual({ amount: "6.00", currency: "USD" });
      expect(
        await services.orders.runtime.db.catalogVariant.findUnique({ where: { variantId: grey.id } }),
      ).toMatchObject({ productName: "Zip Hoodie", title: "M / Grey", priceMinor: 5500n, productStatus: "ACTIVE" });
    } finally {
      await Promise.all(stopped.map((consumer) => consumer.start()));
    }
  });
});
