import { MigrationHistory } from "../../test/support/migrationHistory";
import { newTestId } from "../../test/support/testNames";

/**
 * The unpaid orders' partial indexes: every order is kept as it was, and the look-ups the indexes
 * are for (a customer's, a client key's and a guest email's unpaid orders, the overdue ones by
 * deadline) use them, and find the unpaid orders only.
 */
describe("orders' unpaid indexes migration", () => {
  let history: MigrationHistory;

  beforeAll(async () => {
    history = await MigrationHistory.open("orders", newTestId());
  });

  afterAll(() => history?.close());

  it("keeps every order, and the unpaid look-ups use the partial indexes", async () => {
    const { client } = history;
    await history.applyUntil("orders_unpaid_indexes");
    // A customer's three orders (one unpaid), a guest's two (one unpaid, with its client key).
    await client.query(`
      INSERT INTO orders (id, number, customer_id, guest_email, client_key, status, currency, subtotal_minor,
                          total_minor, shipping_address, payment_token, payment_deadline, updated_at)
      VALUES
        ('11111111-1111-4111-8111-111111111111', 'A-1', '33333333-3333-4333-8333-333333333333', NULL, NULL,
         'CONFIRMED', 'USD', 2500, 2500, '{}', 'tok', now() - interval '1 hour', now()),
        ('11111111-1111-4111-8111-111111111112', 'A-2', '33333333-3333-4333-8333-333333333333', NULL, NULL,
         'AWAITING_PAYMENT', 'USD', 1200, 1200, '{}', 'tok', now() - interval '1 minute', now()),
        ('11111111-1111-4111-8111-111111111113', 'A-3', '33333333-3333-4333-8333-333333333333', NULL, NULL,
         'CANCELLED', 'USD', 900, 900, '{}', 'tok', now() - interval '2 hours', now()),
        ('11111111-1111-4111-8111-111111111114', 'G-1', '44444444-4444-4444-8444-444444444444', 'guest@example.com',
         'client-key', 'PENDING', 'USD', 700, 700, '{}', 'tok', now() + interval '1 hour', now()),
        ('11111111-1111-4111-8111-111111111115', 'G-2', '44444444-4444-4444-8444-444444444444', 'guest@example.com',
         'client-key', 'SHIPPED', 'USD', 800, 800, '{}', 'tok', now() - interval '3 hours', now());`);
    const before = await client.query(`SELECT * FROM orders ORDER BY id`);

    await history.apply("orders_unpaid_indexes");

    expect((await client.query(`SELECT * FROM orders ORDER BY id`)).rows).toEqual(before.rows);
    const { rows: indexes } = await client.query<{ indexname: string }>(
      `SELECT indexname FROM pg_indexes WHERE tablename = 'orders' ORDER BY indexname`,
    );
    expect(indexes.map((index) => index.indexname)).toEqual(
      expect.arrayContaining([
        "orders_unpaid_customer_id",
        "orders_unpaid_payment_deadline",
        "orders_unpaid_client_key",
        "orders_guest_email",
      ]),
    );
    expect(indexes.map((index) => index.indexname)).not.toEqual(
      expect.arrayContaining(["orders_status_payment_deadline_idx"]),
    );

    // The look-ups as the store writes them, planned without their values (as our named
    // statements end up), with sequential scans off: each must be able to use its index.
    await client.query(`SET enable_seqscan = off; SET plan_cache_mode = force_generic_plan`);
    const lookUps: Array<[string, string, unknown[], string[]]> = [
      [
        "SELECT o.id::text FROM orders o WHERE o.customer_id = $1::uuid AND o.status IN ('PENDING', 'AWAITING_PAYMENT') AND o.exchange_for_return_id IS NULL",
        "orders_unpaid_customer_id",
        ["33333333-3333-4333-8333-333333333333"],
        ["11111111-1111-4111-8111-111111111112"],
      ],
      [
        "SELECT o.id::text FROM orders o WHERE o.client_key = $1 AND o.status IN ('PENDING', 'AWAITING_PAYMENT') AND o.exchange_for_return_id IS NULL",
        "orders_unpaid_client_key",
        ["client-key"],
        ["11111111-1111-4111-8111-111111111114"],
      ],
      [
        "SELECT o.id::text FROM orders o WHERE o.guest_email = $1 AND o.status IN ('PENDING', 'AWAITING_PAYMENT') AND o.exchange_for_return_id IS NULL",
        "orders_guest_email",
        ["guest@example.com"],
        ["11111111-1111-4111-8111-111111111114"],
      ],
      [
        "SELECT id::text FROM orders WHERE status IN ('PENDING', 'AWAITING_PAYMENT') AND payment_deadline < now() ORDER BY payment_deadline LIMIT $1",
        "orders_unpaid_payment_deadline",
        [10],
        ["11111111-1111-4111-8111-111111111112"],
      ],
    ];
    for (const [text, index, values, found] of lookUps) {
      await client.query(`PREPARE look_up AS ${text}`);
      const list = values.map((value) => (typeof value === "number" ? String(value) : `'${String(value)}'`)).join(", ");
      const plan = await client.query<{ "QUERY PLAN": string }>(`EXPLAIN EXECUTE look_up(${list})`);
      expect(plan.rows.map((row) => row["QUERY PLAN"]).join("\n")).toContain(index);
      const { rows } = await client.query<{ id: string }>(`EXECUTE look_up(${list})`);
      expect(rows.map((row) => row.id)).toEqual(found);
      await client.query(`DEALLOCATE look_up`);
    }
  });
});
