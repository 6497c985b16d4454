import { MigrationHistory } from "../../test/support/migrationHistory";
import { newTestId } from "../../test/support/testNames";

/**
 * Guest carts: every cart and order the previous schema held is kept as it was, as a customer's
 * cart (no token, no expiry) and a customer's order (no guest email); a cart must have exactly one
 * owner from now on.
 */
describe("orders' guest carts migration", () => {
  let history: MigrationHistory;

  beforeAll(async () => {
    history = await MigrationHistory.open("orders", newTestId());
  });

  afterAll(() => history?.close());

  it("keeps every cart, line and order, as a customer's", async () => {
    const { client } = history;
    await history.applyUntil("guest_carts");
    await client.query(`
      INSERT INTO carts (id, customer_id, created_at, updated_at)
      VALUES ('22222222-2222-4222-8222-222222222222', '33333333-3333-4333-8333-333333333333', now(), now());
      INSERT INTO cart_items (cart_id, variant_id, product_id, quantity)
      VALUES ('22222222-2222-4222-8222-222222222222', '44444444-4444-4444-8444-444444444444',
              '55555555-5555-4555-8555-555555555555', 3);
      INSERT INTO orders (id, number, customer_id, status, currency, subtotal_minor, total_minor, shipping_address,
                          payment_token, payment_deadline, updated_at)
      VALUES ('11111111-1111-4111-8111-111111111111', 'K7M-4PQ2X', '33333333-3333-4333-8333-333333333333',
              'CONFIRMED', 'USD', 2500, 2500, '{"line1": "12 Analytical Row"}', 'tok_visa', now(), now());`);

    await history.apply("guest_carts");

    const carts = await client.query(
      `SELECT id, customer_id, token_hash, email, shipping_address, billing_address, expires_at FROM carts`,
    );
    expect(carts.rows).toEqual([
      {
        id: "22222222-2222-4222-8222-222222222222",
        customer_id: "33333333-3333-4333-8333-333333333333",
        token_hash: null,
        email: null,
        shipping_address: null,
        billing_address: null,
        expires_at: null,
      },
    ]);
    const lines = await client.query(`SELECT variant_id, quantity FROM cart_items`);
    expect(lines.rows).toEqual([{ variant_id: "44444444-4444-4444-8444-444444444444", quantity: 3 }]);
    const orders = await client.query(
      `SELECT number, customer_id, status::text, total_minor::text, guest_email, attached_at, client_key, billing_address
         FROM orders`,
    );
    expect(orders.rows).toEqual([
      {
        number: "K7M-4PQ2X",
        customer_id: "33333333-3333-4333-8333-333333333333",
        status: "CONFIRMED",
        total_minor: "2500",
        guest_email: null,
        attached_at: null,
        client_key: null,
        billing_address: null,
      },
    ]);

    // A guest cart has a token and no customer; a cart with neither (or both) is refused.
    await client.query(
      `INSERT INTO carts (id, token_hash, expires_at, updated_at) VALUES (gen_random_uuid(), 'abc', now(), now())`,
    );
    await expect(client.query(`INSERT INTO carts (id, updated_at) VALUES (gen_random_uuid(), now())`)).rejects.toThrow(
      /carts_owner_check/,
    );
  });
});
