import { randomUUID } from "node:crypto";
import { graphql, graphqlData } from "../../support/graphqlClient";
import { CatalogBuilder, type BuiltVariant } from "../../support/catalogBuilder";
import { atLocation, placeOrder, placeOrderInput, variantStockOf, waitForOrder } from "../../support/checkout";
import { createCarrier, fulfillmentCreate, postCarrierEvent, testCarrierSecret } from "../../support/fulfillment";
import { loginAdmin, registerCustomer, type Session } from "../../support/identity";
import { collect, subscriptionClient } from "../../support/subscriptionClient";
import { startServices, type TestServices } from "../../support/testServices";
import { waitFor } from "../../support/waitFor";

const orderLines = `query($id: ID!) { order(id: $id) { id status items { id quantity variant { id } }
  shipment { carrier trackingNumber }
  fulfillments { id locationId status trackingNumber trackingUrl lines { orderItemId quantity } deliveredAt } } }`;
const myOrderUpdates = `subscription { myOrderUpdates { id status fulfillments { id status } } }`;

describe("split fulfillment with carrier tracking, through the router", () => {
  let services: TestServices<"products" | "inventory" | "orders" | "payments">;
  let url: string;
  let admin: Session;
  let build: CatalogBuilder;
  let carrier: { id: string; code: string };

  beforeAll(async () => {
    services = await startServices(["products", "inventory", "orders", "payments"], {
      settings: {
        orders: { CARRIER_WEBHOOK_SECRETS: `acme=${testCarrierSecret}`, CARRIER_WEBHOOK_TOLERANCE_SECONDS: "60" },
      },
    });
    url = services.router.url;
    admin = await loginAdmin(url);
    build = new CatalogBuilder(url, admin.accessToken);
    carrier = await createCarrier(url, admin.accessToken);
  }, 400_000);

  afterAll(() => services?.cleanUp());

  const ordersUrl = () => services.orders.url;

  /** A confirmed order of two variants, one stocked only in North, the other only in South. */
  async function twoLocationOrder(customer: Session) {
    const north = await build.location(`North ${randomUUID().slice(0, 6)}`, 1);
    const south = await build.location(`South ${randomUUID().slice(0, 6)}`, 2);
    const product = await build.productWithVariants({
      name: "Trail Boot",
      options: [{ name: "Size", values: ["42", "44"] }],
      variants: [
        { options: { Size: "42" }, price: "80.00", stock: { [north.id]: 2 } },
        { options: { Size: "44" }, price: "90.00", stock: { [south.id]: 3 } },
      ],
    });
    const [small, large] = product.variants as [BuiltVariant, BuiltVariant];
    const placed = await placeOrder(
      url,
      customer.accessToken,
      placeOrderInput([
        { variantId: small.id, quantity: 2 },
        { variantId: large.id, quantity: 3 },
      ]),
    );
    await waitForOrder(url, customer.accessToken, placed.id, (order) => order.status === "CONFIRMED", "CONFIRMED");
    const { order } = await graphqlData(url, orderLines, { token: admin.accessToken, variables: { id: placed.id } });
    const lineOf = (variantId: string) => order.items.find((item: any) => item.variant.id === variantId).id as string;
    return { order, north, south, small, large, smallLine: lineOf(small.id), largeLine: lineOf(large.id) };
  }

  it("ships a two-location order in two parcels and follows them to DELIVERED, the subscriber seeing each step", async () => {
    const customer = await registerCustomer(url);
    const { order, north, south, small, large, smallLine, largeLine } = await twoLocationOrder(customer);
    const client = subscriptionClient(url, customer.accessToken);
    const updates = collect(client, myOrderUpdates);
    // The subscription listens once the router has subscribed on Redis.
    await waitFor(async () => (updates.error ? Promise.reject(updates.error) : true), "subscribed");

    // More than ordered minus fulfilled is refused, naming the line.
    const tooMany = await graphql(url, fulfillmentCreate, {
      token: admin.accessToken,
      variables: {
        input: {
          orderId: order.id,
          locationId: south.id,
          carrierId: carrier.id,
          trackingNumber: "T-0",
          lines: [{ orderItemId: largeLine, quantity: 4 }],
        },
      },
    });
    expect(tooMany.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "lines.0.quantity" });
    // Customers cannot ship.
    const forbidden = await graphql(url, fulfillmentCreate, {
      token: customer.accessToken,
      variables: {
        input: {
          orderId: order.id,
          locationId: north.id,
          carrierId: carrier.id,
          trackingNumber: "T-0",
          lines: [{ orderItemId: smallLine, quantity: 1 }],
        },
      },
    });
    expect(forbidden.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");

    const ship = async (
      locationId: string,
      trackingNumber: string,
      lines: Array<{ orderItemId: string; quantity: number }>,
    ) =>
      (
        await graphqlData(url, fulfillmentCreate, {
          token: admin.accessToken,
          variables: { input: { orderId: order.id, locationId, carrierId: carrier.id, trackingNumber, lines } },
        })
      ).fulfillmentCreate;
    const first = await ship(north.id, `N-${order.id.slice(0, 8)}`, [{ orderItemId: smallLine, quantity: 2 }]);
    expect(first).toMatchObject({
      locationId: north.id,
      carrierName: "Acme Parcels",
      status: "SHIPPED",
      trackingUrl: `https://track.acme.example/N-${order.id.slice(0, 8)}`,
    });
    expect(
      (await graphqlData(url, orderLines, { token: customer.accessToken, variables: { id: order.id } })).order.status,
    ).toBe("PARTIALLY_SHIPPED");
    // A shipped line cannot ship again.
    const again = await graphql(url, fulfillmentCreate, {
      token: admin.accessToken,
      variables: {
        input: {
          orderId: order.id,
          locationId: north.id,
          carrierId: carrier.id,
          trackingNumber: "T-1",
          lines: [{ orderItemId: smallLine, quantity: 1 }],
        },
      },
    });
    expect(again.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "lines.0.quantity" });
    const second = await ship(south.id, `S-${order.id.slice(0, 8)}`, [{ orderItemId: largeLine, quantity: 3 }]);

    // Stock leaves where each parcel left from.
    const smallStock = await waitFor(async () => {
      const stock = await variantStockOf(url, admin.accessToken, small.id);
      return stock.onHand === 0 ? stock : undefined;
    }, "the first parcel deducted");
    expect(atLocation(smallStock, north.id)).toEqual({ onHand: 0, reserved: 0 });
    const largeStock = await waitFor(async () => {
      const stock = await variantStockOf(url, admin.accessToken, large.id);
      return stock.onHand === 0 ? stock : undefined;
    }, "the second parcel deducted");
    expect(atLocation(largeStock, south.id)).toEqual({ onHand: 0, reserved: 0 });

    // The carrier tells where each parcel is.
    const track = async (parcel: { trackingNumber: string }, status: string) => {
      const response = await postCarrierEvent(ordersUrl(), "acme", { trackingNumber: parcel.trackingNumber, status });
      expect(response).toEqual({ status: 200, body: { received: true, outcome: "applied" } });
    };
    await track(first, "IN_TRANSIT");
    await track(second, "IN_TRANSIT");
    await track(first, "OUT_FOR_DELIVERY");
    await track(first, "DELIVERED");
    expect(
      (await graphqlData(url, orderLines, { token: customer.accessToken, variables: { id: order.id } })).order.status,
    ).toBe("SHIPPED");
    await track(second, "DELIVERED");
    const delivered = (await graphqlData(url, orderLines, { token: customer.accessToken, variables: { id: order.id } }))
      .order;
    expect(delivered.status).toBe("DELIVERED");
    expect(delivered.fulfillments.map((parcel: any) => parcel.status)).toEqual(["DELIVERED", "DELIVERED"]);
    expect(delivered.shipment).toEqual({ carrier: "Acme Parcels", trackingNumber: first.trackingNumber });

    // Every step reached the subscriber once, in order: three status changes, two parcels shipped, five carrier events.
    await waitFor(() => (updates.messages.length >= 10 ? true : undefined), "ten live updates");
    const statuses = updates.messages.map((message) => message.data?.myOrderUpdates?.status as string);
    expect(statuses.filter((status, index) => status !== statuses[index - 1])).toEqual([
      "PARTIALLY_SHIPPED",
      "SHIPPED",
      "DELIVERED",
    ]);
    expect(updates.messages).toHaveLength(10);
    expect(updates.messages.every((message) => message.data?.myOrderUpdates?.id === order.id)).toBe(true);
    updates.stop();
    await client.dispose();
  }, 300_000);

  it("refuses a bad or stale signature and an unknown carrier, and applies a replayed event once", async () => {
    const customer = await registerCustomer(url);
    const { order, north, smallLine } = await twoLocationOrder(customer);
    const { fulfillmentCreate: parcel } = await graphqlData(url, fulfillmentCreate, {
      token: admin.accessToken,
      variables: {
        input: {
          orderId: order.id,
          locationId: north.id,
          carrierId: carrier.id,
          trackingNumber: `R-${order.id.slice(0, 8)}`,
          lines: [{ orderItemId: smallLine, quantity: 2 }],
        },
      },
    });
    const event = { trackingNumber: parcel.trackingNumber, status: "IN_TRANSIT" };
    expect(await postCarrierEvent(ordersUrl(), "acme", event, { secret: "not-the-carrier-secret-000" })).toMatchObject({
      status: 400,
    });
    expect(await postCarrierEvent(ordersUrl(), "acme", event, { signature: "t=1,v1=00" })).toMatchObject({
      status: 400,
    });
    expect(
      await postCarrierEvent(ordersUrl(), "acme", event, { timestamp: Math.floor(Date.now() / 1000) - 3600 }),
    ).toMatchObject({ status: 400 });
    expect(await postCarrierEvent(ordersUrl(), "nobody", event)).toMatchObject({ status: 404 });
    const parcelStatus = async () =>
      (await graphqlData(url, orderLines, { token: admin.accessToken, variables: { id: order.id } })).order
        .fulfillments[0].status;
    expect(await parcelStatus()).toBe("SHIPPED");

    const eventId = randomUUID();
    expect(await postCarrierEvent(ordersUrl(), "acme", { ...event, eventId })).toMatchObject({
      body: { outcome: "applied" },
    });
    expect(await postCarrierEvent(ordersUrl(), "acme", { ...event, eventId })).toMatchObject({
      body: { outcome: "duplicate" },
    });
    // An event older than the parcel's status changes nothing.
    expect(
      await postCarrierEvent(ordersUrl(), "acme", {
        trackingNumber: parcel.trackingNumber,
        status: "EXCEPTION",
        occurredAt: new Date(Date.now() - 60_000).toISOString(),
      }),
    ).toMatchObject({ body: { outcome: "stale" } });
    expect(await parcelStatus()).toBe("IN_TRANSIT");
  }, 300_000);

  it("audits carrier changes (a shop setting) with who made them, before and after", async () => {
    const other = await createCarrier(url, admin.accessToken, "audited-post");
    await graphqlData(url, `mutation($input: CarrierUpdateInput!) { carrierUpdate(input: $input) { id name } }`, {
      token: admin.accessToken,
      variables: { input: { id: other.id, name: "Audited Post" } },
    });
    const entries = await services.orders.runtime.db.$queryRaw<
      { action: string; actor_kind: string; before: { name: string } | null; after: { name: string; code: string } }[]
    >`SELECT action, actor_kind, before, after FROM audit_entry
       WHERE entity_type = 'SETTING' AND entity_id = ${`carrier/${other.id}`} ORDER BY occurred_at, action`;
    expect(entries).toEqual([
      {
        action: "carrier.created",
        actor_kind: "USER",
        before: null,
        after: expect.objectContaining({ code: "audited-post", name: "Acme Parcels" }),
      },
      {
        action: "carrier.updated",
        actor_kind: "USER",
        before: expect.objectContaining({ name: "Acme Parcels" }),
        after: expect.objectContaining({ code: "audited-post", name: "Audited Post" }),
      },
    ]);
  });

  it("ships only from a stock location orders knows (inventory's events) and that is active", async () => {
    // Locations made before inventory announced them reach orders too (the migration's outbox rows).
    const { stockLocations } = await graphqlData(url, `query { stockLocations { id name active } }`, {
      token: admin.accessToken,
    });
    const main = stockLocations.find((location: { name: string }) => location.name === "Main warehouse");
    expect(main).toBeDefined();
    await waitFor(
      async () => (await services.orders.runtime.db.stockLocation.findUnique({ where: { id: main.id } })) ?? undefined,
      "orders to know the migration's location",
    );

    const customer = await registerCustomer(url);
    const { order, north, smallLine } = await twoLocationOrder(customer);
    const attempt = (locationId: string, quantity = 1) =>
      graphql(url, fulfillmentCreate, {
        token: admin.accessToken,
        variables: {
          input: {
            orderId: order.id,
            locationId,
            carrierId: carrier.id,
            trackingNumber: `L-${order.id.slice(0, 8)}`,
            lines: [{ orderItemId: smallLine, quantity }],
          },
        },
      });
    const unknown = await attempt(randomUUID());
    expect(unknown.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "locationId" });
    expect(unknown.errors?.[0]?.message).toBe("No stock location has this id.");
    // Beyond what is ordered and not yet fulfilled.
    const tooMany = await attempt(north.id, 3);
    expect(tooMany.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "lines.0.quantity" });

    await graphqlData(url, `mutation($id: ID!) { stockLocationUpdate(id: $id, input: { active: false }) { id } }`, {
      token: admin.accessToken,
      variables: { id: north.id },
    });
    await waitFor(
      async () =>
        (await services.orders.runtime.db.stockLocation.findUnique({ where: { id: north.id } }))?.active === false
          ? true
          : undefined,
      "orders to learn the location is inactive",
    );
    const inactive = await attempt(north.id);
    expect(inactive.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "locationId" });
    expect(inactive.errors?.[0]?.message).toMatch(/is not active/);
    // Nothing shipped.
    expect(
      (await graphqlData(url, orderLines, { token: admin.accessToken, variables: { id: order.id } })).order,
    ).toMatchObject({ status: "CONFIRMED", fulfillments: [] });

    await graphqlData(url, `mutation($id: ID!) { stockLocationUpdate(id: $id, input: { active: true }) { id } }`, {
      token: admin.accessToken,
      variables: { id: north.id },
    });
    await waitFor(
      async () =>
        (await services.orders.runtime.db.stockLocation.findUnique({ where: { id: north.id } }))?.active
          ? true
          : undefined,
      "orders to learn the location is active again",
    );
    expect((await attempt(north.id, 2)).errors).toBeUndefined();
  }, 300_000);

  it("keeps shipOrder working as one parcel of every unit, from where the stock was reserved", async () => {
    const customer = await registerCustomer(url);
    const { order, small, large, north, south } = await twoLocationOrder(customer);
    await graphqlData(url, `mutation($input: ShipOrderInput!) { shipOrder(input: $input) { id status } }`, {
      token: admin.accessToken,
      variables: { input: { orderId: order.id, carrier: "UPS", trackingNumber: "1Z999" } },
    });
    const shipped = (await graphqlData(url, orderLines, { token: admin.accessToken, variables: { id: order.id } }))
      .order;
    expect(shipped.status).toBe("SHIPPED");
    expect(shipped.fulfillments).toHaveLength(1);
    expect(shipped.fulfillments[0]).toMatchObject({ locationId: null, status: "SHIPPED", trackingNumber: "1Z999" });
    const done = async (variantId: string, locationId: string) =>
      waitFor(async () => {
        const stock = await variantStockOf(url, admin.accessToken, variantId);
        return stock.onHand === 0 ? atLocation(stock, locationId) : undefined;
      }, "deducted");
    expect(await done(small.id, north.id)).toEqual({ onHand: 0, reserved: 0 });
    expect(await done(large.id, south.id)).toEqual({ onHand: 0, reserved: 0 });
    await graphqlData(url, `mutation($id: ID!) { markOrderDelivered(id: $id) { id } }`, {
      token: admin.accessToken,
      variables: { id: order.id },
    });
    const delivered = (await graphqlData(url, orderLines, { token: admin.accessToken, variables: { id: order.id } }))
      .order;
    expect(delivered).toMatchObject({ status: "DELIVERED", fulfillments: [{ status: "DELIVERED" }] });
  }, 300_000);
});
