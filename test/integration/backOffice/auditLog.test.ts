import type { AuditEntry } from "../../support/auditEntry";
import { CatalogBuilder } from "../../support/catalogBuilder";
import { placeOrder, placeOrderInput, waitForOrder } from "../../support/checkout";
import { graphql, graphqlData } from "../../support/graphqlClient";
import { loginAdmin, registerCustomer, type Session } from "../../support/identity";
import { startServices, type TestServices } from "../../support/testServices";
import { waitFor } from "../../support/waitFor";

const auditLog = `query AuditLog($filter: AuditLogFilter, $first: Int, $after: String) {
  auditLog(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node { id service actorKind actorId actor { id } entityType entityId action before after occurredAt } }
  }
}`;

type Entry = AuditEntry;

/**
 * The audit log through the router: each kind of back-office change lands in the log of the
 * service that owns the data, in its transaction, and reaches the one log the users service
 * answers, by entity and by actor; customers cannot read it, and no one can change a row.
 */
describe("the audit log of back-office changes", () => {
  let services: TestServices<"products" | "inventory" | "orders" | "payments" | "notifications">;
  let url: string;
  let admin: Session;
  let customer: Session;
  let build: CatalogBuilder;

  beforeAll(async () => {
    services = await startServices(["products", "inventory", "orders", "payments", "notifications"]);
    url = services.router.url;
    admin = await loginAdmin(url);
    customer = await registerCustomer(url, { name: "Audit Customer" });
    build = new CatalogBuilder(url, admin.accessToken);
    // Six services migrate and start: a loaded machine needs more than the default minute.
  }, 400_000);

  afterAll(() => services?.cleanUp());

  const entriesOf = async (filter: Record<string, unknown>, first = 100): Promise<Entry[]> => {
    const { auditLog: page } = await graphqlData(url, auditLog, {
      token: admin.accessToken,
      variables: { filter, first },
    });
    return page.edges.map((edge: { node: Entry }) => edge.node);
  };

  /** Waits for the entry of `action` on the entity to reach the log, and answers it with its JSON read. */
  const entryFor = async (entityType: string, entityId: string, action: string) => {
    const entry = await waitFor(
      async () => (await entriesOf({ entityType, entityId })).find((each) => each.action === action),
      `the ${action} entry of ${entityType} ${entityId}`,
    );
    return { ...entry, before: JSON.parse(entry.before ?? "null"), after: JSON.parse(entry.after ?? "null") };
  };

  const byAdmin = (entry: Entry) => {
    expect(entry).toMatchObject({ actorKind: "USER", actorId: admin.user.id, actor: { id: admin.user.id } });
  };

  it("records a price change with the product before and after, in the products database too", async () => {
    const product = await build.product({ name: "Audited Kettle", price: "10.00" });
    await graphqlData(
      url,
      `mutation($id: ID!, $input: UpdateProductInput!) { updateProduct(id: $id, input: $input) { id } }`,
      {
        token: admin.accessToken,
        variables: { id: product.id, input: { price: "12.50" } },
      },
    );
    const entry = await entryFor("PRODUCT", product.id, "product.updated");
    byAdmin(entry);
    expect(entry.service).toBe("products");
    expect(entry.before.variants[0].price).toEqual({ amount: "10.00", currency: "USD" });
    expect(entry.after.variants[0].price).toEqual({ amount: "12.50", currency: "USD" });
    // The source record lives in the products database, written with the change.
    const [source] = await services.products.runtime.db.$queryRawUnsafe<Array<{ action: string }>>(
      "SELECT action FROM audit_entry WHERE id = $1::uuid",
      entry.id,
    );
    expect(source).toEqual({ action: "product.updated" });
  });

  it("records stock adjustments and transfers of a variant", async () => {
    const product = await build.product({ name: "Audited Teapot", price: "20.00", stock: 5 });
    const variantId = product.defaultVariant.id;
    const adjusted = await entryFor("STOCK_LEVEL", variantId, "stock.adjusted");
    byAdmin(adjusted);
    expect(adjusted.before).toMatchObject({ onHand: 0 });
    expect(adjusted.after).toMatchObject({ onHand: 5 });

    const { stockLocationCreate: depot } = await graphqlData(
      url,
      `mutation($input: StockLocationCreateInput!) { stockLocationCreate(input: $input) { id } }`,
      {
        token: admin.accessToken,
        variables: { input: { name: `Depot ${Date.now()}` } },
      },
    );
    const { stockLocations } = await graphqlData(url, `{ stockLocations { id } }`, { token: admin.accessToken });
    const from = adjusted.after.locationId as string;
    expect(stockLocations.map((each: { id: string }) => each.id)).toContain(from);
    await graphqlData(
      url,
      `mutation($input: StockTransferInput!) { stockTransfer(input: $input) { from { onHand } } }`,
      {
        token: admin.accessToken,
        variables: {
          input: { variantId, fromLocationId: from, toLocationId: depot.id, quantity: 2, reason: "rebalance" },
        },
      },
    );
    const moved = await entryFor("STOCK_LEVEL", variantId, "stock.transferred");
    byAdmin(moved);
    expect(moved.before).toEqual({ from: { locationId: from, onHand: 5 }, to: { locationId: depot.id, onHand: 0 } });
    expect(moved.after).toMatchObject({ from: { onHand: 3 }, to: { onHand: 2 }, quantity: 2 });
  });

  it("records an order shipped by staff and a refund, never a customer's own cancellation", async () => {
    const product = await build.product({ name: "Audited Cup", price: "8.00", stock: 10 });
    const shipped = await placeOrder(
      url,
      customer.accessToken,
      placeOrderInput([{ productId: product.id, quantity: 1 }]),
    );
    await waitForOrder(url, customer.accessToken, shipped.id, (order) => order.status === "CONFIRMED", "CONFIRMED");
    await graphqlData(url, `mutation($input: ShipOrderInput!) { shipOrder(input: $input) { id } }`, {
      token: admin.accessToken,
      variables: { input: { orderId: shipped.id, carrier: "UPS", trackingNumber: "1Z-AUDIT" } },
    });
    const ship = await entryFor("ORDER", shipped.id, "order.shipped");
    byAdmin(ship);
    expect(ship.before).toMatchObject({ status: "CONFIRMED", carrier: null });
    expect(ship.after).toMatchObject({ status: "SHIPPED", carrier: "UPS", trackingNumber: "1Z-AUDIT" });

    const refunded = await placeOrder(
      url,
      customer.accessToken,
      placeOrderInput([{ productId: product.id, quantity: 2 }]),
    );
    await waitForOrder(url, customer.accessToken, refunded.id, (order) => order.status === "CONFIRMED", "CONFIRMED");
    const { refundOrder: payment } = await graphqlData(
      url,
      `mutation($input: RefundOrderInput!) { refundOrder(input: $input) { id } }`,
      { token: admin.accessToken, variables: { input: { orderId: refunded.id, amount: "3.00", reason: "chipped" } } },
    );
    const refund = await entryFor("PAYMENT", payment.id, "payment.refund_requested");
    byAdmin(refund);
    expect(refund.before).toMatchObject({ orderId: refunded.id, status: "SUCCEEDED", refunded: { amount: "0.00" } });
    expect(refund.after).toMatchObject({ orderId: refunded.id, amount: { amount: "3.00" }, reason: "chipped" });

    // A customer cancelling their own order is no back-office change.
    const own = await placeOrder(url, customer.accessToken, placeOrderInput([{ productId: product.id, quantity: 1 }]));
    await waitForOrder(url, customer.accessToken, own.id, (order) => order.status === "CONFIRMED", "CONFIRMED");
    await graphqlData(url, `mutation($id: ID!) { cancelOrder(id: $id) { id } }`, {
      token: customer.accessToken,
      variables: { id: own.id },
    });
    await waitForOrder(url, customer.accessToken, own.id, (order) => order.status === "CANCELLED", "CANCELLED");
    expect(await entriesOf({ entityType: "ORDER", entityId: own.id })).toEqual([]);
  });

  it("records a template change with its content before and after", async () => {
    await graphqlData(
      url,
      `mutation($input: UpdateNotificationTemplateInput!) { updateNotificationTemplate(input: $input) { version } }`,
      {
        token: admin.accessToken,
        variables: {
          input: {
            kind: "ORDER_SHIPPED",
            channel: "EMAIL",
            subject: "On its way",
            text: "Order {{order.number}} left.",
            html: "<p>Order {{order.number}} left.</p>",
          },
        },
      },
    );
    const entry = await entryFor("NOTIFICATION_TEMPLATE", "ORDER_SHIPPED/EMAIL", "template.saved");
    byAdmin(entry);
    expect(entry.before).toMatchObject({ customized: false, version: 0 });
    expect(entry.after).toMatchObject({ customized: true, version: 1, subject: "On its way" });
  });

  it("lists an actor's changes newest first, page by page, with no entry twice", async () => {
    const all = await entriesOf({ actorId: admin.user.id });
    expect(all.length).toBeGreaterThanOrEqual(6);
    expect(all.every((entry) => entry.actorId === admin.user.id)).toBe(true);
    expect(new Set(all.map((entry) => entry.service))).toEqual(
      new Set(["products", "inventory", "orders", "payments", "notifications"]),
    );
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const { auditLog: page }: { auditLog: any } = await graphqlData(url, auditLog, {
        token: admin.accessToken,
        variables: { filter: { actorId: admin.user.id }, first: 2, after },
      });
      expect(page.totalCount).toBe(all.length);
      seen.push(...page.edges.map((edge: { node: Entry }) => edge.node.id));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after);
    expect(seen).toEqual(all.map((entry) => entry.id));
  });

  it("is for staff with the AUDIT permission only, checks its filter, and keeps every row as written", async () => {
    const asCustomer = await graphql(url, auditLog, { token: customer.accessToken, variables: {} });
    expect(asCustomer.errors?.[0]?.extensions).toMatchObject({ code: "FORBIDDEN" });
    const anonymous = await graphql(url, auditLog, { variables: {} });
    expect(anonymous.errors?.[0]?.extensions).toMatchObject({ code: "UNAUTHENTICATED" });
    const bad = await graphql(url, auditLog, { token: admin.accessToken, variables: { filter: { entityId: "x" } } });
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "filter.entityType" });
    const tooMany = await graphql(url, auditLog, { token: admin.accessToken, variables: { first: 101 } });
    expect(tooMany.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "first" });

    const [any] = await entriesOf({}, 1);
    await expect(
      services.users.runtime.db.$executeRawUnsafe(
        "UPDATE audit_entry SET action = 'forged' WHERE id = $1::uuid",
        any!.id,
      ),
    ).rejects.toThrow(/never changed or removed/);
    await expect(
      services.users.runtime.db.$executeRawUnsafe("DELETE FROM audit_entry WHERE id = $1::uuid", any!.id),
    ).rejects.toThrow(/never changed or removed/);
  });
});
