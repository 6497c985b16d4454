import { CatalogBuilder } from "../../support/catalogBuilder";
import { graphql, graphqlData } from "../../support/graphqlClient";
import { loginAdmin, registerCustomer, type Session } from "../../support/identity";
import { startServices, type TestServices } from "../../support/testServices";
import { waitFor } from "../../support/waitFor";

const addToCart = `mutation($productId: ID!, $quantity: Int!) { addToCart(productId: $productId, quantity: $quantity) { id items { product { id } quantity } } }`;
const cartQuery = `query { cart { items { product { id } quantity } } }`;
const cartCreate = `mutation { cartCreate { cartToken } }`;
const linesAdd = `mutation($cartToken: String, $lines: [CartLineInput!]!) { cartLinesAdd(cartToken: $cartToken, lines: $lines) { items { id variant { id } quantity } } }`;
const guestCart = `query($token: String!) { cart(token: $token) { items { id variant { id } quantity } } }`;

/**
 * A cart change decides on what it read and writes only if the cart is still as read: changes
 * that commit meanwhile are never overwritten, whichever way they race.
 */
describe("concurrent changes of a cart", () => {
  let services: TestServices<"products" | "inventory" | "orders">;
  let url: string;
  let admin: Session;
  let build: CatalogBuilder;
  const db = () => services.orders.runtime.db;

  beforeAll(async () => {
    services = await startServices(["products", "inventory", "orders"]);
    url = services.router.url;
    admin = await loginAdmin(url);
    build = new CatalogBuilder(url, admin.accessToken);
  });

  afterAll(() => services?.cleanUp());

  /** Waits until `count` statements of the orders database that match `pattern` wait for a lock, or until `unless` has settled. */
  async function waitingForLocks(pattern: string, count: number, unless: Promise<unknown>[]): Promise<void> {
    let settled = 0;
    for (const promise of unless) void promise.finally(() => (settled += 1));
    await waitFor(async () => {
      if (settled === unless.length) return true;
      const [row] = await db().$queryRawUnsafe<Array<{ waiting: number }>>(
        "SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE $1",
        pattern,
      );
      return row!.waiting >= count;
    }, `${count} statement(s) like ${pattern} to wait for a lock`);
  }

  it("adds to a line that a change holding the cart's lock commits meanwhile, rather than overwriting it", async () => {
    const customer = await registerCustomer(url);
    const pen = await build.product({ name: "Contended Pen", price: "2.50", stock: 40 });
    const { addToCart: cart } = await graphqlData(url, addToCart, {
      token: customer.accessToken,
      variables: { productId: pen.id, quantity: 2 },
    });
    type Added = { addToCart: { items: Array<{ product: { id: string }; quantity: number }> } };
    let adding: ReturnType<typeof graphql<Added>> | undefined;
    // As every change of the lines does: the cart locked, a line changed, the cart row touched.
    // The addToCart read the cart before (2 units) and waits to write until this commits.
    await db().$transaction(
      async (tx) => {
        await tx.$queryRawUnsafe("SELECT id FROM carts WHERE id = $1::uuid FOR UPDATE", cart.id);
        await tx.$executeRawUnsafe(
          "UPDATE cart_items SET quantity = quantity + 3 WHERE cart_id = $1::uuid AND variant_id = $2::uuid",
          cart.id,
          pen.id,
        );
        await tx.$executeRawUnsafe("UPDATE carts SET updated_at = now() WHERE id = $1::uuid", cart.id);
        adding = graphql<Added>(url, addToCart, {
          token: customer.accessToken,
          variables: { productId: pen.id, quantity: 4 },
        });
        await waitingForLocks("%carts%FOR UPDATE%", 1, [adding]);
      },
      { timeout: 30_000 },
    );
    const answer = await adding!;
    expect(answer.errors).toBeUndefined();
    expect(answer.data!.addToCart.items).toEqual([{ product: { id: pen.id }, quantity: 9 }]);
    expect((await graphqlData(url, cartQuery, { token: customer.accessToken })).cart.items).toEqual([
      { product: { id: pen.id }, quantity: 9 },
    ]);
  });

  it("counts every one of many concurrent additions to a guest cart", async () => {
    const pen = await build.product({ name: "Raced Guest Pen", price: "2.50", stock: 90 });
    const mug = await build.product({ name: "Raced Guest Mug", price: "8.00", stock: 90 });
    const { cartCreate: created } = await graphqlData(url, cartCreate);
    const cartToken = created.cartToken as string;
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, index) =>
        graphqlData(url, linesAdd, {
          variables: {
            cartToken,
            lines: [{ variantId: index % 2 === 0 ? pen.id : mug.id, quantity: index % 3 === 0 ? 2 : 1 }],
          },
        }),
      ),
    );
    expect(answers).toHaveLength(12);
    const { items } = (await graphqlData(url, guestCart, { variables: { token: cartToken } })).cart;
    // Pen: requests 0, 2, 4, 6, 8, 10 (0 and 6 add 2); mug: 1, 3, 5, 7, 9, 11 (3 and 9 add 2).
    expect(
      items.map((item: { variant: { id: string }; quantity: number }) => [item.variant.id, item.quantity]).sort(),
    ).toEqual(
      [
        [pen.id, 8],
        [mug.id, 8],
      ].sort(),
    );
    // Each answer shows its line with the id the cart holds.
    const ids = new Map(items.map((item: { id: string; variant: { id: string } }) => [item.variant.id, item.id]));
    for (const answer of answers) {
      for (const item of answer.cartLinesAdd.items as Array<{ id: string; variant: { id: string } }>) {
        expect(item.id).toBe(ids.get(item.variant.id));
      }
    }
  });
});
