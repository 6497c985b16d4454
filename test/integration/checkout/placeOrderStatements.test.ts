import type pg from "pg";
import { CatalogBuilder } from "../../support/catalogBuilder";
import { placeOrder, placeOrderInput } from "../../support/checkout";
import { graphqlData } from "../../support/graphqlClient";
import { loginAdmin, registerCustomer, type Session } from "../../support/identity";
import {
  outboxStamp,
  periodicWork,
  recordSentStatements,
  uncountedClient,
  withoutBackground,
  type SentStatement,
} from "../../support/sqlCounter";
import { startServices, type TestServices } from "../../support/testServices";
import { waitFor } from "../../support/waitFor";

/**
 * A transaction that only began in the window (the saga's next step, or the outbox relay, on a
 * loaded machine a little ahead of the checkout's answer): its BEGIN is the last statement of its
 * connection, none of its work is counted, and it is not the checkout's (which awaited every statement of its own).
 */
const withoutLoneBegins = (statements: readonly SentStatement[]) =>
  statements.filter(
    (each, index) =>
      !/^BEGIN\b/i.test(each.text) || statements.slice(index + 1).some((later) => later.connection === each.connection),
  );

const ofDatabase = (statements: readonly SentStatement[], database: string) =>
  withoutLoneBegins(withoutBackground(statements, periodicWork)).filter(
    (each) => each.database === database && !outboxStamp.test(each.text),
  );

const addToCart = `mutation($variantId: ID!, $quantity: Int!) { addToCart(variantId: $variantId, quantity: $quantity) { id } }`;

/**
 * The statements of a checkout, counted where they are sent (every `pg` connection of the
 * process, Prisma's and the services' own SQL alike): `placeOrder` is a fixed handful of
 * statements and one commit however many lines the cart holds, so an N+1 that creeps in fails
 * here. Set SQL_COUNT_REPORT=1 to print the statements and the saga's count per service.
 */
describe("the statements of a checkout", () => {
  let services: TestServices<"products" | "inventory" | "orders" | "payments">;
  let url: string;
  let admin: Session;
  let build: CatalogBuilder;
  let ordersDatabase: string;
  let probe: pg.Client;

  beforeAll(async () => {
    services = await startServices(["products", "inventory", "orders", "payments"], {
      settings: { payments: { PAYMENT_RETRY_BASE_MS: "50" } },
    });
    url = services.router.url;
    admin = await loginAdmin(url);
    build = new CatalogBuilder(url, admin.accessToken);
    ordersDatabase = new URL(services.orders.runtime.databaseUrl).pathname.slice(1);
    probe = await uncountedClient(services.orders.runtime.databaseUrl);
  });

  afterAll(async () => {
    await probe?.end();
    await services?.cleanUp();
  });

  /** A customer with a cart of `lines` variants, each known to the orders service's catalog read model. */
  async function customerWithCart(lines: number): Promise<Session> {
    const customer = await registerCustomer(url);
    for (let index = 0; index < lines; index += 1) {
      const product = await build.product({ name: `Counted ${index}`, price: `${index + 3}.25`, stock: 50 });
      // Known with its stock: no catalog or stock event is still on its way to orders while counting.
      await waitFor(
        async () =>
          (
            await probe.query("SELECT 1 FROM catalog_variants WHERE variant_id = $1 AND available = 50", [
              product.defaultVariant.id,
            ])
          ).rowCount === 1,
        "the orders service to know the variant and its stock",
      );
      await graphqlData(url, addToCart, {
        token: customer.accessToken,
        variables: { variantId: product.defaultVariant.id, quantity: 1 + index },
      });
    }
    return customer;
  }

  async function statusOf(orderId: string): Promise<string | undefined> {
    const { rows } = await probe.query<{ status: string }>("SELECT status::text AS status FROM orders WHERE id = $1", [
      orderId,
    ]);
    return rows[0]?.status;
  }

  function report(title: string, statements: readonly SentStatement[]) {
    if (!process.env.SQL_COUNT_REPORT) return;
    const byDatabase = new Map<string, string[]>();
    for (const each of withoutBackground(statements, periodicWork)) {
      const service = each.database.split("_").pop() ?? each.database;
      byDatabase.set(service, [...(byDatabase.get(service) ?? []), each.text.replace(/\s+/g, " ").slice(0, 140)]);
    }
    const lines = [...byDatabase].map(
      ([service, texts]) =>
        `  ${service}: ${texts.length} statements, ${texts.filter((text) => /^COMMIT/i.test(text)).length} COMMITs\n` +
        texts.map((text) => `    ${text}`).join("\n"),
    );
    console.log(`${title}\n${lines.join("\n")}`);
  }

  it("places an order from the cart in two statements and no transaction, whatever the cart holds", async () => {
    const counts: number[] = [];
    for (const lines of [1, 3]) {
      const customer = await customerWithCart(lines);
      const { result: order, statements } = await recordSentStatements(() =>
        placeOrder(url, customer.accessToken, placeOrderInput(null)),
      );
      expect(order.status).toBe("PENDING");
      const placing = ofDatabase(statements, ordersDatabase);
      report(`placeOrder, a cart of ${lines} line(s)`, statements);
      // The claim, cart, its version, choices and variants read with the shop's pricing
      // configuration (its own statement before: 3 → 2); then one statement, atomic by itself:
      // the claim, the cart locked as it was read, the order with every row, the cart emptied,
      // and the events.
      expect({ lines, statements: placing.map((each) => each.text.split(/\s+/).slice(0, 6).join(" ")) }).toEqual({
        lines,
        statements: [
          expect.stringMatching(/^WITH claim AS \( SELECT/),
          expect.stringMatching(/^WITH claim AS \( INSERT INTO/),
        ],
      });
      counts.push(placing.length);
      await waitFor(async () => (await statusOf(order.id)) === "CONFIRMED", "the order to be confirmed", 20_000);
    }
    expect(counts).toEqual([2, 2]);
  });

  it("counts the statements of the whole saga, per service, for the report", async () => {
    const customer = await customerWithCart(1);
    const { statements } = await recordSentStatements(async () => {
      const order = await placeOrder(url, customer.accessToken, placeOrderInput(null));
      await waitFor(async () => (await statusOf(order.id)) === "CONFIRMED", "the order to be confirmed", 20_000);
    });
    report("placeOrder until CONFIRMED", statements);
    // Every service of the saga did its part; the exact figures are the report's (they include
    // the event consumers' own statements, which another change batches).
    for (const service of ["orders", "inventory", "payments"])
      expect(statements.some((each) => each.database.endsWith(`_${service}`))).toBe(true);
    // Payments' part is fixed: the request recorded with its order's lock taken in the same
    // statement, the payment opened, one commit; then the worker's answer written with its event
    // in one statement and no transaction (the worker's claim is periodic work). It was 9
    // statements and 2 commits: the lock and the outbox insert each a statement of their own.
    const payments = statements.find((each) => each.database.endsWith("_payments"))!.database;
    expect(ofDatabase(statements, payments).map((each) => each.text.split(/\s+/).slice(0, 3).join(" "))).toEqual([
      "BEGIN",
      "INSERT INTO processed_event",
      "WITH input AS",
      "COMMIT",
      "WITH input AS",
    ]);
  });
});
