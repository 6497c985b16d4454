import { CatalogBuilder } from "../../support/catalogBuilder";
import { placeOrder, placeOrderInput } from "../../support/checkout";
import { loginAdmin, registerCustomer } from "../../support/identity";
import { startServices, type TestServices } from "../../support/testServices";
import { waitFor } from "../../support/waitFor";

type Names = "products" | "inventory" | "orders" | "payments" | "notifications";

/**
 * The work a burst of checkouts costs, counted by the services themselves (the counters the
 * bench reads): SQL commits (process-wide: every service runs in this process) and NATS messages
 * (per service connection). Orders are awaited through a metric, not by querying, so that the
 * counts hold only the orders' own work and the services' background polls. Run it with
 * `EVENT_BATCH_SIZE=1` to compare with a transaction per event.
 */
describe("work per confirmed order, counted by the services", () => {
  let services: TestServices<Names>;

  beforeAll(async () => {
    services = await startServices(["products", "inventory", "orders", "payments", "notifications"]);
  });

  afterAll(() => services?.cleanUp());

  const value = async (registry: TestServices<Names>["orders"]["runtime"]["metrics"]["registry"], name: string) =>
    (await registry.getSingleMetric(name)?.get())?.values.reduce((sum, sample) => sum + sample.value, 0) ?? 0;
  const names = ["users", "products", "inventory", "orders", "payments", "notifications"] as const;
  const all = () => names.map((name) => services[name].runtime.metrics.registry);
  const applied = async (registry: TestServices<Names>["orders"]["runtime"]["metrics"]["registry"], type: string) =>
    ((await registry.getSingleMetric("events_consumed_total")?.get())?.values ?? [])
      .filter((sample) => sample.labels.type === type && sample.labels.outcome === "applied")
      .reduce((sum, sample) => sum + sample.value, 0);
  const read = async () => {
    const registries = all();
    const byService = await Promise.all(
      registries.map(async (registry) => ({
        sent: await value(registry, "nats_messages_sent_total"),
        received: await value(registry, "nats_messages_received_total"),
      })),
    );
    const nats = byService.map((each) => each.sent + each.received);
    return {
      byService,
      // Process-wide: the same figure on every registry.
      commits: await value(registries[0]!, "sql_commits_total"),
      statements: await value(registries[0]!, "sql_statements_total"),
      nats: nats.reduce((sum, each) => sum + each, 0),
      confirmed: await value(services.orders.runtime.metrics.registry, "orders_confirmed_total"),
      // The order's last consumer: notifications applying its confirmation (its messages written).
      notified: await applied(services.notifications.runtime.metrics.registry, "orders.order.status_changed"),
    };
  };

  it("confirms a burst of orders and reports the commits and NATS messages per order", async () => {
    const url = services.router.url;
    const admin = await loginAdmin(url);
    const customer = await registerCustomer(url);
    const product = await new CatalogBuilder(url, admin.accessToken).product({
      name: "Counted",
      price: "3.00",
      stock: 1000,
    });
    const orders = 20;
    const before = await read();
    await Promise.all(
      Array.from({ length: orders }, () =>
        placeOrder(url, customer.accessToken, placeOrderInput([{ productId: product.id, quantity: 1 }])),
      ),
    );
    await waitFor(
      async () => {
        const now = await read();
        return now.confirmed - before.confirmed >= orders && now.notified - before.notified >= orders;
      },
      "every order confirmed, and its confirmation notified",
      60_000,
    );
    const after = await read();
    expect(after.confirmed - before.confirmed).toBe(orders);
    const perOrder = {
      batchSize: process.env.EVENT_BATCH_SIZE ?? "64 (default)",
      commits: (after.commits - before.commits) / orders,
      statements: (after.statements - before.statements) / orders,
      natsMessages: (after.nats - before.nats) / orders,
      // Per service: messages sent / received per order.
      natsByService: Object.fromEntries(
        names.map((name, index) => [
          name,
          `${(after.byService[index]!.sent - before.byService[index]!.sent) / orders} / ${
            (after.byService[index]!.received - before.byService[index]!.received) / orders
          }`,
        ]),
      ),
    };
    console.log(`work per confirmed order: ${JSON.stringify(perOrder)}`);
    if (process.env.WORK_DETAIL) {
      for (const name of names) {
        const registry = services[name].runtime.metrics.registry;
        for (const metric of ["events_published_total", "events_consumed_total"]) {
          const samples = (await registry.getSingleMetric(metric)?.get())?.values ?? [];
          console.log(name, metric, JSON.stringify(samples.map((s) => [s.labels, s.value])));
        }
      }
    }
  });
});
