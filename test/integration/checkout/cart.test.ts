import { randomUUID } from "node:crypto";
import type { OrdersTx } from "../../../subgraphs/orders";
import { productsService } from "../../../subgraphs/products";
import { graphql, graphqlData } from "../../support/graphqlClient";
import { CatalogBuilder } from "../../support/catalogBuilder";
import { placeOrder, placeOrderInput, waitForOrder } from "../../support/checkout";
import { loginAdmin, registerCustomer, type Session } from "../../support/identity";
import { startTestSubgraph } from "../../support/testSubgraph";
import { startServices, type TestServices } from "../../support/testServices";
import { waitFor } from "../../support/waitFor";

const cartQuery = `query { cart { id items { product { id name price { amount currency } stock { available } } quantity lineTotal { amount currency } } subtotal { amount currency } } }`;
const addToCart = `mutation($productId: ID!, $quantity: Int!) { addToCart(productId: $productId, quantity: $quantity) { id items { product { id } quantity lineTotal { amount currency } } subtotal { amount currency } } }`;
const updateCartItem = `mutation($productId: ID!, $quantity: Int!) { updateCartItem(productId: $productId, quantity: $quantity) { id items { product { id } quantity } subtotal { amount currency } } }`;

describe("the cart, through the router", () => {
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

  it("starts empty, adds to a line, sets a line, removes it, and prices it all at current prices", async () => {
    const customer = await registerCustomer(url);
    const mug = await build.product({ name: "Cart Mug", price: "8.25", stock: 10 });
    const tray = await build.product({ name: "Cart Tray", price: "12.00", stock: 3 });
    const empty = (await graphqlData(url, cartQuery, { token: customer.accessToken })).cart;
    expect(empty).toMatchObject({ items: [], subtotal: { amount: "0.00", currency: "USD" } });

    await graphqlData(url, addToCart, { token: customer.accessToken, variables: { productId: mug.id, quantity: 2 } });
    const added = (
      await graphqlData(url, addToCart, { token: customer.accessToken, variables: { productId: mug.id, quantity: 1 } })
    ).addToCart;
    expect(added.id).toBe(empty.id);
    expect(added.items).toEqual([
      { product: { id: mug.id }, quantity: 3, lineTotal: { amount: "24.75", currency: "USD" } },
    ]);
    await graphqlData(url, addToCart, { token: customer.accessToken, variables: { productId: tray.id, quantity: 1 } });

    const { cart } = await graphqlData(url, cartQuery, { token: customer.accessToken });
    expect(
      cart.items.map((item: { product: { name: string }; quantity: number }) => [item.product.name, item.quantity]),
    ).toEqual([
      ["Cart Mug", 3],
      ["Cart Tray", 1],
    ]);
    expect(cart.items[1].product.stock).toEqual({ available: 3 });
    expect(cart.subtotal).toEqual({ amount: "36.75", currency: "USD" });

    // The price changes in the catalog: the cart follows.
    await graphqlData(url, `mutation($id: ID!) { updateProduct(id: $id, input: { price: "10.00" }) { id } }`, {
      token: admin.accessToken,
      variables: { id: mug.id },
    });
    const repriced = await waitForCart(customer, (each) => each.subtotal.amount === "42.00");
    expect(repriced.items[0].lineTotal).toEqual({ amount: "30.00", currency: "USD" });

    const updated = (
      await graphqlData(url, updateCartItem, {
        token: customer.accessToken,
        variables: { productId: mug.id, quantity: 1 },
      })
    ).updateCartItem;
    expect(updated.items.find((item: { product: { id: string } }) => item.product.id === mug.id).quantity).toBe(1);
    const removed = (
      await graphqlData(url, updateCartItem, {
        token: customer.accessToken,
        variables: { productId: mug.id, quantity: 0 },
      })
    ).updateCartItem;
    expect(removed.items.map((item: { product: { id: string } }) => item.product.id)).toEqual([tray.id]);
    const cleared = (
      await graphqlData(url, `mutation { clearCart { id items { quantity } } }`, { token: customer.accessToken })
    ).clearCart;
    expect(cleared).toEqual({ id: empty.id, items: [] });
  });

  async function waitForCart(
    customer: Session,
    done: (cart: { subtotal: { amount: string }; items: Array<{ lineTotal: { amount: string } }> }) => boolean,
  ) {
    return waitFor(async () => {
      const { cart } = await graphqlData(url, cartQuery, { token: customer.accessToken });
      return done(cart) ? cart : undefined;
    }, "the cart to follow the catalog");
  }

  it("refuses more than is available, a bad quantity, unknown and archived products", async () => {
    const customer = await registerCustomer(url);
    const few = await build.product({ name: "Few Left", price: "1.00", stock: 2 });
    const code = async (query: string, variables: Record<string, unknown>) =>
      (await graphql(url, query, { token: customer.accessToken, variables })).errors?.[0]?.extensions;
    expect(await code(addToCart, { productId: few.id, quantity: 3 })).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "quantity",
    });
    await graphqlData(url, addToCart, { token: customer.accessToken, variables: { productId: few.id, quantity: 2 } });
    expect(await code(addToCart, { productId: few.id, quantity: 1 })).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "quantity",
    });
    expect(await code(updateCartItem, { productId: few.id, quantity: 5 })).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "quantity",
    });
    expect(await code(addToCart, { productId: few.id, quantity: 0 })).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "quantity",
    });
    expect(await code(addToCart, { productId: few.id, quantity: 100 })).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "quantity",
    });
    expect(await code(addToCart, { productId: "00000000-0000-4000-8000-000000000000", quantity: 1 })).toMatchObject({
      code: "NOT_FOUND",
    });
    expect(await code(addToCart, { productId: "garbage", quantity: 1 })).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "productId",
    });
    await graphqlData(url, `mutation($id: ID!) { archiveProduct(id: $id) { id } }`, {
      token: admin.accessToken,
      variables: { id: few.id },
    });
    const archived = await build.product({ name: "Soon Archived", price: "1.00", stock: 5 });
    await graphqlData(url, `mutation($id: ID!) { archiveProduct(id: $id) { id } }`, {
      token: admin.accessToken,
      variables: { id: archived.id },
    });
    // The archive event may still be on its way to orders' read model: until it arrives the
    // product can still be added, and then it leaves the cart again below.
    let addedBeforeOrdersHeard = false;
    const refused = await waitFor(async () => {
      const extensions = await code(addToCart, { productId: archived.id, quantity: 1 });
      if (!extensions) addedBeforeOrdersHeard = true;
      return extensions?.code === "BAD_USER_INPUT" ? extensions : undefined;
    }, "orders to hear of the archiving");
    expect(refused).toMatchObject({ code: "BAD_USER_INPUT", field: "productId" });
    // A product no longer for sale can still leave the cart.
    if (addedBeforeOrdersHeard) {
      await graphqlData(url, updateCartItem, {
        token: customer.accessToken,
        variables: { productId: archived.id, quantity: 0 },
      });
    }
    expect(
      (
        await graphqlData(url, updateCartItem, {
          token: customer.accessToken,
          variables: { productId: few.id, quantity: 0 },
        })
      ).updateCartItem.items,
    ).toEqual([]);
    expect((await graphql(url, cartQuery)).errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });

  it("lets a price change win that was committing while orders looked the product up", async () => {
    const customer = await registerCustomer(url);
    const stopped = services.orders.runtime.consumers.filter((consumer) => /catalog_product/.test(consumer.name));
    await Promise.all(stopped.map((consumer) => consumer.stop()));
    const lamp = await build.product({ name: "Repriced Lamp", price: "10.00", stock: 5 });
    const products = services.products.runtime.db;
    try {
      // Hold the products service's outbox: the price change is made and announced (its event
      // stamped) in its transaction, but cannot commit until the outbox is let go.
      let letGo!: () => void;
      const outboxHeld = new Promise<void>((resolve) => (letGo = resolve));
      let taken!: () => void;
      const lockTaken = new Promise<void>((resolve) => (taken = resolve));
      const holder = products.$transaction(
        async (tx) => {
          await tx.$executeRawUnsafe("LOCK TABLE outbox_event IN EXCLUSIVE MODE");
          taken();
          await outboxHeld;
        },
        { timeout: 30_000 },
      );
      await lockTaken;
      const repricing = graphqlData(
        url,
        `mutation($id: ID!, $input: UpdateProductInput!) { updateProduct(id: $id, input: $input) { id } }`,
        {
          token: admin.accessToken,
          variables: { id: lamp.id, input: { price: "12.00" } },
        },
      );
      try {
        await waitFor(async () => {
          const [waiting] = await products.$queryRawUnsafe<Array<{ count: bigint }>>(
            "SELECT count(*) AS count FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = 'outbox_event' AND NOT l.granted",
          );
          return waiting!.count > 0n;
        }, "the price change to wait for the outbox");
        // Orders has not heard of the lamp: it asks products, which still answers the old price.
        const { addToCart: cart } = await graphqlData(url, addToCart, {
          token: customer.accessToken,
          variables: { productId: lamp.id, quantity: 1 },
        });
        expect(cart.items).toEqual([
          { product: { id: lamp.id }, quantity: 1, lineTotal: { amount: "10.00", currency: "USD" } },
        ]);
      } finally {
        letGo();
        await holder;
        await repricing;
      }
    } finally {
      for (const consumer of stopped) await consumer.start();
    }
    // The change's event still wins: the answer orders kept is as old as the data it read, not
    // as new as the moment it asked.
    await waitFor(
      async () =>
        (await services.orders.runtime.db.catalogVariant.findUnique({ where: { variantId: lamp.id } }))?.priceMinor ===
        1200n,
      "orders to learn the new price",
    );
  });

  it("accepts a product createProduct has just returned, before its events reach orders", async () => {
    const customer = await registerCustomer(url);
    const stopped = services.orders.runtime.consumers.filter((consumer) =>
      /catalog_product|inventory_stock_changed/.test(consumer.name),
    );
    await Promise.all(stopped.map((consumer) => consumer.stop()));
    try {
      const fresh = await build.product({ name: "Fresh Out Of The Oven", price: "6.00", stock: 4 });
      const { addToCart: cart } = await graphqlData(url, addToCart, {
        token: customer.accessToken,
        variables: { productId: fresh.id, quantity: 2 },
      });
      expect(cart.items).toEqual([
        { product: { id: fresh.id }, quantity: 2, lineTotal: { amount: "12.00", currency: "USD" } },
      ]);
    } finally {
      for (const consumer of stopped) await consumer.start();
    }
  });

  it("does not call a product unknown when the products service could not be asked", async () => {
    const customer = await registerCustomer(url);
    const stopped = services.orders.runtime.consumers.filter((consumer) => /catalog_product/.test(consumer.name));
    await Promise.all(stopped.map((consumer) => consumer.stop()));
    const port = services.products.port;
    try {
      const unheardOf = await build.product({ name: "Not Yet Heard Of", price: "3.00", stock: 4 });
      await services.products.stop();
      const cart = await graphql(url, addToCart, {
        token: customer.accessToken,
        variables: { productId: unheardOf.id, quantity: 1 },
      });
      expect(cart.errors?.[0]?.extensions?.code).toBe("INTERNAL_SERVER_ERROR");
      const order = await graphql(
        url,
        `
          mutation ($input: PlaceOrderInput!) {
            placeOrder(input: $input) {
              id
            }
          }
        `,
        {
          token: customer.accessToken,
          variables: { input: placeOrderInput([{ productId: unheardOf.id, quantity: 1 }]) },
        },
      );
      expect(order.errors?.[0]?.extensions?.code).toBe("INTERNAL_SERVER_ERROR");
      expect(await services.orders.runtime.db.order.count({ where: { customerId: customer.user.id } })).toBe(0);
    } finally {
      services.products = await startTestSubgraph(productsService, services.testId, {
        ...services.shared,
        PORT: String(port),
      });
      for (const consumer of stopped) await consumer.start();
    }
  });

  it("checks the cart out when no items are given, and empties it once the order exists", async () => {
    const customer = await registerCustomer(url);
    const pen = await build.product({ name: "Checkout Pen", price: "2.50", stock: 10 });
    await graphqlData(url, addToCart, { token: customer.accessToken, variables: { productId: pen.id, quantity: 4 } });
    const input = placeOrderInput(null);
    const placed = await placeOrder(url, customer.accessToken, input);
    const order = await waitForOrder(
      url,
      customer.accessToken,
      placed.id,
      (each) => each.status === "CONFIRMED",
      "CONFIRMED",
    );
    expect(order.items).toEqual([
      {
        product: { id: pen.id },
        quantity: 4,
        unitPrice: { amount: "2.50", currency: "USD" },
        lineTotal: { amount: "10.00" },
      },
    ]);
    expect((await graphqlData(url, cartQuery, { token: customer.accessToken })).cart.items).toEqual([]);
    // Retrying the same checkout returns the order, although the cart is now empty.
    expect((await placeOrder(url, customer.accessToken, input)).id).toBe(placed.id);
    const emptyCheckout = await graphql(
      url,
      `
        mutation ($input: PlaceOrderInput!) {
          placeOrder(input: $input) {
            id
          }
        }
      `,
      { token: customer.accessToken, variables: { input: placeOrderInput(null) } },
    );
    expect(emptyCheckout.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "items" });
  });

  describe("checking out a cart that changes meanwhile", () => {
    const placeOrderMutation = `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }`;
    const rollBack = new Error("rolled back by the test");
    const db = () => services.orders.runtime.db;

    /** Runs `work` in a transaction of this test on the orders database, then commits it or rolls it back. */
    async function inTransaction(work: (tx: OrdersTx) => Promise<void>, end: "commit" | "rollback"): Promise<void> {
      await db()
        .$transaction(
          async (tx) => {
            await work(tx);
            if (end === "rollback") throw rollBack;
          },
          { timeout: 30_000 },
        )
        .catch((error: unknown) => {
          if (error !== rollBack) throw error;
        });
    }

    /** Waits until `count` statements of the orders database that match `pattern` wait for a lock, or until `unless` has settled. */
    async function waitingForLocks(pattern: string, count: number, unless: Promise<unknown>[] = []): Promise<void> {
      let settled = 0;
      for (const promise of unless) void promise.finally(() => (settled += 1));
      await waitFor(async () => {
        if (unless.length > 0 && settled === unless.length) return true;
        const [row] = await db().$queryRawUnsafe<Array<{ waiting: number }>>(
          "SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE $1",
          pattern,
        );
        return row!.waiting >= count;
      }, `${count} statement(s) like ${pattern} to wait for a lock`);
    }

    /** Holds the claim of an idempotency key, as a concurrent request with that key would: a checkout with the key waits for it in its transaction. */
    const holdClaim = (tx: OrdersTx, customerId: string, idempotencyKey: string) =>
      tx.$executeRawUnsafe(
        "INSERT INTO order_requests (customer_id, idempotency_key, request_hash, order_id) VALUES ($1::uuid, $2, 'held by the test', $3::uuid)",
        customerId,
        idempotencyKey,
        randomUUID(),
      );

    async function ordersOf(customerId: string) {
      const orders = await db().order.findMany({ where: { customerId }, include: { items: true } });
      return orders.map((order) => order.items.map((item) => [item.productId, item.quantity]).sort());
    }

    const cartLines = async (customer: Session) =>
      (await graphqlData(url, cartQuery, { token: customer.accessToken })).cart.items.map(
        (item: { product: { id: string }; quantity: number }) => [item.product.id, item.quantity],
      );

    it("orders the cart once when two checkouts with different keys race: the other finds it empty", async () => {
      const customer = await registerCustomer(url);
      const pen = await build.product({ name: "Raced Pen", price: "2.50", stock: 10 });
      await graphqlData(url, addToCart, { token: customer.accessToken, variables: { productId: pen.id, quantity: 3 } });
      const inputs = [placeOrderInput(null), placeOrderInput(null)];
      let checkouts: Array<ReturnType<typeof graphql>> = [];
      // Both checkouts read and price the cart, then wait at their claims until both are there.
      await inTransaction(async (tx) => {
        for (const input of inputs) await holdClaim(tx, customer.user.id, input.idempotencyKey);
        checkouts = inputs.map((input) =>
          graphql(url, placeOrderMutation, { token: customer.accessToken, variables: { input } }),
        );
        await waitingForLocks("%order_requests%", 2, checkouts);
      }, "rollback");
      const answers = await Promise.all(checkouts);
      const placed = answers.filter((answer) => !answer.errors);
      const refused = answers.filter((answer) => answer.errors);
      expect(placed).toHaveLength(1);
      expect(refused).toHaveLength(1);
      expect(refused[0]!.errors![0]!.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "items" });
      expect(refused[0]!.errors![0]!.message).toMatch(/cart is empty/);
      expect(await ordersOf(customer.user.id)).toEqual([[[pen.id, 3]]]);
      expect(await cartLines(customer)).toEqual([]);
    });

    it("orders an item added after the cart was priced, before the checkout's transaction, rather than dropping it", async () => {
      const customer = await registerCustomer(url);
      const pen = await build.product({ name: "Priced Pen", price: "2.50", stock: 10 });
      const mug = await build.product({ name: "Late Mug", price: "8.00", stock: 10 });
      await graphqlData(url, addToCart, { token: customer.accessToken, variables: { productId: pen.id, quantity: 4 } });
      const input = placeOrderInput(null);
      let checkout: Promise<Awaited<ReturnType<typeof graphql>>> | undefined;
      await inTransaction(async (tx) => {
        await holdClaim(tx, customer.user.id, input.idempotencyKey);
        checkout = graphql(url, placeOrderMutation, { token: customer.accessToken, variables: { input } });
        // The checkout has priced the cart (pen only) and waits in its transaction.
        await waitingForLocks("%order_requests%", 1, [checkout]);
        await graphqlData(url, addToCart, {
          token: customer.accessToken,
          variables: { productId: mug.id, quantity: 1 },
        });
      }, "rollback");
      const answer = await checkout!;
      expect(answer.errors).toBeUndefined();
      // The mug is never lost: the checkout saw the cart change, priced it again and ordered it all.
      expect(await ordersOf(customer.user.id)).toEqual([
        [
          [pen.id, 4],
          [mug.id, 1],
        ].sort(),
      ]);
      expect(await cartLines(customer)).toEqual([]);
    });

    it("orders an item that a change holding the cart's lock commits while the checkout waits for the lock", async () => {
      const customer = await registerCustomer(url);
      const pen = await build.product({ name: "Locked Pen", price: "2.50", stock: 10 });
      const mug = await build.product({ name: "Queued Mug", price: "8.00", stock: 10 });
      const { addToCart: cart } = await graphqlData(url, addToCart, {
        token: customer.accessToken,
        variables: { productId: pen.id, quantity: 2 },
      });
      const input = placeOrderInput(null);
      let checkout: Promise<Awaited<ReturnType<typeof graphql>>> | undefined;
      // As addToCart does: lock the cart, add a line, commit; meanwhile the checkout queues for the lock.
      await inTransaction(async (tx) => {
        await tx.$queryRawUnsafe("SELECT id FROM carts WHERE id = $1::uuid FOR UPDATE", cart.id);
        await tx.$executeRawUnsafe(
          // The mug has no options: its one variant has the product's id.
          "INSERT INTO cart_items (cart_id, product_id, variant_id, quantity, added_at) VALUES ($1::uuid, $2::uuid, $2::uuid, 1, now())",
          cart.id,
          mug.id,
        );
        checkout = graphql(url, placeOrderMutation, { token: customer.accessToken, variables: { input } });
        await waitingForLocks("%carts%FOR UPDATE%", 1, [checkout]);
      }, "commit");
      const answer = await checkout!;
      expect(answer.errors).toBeUndefined();
      expect(await ordersOf(customer.user.id)).toEqual([
        [
          [pen.id, 2],
          [mug.id, 1],
        ].sort(),
      ]);
      expect(await cartLines(customer)).toEqual([]);
    });
  });
});
