import { createOrdersDatabase } from "../store/database";
import { databaseAtMigration, withSql } from "../../../test/support/migrationHistory";
import { columnsOf, everyRow, tablesOf } from "../../../test/support/everyRow";
import { newTestId } from "../../../test/support/testNames";

/**
 * The orders migration that adds order edits, against a database filled by the schema before it:
 * every row of every table is kept, orders have no edits, and an edit can be written (and goes
 * with its order).
 */
describe("the orders migration to order edits, against a database filled by the previous schema", () => {
  const testId = newTestId();
  let database: Awaited<ReturnType<typeof databaseAtMigration>> | undefined;

  afterAll(() => database?.drop());

  const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
  const address = '{"line1":"1 Main St","city":"X","postalCode":"1","country":"GB"}';

  it("keeps every row and starts every order without edits", async () => {
    database = await databaseAtMigration("orders", testId, "20261201062654_stock_locations_read_model");
    const url = database.url;
    const before = await withSql(url, async (sql) => {
      await sql.query(
        `INSERT INTO orders (id, number, customer_id, status, subtotal_minor, total_minor, shipping_address, updated_at,
                             shipping_minor, discount_minor, tax_minor, shipping_method_id, shipping_method_name)
         VALUES ($1, 'EDT-00001', $2, 'CONFIRMED', 7000, 7199, $3, now(), 499, 1000, 700, $4, 'Standard')`,
        [id(1), id(50), address, id(60)],
      );
      await sql.query(
        `INSERT INTO order_items (id, order_id, position, product_id, variant_id, product_name, quantity, unit_price_minor)
         VALUES ($1, $3, 0, $4, $4, 'Lamp', 1, 4000), ($2, $3, 1, $5, $5, 'Bulb', 1, 3000)`,
        [id(11), id(12), id(1), id(20), id(21)],
      );
      await sql.query(
        `INSERT INTO discounts (id, title, code, kind, amount_minor, currency) VALUES ($1, 'Save 10', 'SAVE10', 'FIXED_AMOUNT', 1000, 'GBP')`,
        [id(30)],
      );
      await sql.query(
        `INSERT INTO order_discounts (id, order_id, discount_id, code, title, amount_minor, lines, use_status, position)
         VALUES ($1, $2, $3, 'SAVE10', 'Save 10', 1000, '[{"position":0,"amountMinor":"571"},{"position":1,"amountMinor":"429"}]', 'USED', 0)`,
        [id(31), id(1), id(30)],
      );
      await sql.query(
        `INSERT INTO order_tax_lines (order_id, position, tax_category, rate_ppm, taxable_minor, amount_minor)
         VALUES ($1, 0, 'STANDARD', 200000, 3429, 686), ($1, 1, 'STANDARD', 200000, 2571, 514)`,
        [id(1)],
      );
      await sql.query(
        `INSERT INTO order_status_changes (order_id, status, reason) VALUES ($1, 'CONFIRMED', 'payment captured')`,
        [id(1)],
      );
      const tables = await tablesOf(sql);
      expect(tables).not.toContain("order_edits");
      const columns = await columnsOf(sql, tables);
      return { tables, columns, rows: await everyRow(sql, columns) };
    });
    for (const table of ["orders", "order_items", "order_discounts", "order_tax_lines", "discounts"])
      expect(before.rows[table]!.length).toBeGreaterThan(0);

    await database.migrateRest();

    await withSql(url, async (sql) => {
      expect(await everyRow(sql, before.columns)).toEqual(before.rows);
      expect((await tablesOf(sql)).filter((table) => !before.tables.includes(table))).toEqual(
        // Later migrations (exchanges) add tables of their own.
        expect.arrayContaining(["order_edits"]),
      );
    });
    const db = createOrdersDatabase(url);
    try {
      expect(await db.orderEdit.count()).toBe(0);
      const edit = {
        orderId: id(1),
        idempotencyKey: "edit-1",
        requestHash: "h",
        editorKind: "CUSTOMER",
        editorId: id(50),
        lines: [{ orderItemId: id(12), name: "Bulb", previousQuantity: 1, quantity: 0 }],
        previousTotalMinor: 7199n,
        totalMinor: 4199n,
        refundMinor: 3000n,
      };
      await db.orderEdit.create({ data: edit });
      // One edit per order and key.
      await expect(db.orderEdit.create({ data: edit })).rejects.toThrow();
      await db.order.delete({ where: { id: id(1) } });
      expect(await db.orderEdit.count()).toBe(0);
    } finally {
      await db.$disconnect();
    }
  });
});
