import type pg from "pg";
import { CatalogBuilder } from "../../support/catalogBuilder";
import { graphqlData } from "../../support/graphqlClient";
import { loginAdmin, registerCustomer, type Session } from "../../support/identity";
import {
  periodicWork,
  recordSentStatements,
  uncountedClient,
  withoutBackground,
  type SentStatement,
} from "../../support/sqlCounter";
import { startServices, type TestServices } from "../../support/testServices";
import { waitFor } from "../../support/waitFor";

const addToCart = `mutation($variantId: ID!, $quantity: Int!) { addToCart(variantId: $variantId, quantity: $quantity) { id items { variant { id } quantity } } }`;
const cartLinesAdd = `mutation($lines: [CartLineInput!]!) { cartLinesAdd(lines: $lines) { id items { variant { id } quantity } } }`;

/**
 * The statements of a change to the cart, counted where they are sent (every `pg` connection of
 * the process): a fixed handful however many lines the cart holds or the request adds, with the
 * lines written and the cart touched by one statement. An N+1 that creeps in fails here. Set
 * SQL_COUNT_REPORT=1 to print them.
 */
describe("the statements of a cart change", () => {
  let services: TestServices<"products" | "inventory" | "orders">;
  let url: string;
  let admin: Session;
  let build: CatalogBuilder;
  let ordersDatabase: string;
  let probe: pg.Client;

  beforeAll(async () => {
    services = await startServices(["products", "inventory", "orders"]);
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

  /** A variant the orders service's read model knows with its stock: no event still on its way while counting. */
  async function knownVariant(index: number): Promise<string> {
    const product = await build.product({ name: `Cart counted ${index}`, price: `${index + 2}.50`, stock: 40 });
    const variantId = product.defaultVariant.id as string;
    await waitFor(
      async () =>
        (await probe.query("SELECT 1 FROM catalog_variants WHERE variant_id = $1 AND available = 40", [variantId]))
          .rowCount === 1,
      "the orders service to know the variant and its stock",
    );
    return variantId;
  }

  const ofOrders = (statements: readonly SentStatement[]) =>
    withoutBackground(statements, periodicWork)
      .filter((each) => each.database === ordersDatabase)
      .map((each) => each.text.split(/\s+/).slice(0, 3).join(" "));

  function report(title: string, statements: readonly string[]) {
    if (process.env.SQL_COUNT_REPORT) console.log(`${title}: ${statements.length}\n  ${statements.join("\n  ")}`);
  }

  it("adds to the cart in three statements and no transaction, whatever the cart holds", async () => {
    const customer = await registerCustomer(url);
    const variants = [await knownVariant(0), await knownVariant(1), await knownVariant(2)];
    // The cart exists (created by the first change), holding one line, then two.
    await graphqlData(url, addToCart, {
      token: customer.accessToken,
      variables: { variantId: variants[0], quantity: 1 },
    });
    for (const [held, variantId] of [
      [1, variants[1]],
      [2, variants[2]],
    ] as const) {
      const { result, statements } = await recordSentStatements(() =>
        graphqlData(url, addToCart, { token: customer.accessToken, variables: { variantId, quantity: 2 } }),
      );
      expect(result.addToCart.items).toHaveLength(held + 1);
      const counted = ofOrders(statements);
      report(`addToCart, a cart of ${held} line(s)`, counted);
      // The variant added; the cart with its lines, their variants and its version; every line
      // written with the cart touched, if the cart is still at that version (no transaction).
      expect({ held, counted }).toEqual({
        held,
        counted: [expect.stringMatching(/^SELECT v.variant_id::text/), "WITH cart AS", "WITH locked AS"],
      });
    }
  });

  it("adds several lines in one statement", async () => {
    const customer = await registerCustomer(url);
    const variants = [await knownVariant(3), await knownVariant(4), await knownVariant(5)];
    await graphqlData(url, addToCart, {
      token: customer.accessToken,
      variables: { variantId: variants[0], quantity: 1 },
    });
    const { result, statements } = await recordSentStatements(() =>
      graphqlData(url, cartLinesAdd, {
        token: customer.accessToken,
        variables: { lines: variants.map((variantId) => ({ variantId, quantity: 3 })) },
      }),
    );
    expect(result.cartLinesAdd.items).toEqual([
      { variant: { id: variants[0] }, quantity: 4 },
      { variant: { id: variants[1] }, quantity: 3 },
      { variant: { id: variants[2] }, quantity: 3 },
    ]);
    const counted = ofOrders(statements);
    report("cartLinesAdd of three lines", counted);
    expect(counted.filter((text) => text === "WITH locked AS")).toHaveLength(1);
    expect(counted.filter((text) => text === "COMMIT")).toHaveLength(0);
    expect(counted).toHaveLength(3);
  });
});
