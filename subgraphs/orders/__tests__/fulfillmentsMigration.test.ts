import { databaseAtMigration, withSql } from "../../../test/support/migrationHistory";
import { columnsOf, everyRow, tablesOf } from "../../../test/support/everyRow";
import { newTestId } from "../../../test/support/testNames";

/**
 * The issue-18 orders migrations (fulfillments and returns, then the read model of stock
 * locations), against a database filled by the schema before them: every row of every table is
 * kept, and an order shipped before fulfillments existed reads as one parcel of every unit.
 */
describe("the orders fulfillments/returns migrations, against a database filled by the previous schema", () => {
  const testId = newTestId();
  let database: Awaited<ReturnType<typeof databaseAtMigration>> | undefined;

  afterAll(() => database?.drop());

  const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
  const address = '{"line1":"1 Main St","city":"X","postalCode":"1","country":"US"}';

  it("keeps every row, and gives each order shipped before it one fulfillment of every unit", async () => {
    database = await databaseAtMigration("orders", testId, "20261201020928_audit_log_search");
    const url = database.url;
    const customer = id(50);
    const before = await withSql(url, async (sql) => {
      await sql.query(
        `INSERT INTO orders (id, number, customer_id, status, subtotal_minor, total_minor, shipping_address, updated_at,
                             carrier, tracking_number, shipped_at, delivered_at)
         VALUES ($1, 'AAA-00001', $4, 'CONFIRMED', 1000, 1000, $5, now(), NULL, NULL, NULL, NULL),
                ($2, 'AAA-00002', $4, 'SHIPPED', 3000, 3000, $5, now(), 'UPS', '1Z1', '2026-11-20T10:00:00Z', NULL),
                ($3, 'AAA-00003', $4, 'DELIVERED', 500, 500, $5, now(), 'DHL', 'JD2', '2026-11-18T10:00:00Z', '2026-11-19T09:00:00Z')`,
        [id(1), id(2), id(3), customer, address],
      );
      await sql.query(
        `INSERT INTO order_items (id, order_id, position, product_id, variant_id, product_name, quantity, unit_price_minor)
         VALUES ($1, $4, 0, $7, $7, 'Lamp', 1, 1000),
                ($2, $5, 0, $7, $7, 'Lamp', 2, 1000), ($3, $5, 1, $8, $8, 'Bulb', 1, 1000),
                ($6, $9, 0, $8, $8, 'Bulb', 1, 500)`,
        [id(11), id(12), id(13), id(1), id(2), id(14), id(20), id(21), id(3)],
      );
      await sql.query(`INSERT INTO order_customers (customer_id, email) VALUES ($1, 'ada@example.com')`, [customer]);
      await sql.query(
        `INSERT INTO outbox_event (id, type, envelope, occurred_at) VALUES ($1, 'orders.order.placed', '{"id":"x"}', now())`,
        [id(30)],
      );
      await sql.query(`INSERT INTO processed_event (consumer, event_id) VALUES ('orders.x', $1)`, [id(31)]);
      const tables = await tablesOf(sql);
      expect(tables).not.toContain("fulfillments");
      const columns = await columnsOf(sql, tables);
      return { tables, columns, rows: await everyRow(sql, columns) };
    });
    for (const table of ["orders", "order_items", "order_customers", "outbox_event", "processed_event"])
      expect(before.rows[table]!.length).toBeGreaterThan(0);

    await database.migrateRest();

    await withSql(url, async (sql) => {
      expect(await everyRow(sql, before.columns)).toEqual(before.rows);
      const added = (await tablesOf(sql)).filter((table) => !before.tables.includes(table));
      expect(added).toEqual(
        expect.arrayContaining([
          "carriers",
          "fulfillments",
          "fulfillment_lines",
          "carrier_events",
          "order_returns",
          "return_lines",
          "stock_locations",
        ]),
      );
      const { rows: parcels } = await sql.query(
        `SELECT order_id::text AS "orderId", location_id AS "locationId", carrier_name AS carrier,
                tracking_number AS "trackingNumber", status::text AS status, shipped_at AS "shippedAt",
                delivered_at AS "deliveredAt"
           FROM fulfillments ORDER BY order_id`,
      );
      expect(parcels).toEqual([
        {
          orderId: id(2),
          locationId: null,
          carrier: "UPS",
          trackingNumber: "1Z1",
          status: "SHIPPED",
          shippedAt: new Date("2026-11-20T10:00:00Z"),
          deliveredAt: null,
        },
        {
          orderId: id(3),
          locationId: null,
          carrier: "DHL",
          trackingNumber: "JD2",
          status: "DELIVERED",
          shippedAt: new Date("2026-11-18T10:00:00Z"),
          deliveredAt: new Date("2026-11-19T09:00:00Z"),
        },
      ]);
      const { rows: lines } = await sql.query(
        `SELECT f.order_id::text AS "orderId", l.order_item_id::text AS "itemId", l.quantity
           FROM fulfillment_lines l JOIN fulfillments f ON f.id = l.fulfillment_id ORDER BY l.order_item_id`,
      );
      // Every unit of every shipped order; nothing of the order that had not shipped.
      expect(lines).toEqual([
        { orderId: id(2), itemId: id(12), quantity: 2 },
        { orderId: id(2), itemId: id(13), quantity: 1 },
        { orderId: id(3), itemId: id(14), quantity: 1 },
      ]);
      expect((await sql.query(`SELECT count(*)::int AS n FROM order_returns`)).rows[0].n).toBe(0);
      // The new status is usable by the rows kept.
      await sql.query(`UPDATE orders SET status = 'PARTIALLY_SHIPPED' WHERE id = $1`, [id(1)]);
    });
  }, 300_000);
});
