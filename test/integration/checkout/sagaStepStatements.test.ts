import type pg from "pg";
import { createEnvelope } from "../../../subgraphs/common/events/envelope";
import { CatalogBuilder } from "../../support/catalogBuilder";
import { placeOrder, placeOrderInput } from "../../support/checkout";
import { loginAdmin, registerCustomer } from "../../support/identity";
import {
  outboxStamp,
  periodicWork,
  recordSentStatements,
  uncountedClient,
  withoutBackground,
} from "../../support/sqlCounter";
import { startServices, type TestServices } from "../../support/testServices";
import { waitFor } from "../../support/waitFor";

/**
 * The statements of a batch of saga steps in the orders service, counted where they are sent:
 * one transaction per batch (its commit), the events recorded as applied and every order of it
 * locked with its lines in one statement and every move with its history and the events in one more,
 * whatever the orders hold and however many they are. Inventory is not running, so the orders wait in PENDING for the replies this test
 * hands to orders' own consumer as one delivered batch.
 */
describe("the statements of a batch of saga steps", () => {
  let services: TestServices<"products" | "orders">;
  let probe: pg.Client;

  beforeAll(async () => {
    services = await startServices(["products", "orders"]);
    probe = await uncountedClient(services.orders.runtime.databaseUrl);
  });

  afterAll(async () => {
    await probe?.end();
    await services?.cleanUp();
  });

  it("moves N orders in one transaction of 4 statements", async () => {
    const url = services.router.url;
    const admin = await loginAdmin(url);
    const build = new CatalogBuilder(url, admin.accessToken);
    const customer = await registerCustomer(url);
    const [mug, tray] = [
      await build.product({ name: "Step Mug", price: "6.00" }),
      await build.product({ name: "Step Tray", price: "9.50" }),
    ];
    // Orders records the customer's and the admin's emails from users' events on consumers of its
    // own; on a slow machine those writes can land inside the counted window, so they are awaited.
    await waitFor(async () => {
      const { rows } = await probe.query("SELECT 1 FROM order_customers WHERE customer_id = ANY($1::uuid[])", [
        [customer.user.id, admin.user.id],
      ]);
      return rows.length === 2;
    }, "orders to record the customer's email");
    const consumer = services.orders.runtime.consumers.find((each) =>
      each.name.endsWith("inventory_reservation_succeeded"),
    )!;
    const ordersDatabase = new URL(services.orders.runtime.databaseUrl).pathname.slice(1);
    const counts: number[] = [];
    for (const size of [1, 3]) {
      const orders = [];
      for (let index = 0; index < size; index += 1) {
        orders.push(
          await placeOrder(
            url,
            customer.accessToken,
            placeOrderInput([
              { productId: mug.id, quantity: 1 + index },
              { productId: tray.id, quantity: 1 },
            ]),
          ),
        );
      }
      const events = orders.map((order) =>
        createEnvelope("inventory", { type: "inventory.reservation.succeeded", data: { orderId: order.id } }),
      );
      const { result, statements } = await recordSentStatements(() => consumer.applyBatch(events));
      expect(result).toEqual(events.map(() => "applied"));
      const ours = withoutBackground(statements, periodicWork).filter(
        (each) => each.database === ordersDatabase && !outboxStamp.test(each.text),
      );
      const words = (text: string) => text.split(/\s+/).slice(0, 3).join(" ");
      // The batch's transaction is on the connection that moved the orders; other consumers of
      // the orders service (users' events, say) may run beside it on connections of their own.
      const batchConnection = ours.find((each) => words(each.text) === "WITH step AS")?.connection;
      const all = ours.filter((each) => each.connection === batchConnection).map((each) => words(each.text));
      const counted = all.slice(0, all.indexOf("COMMIT") + 1);
      // No saga statement of the batch runs on another connection, nor after its commit.
      const sagaShaped = /^(WITH fresh AS|WITH step AS)/;
      expect(ours.filter((each) => each.connection !== batchConnection && sagaShaped.test(each.text))).toEqual([]);
      expect(all.slice(counted.length).filter((text) => text !== "BEGIN" && text !== "COMMIT")).toEqual([]);
      expect({ size, counted }).toEqual({
        size,
        counted: [
          "BEGIN",
          // The idempotency insert and the orders' lock, one statement (was two: 5 → 4 per batch).
          "WITH fresh AS",
          "WITH step AS",
          "COMMIT",
        ],
      });
      counts.push(counted.length);
      const { rows } = await probe.query<{ status: string }>(
        "SELECT status::text AS status FROM orders WHERE id = ANY($1::uuid[])",
        [orders.map((order) => order.id)],
      );
      expect(rows.map((row) => row.status)).toEqual(orders.map(() => "AWAITING_PAYMENT"));
      // Delivered again, as a batch or one by one: recorded already, so nothing is applied.
      expect(await consumer.applyBatch(events)).toEqual(events.map(() => "duplicate"));
      expect(await consumer.apply(events[0]!)).toBe("duplicate");
    }
    expect(counts).toEqual([4, 4]);
  });
});
