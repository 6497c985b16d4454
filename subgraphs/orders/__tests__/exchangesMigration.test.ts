import { createOrdersDatabase } from "../store/database";
import { findReturnsOfOrders } from "../store/returnStore";
import { databaseAtMigration, withSql } from "../../../test/support/migrationHistory";
import { columnsOf, everyRow, tablesOf } from "../../../test/support/everyRow";
import { newTestId } from "../../../test/support/testNames";

/**
 * The orders migration to exchanges, against a database filled by the schema before it: every
 * row is kept column for column; orders are no exchange orders, and returns are plain returns
 * with nothing paid as credit.
 */
describe("the orders migration to exchanges, against a database filled by the previous schema", () => {
  const testId = newTestId();
  let database: Awaited<ReturnType<typeof databaseAtMigration>> | undefined;

  afterAll(() => database?.drop());

  const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;

  it("keeps orders and returns as they were, none of them an exchange", async () => {
    database = await databaseAtMigration("orders", testId, "20261201062654_stock_locations_read_model");
    const url = database.url;
    const before = await withSql(url, async (sql) => {
      await sql.query(
        `INSERT INTO orders (id, number, customer_id, status, subtotal_minor, total_minor, shipping_address, updated_at)
         VALUES ($1, 'K7M-4PQ2X', $2, 'DELIVERED', 6000, 6000, '{"line1":"1 Main St","city":"X","postalCode":"1","country":"US"}', now())`,
        [id(1), id(50)],
      );
      await sql.query(
        `INSERT INTO order_items (id, order_id, position, product_id, variant_id, product_name, quantity, unit_price_minor)
         VALUES ($1, $2, 0, $3, $3, 'Trail Shoe', 2, 3000)`,
        [id(70), id(1), id(3)],
      );
      await sql.query(
        `INSERT INTO order_returns (id, order_id, customer_id, status, reason, refund_minor, refunded_minor, updated_at)
         VALUES ($1, $2, $3, 'REFUNDED', 'too small', 3000, 3000, now()),
                ($4, $2, $3, 'REQUESTED', 'too big', NULL, 0, now())`,
        [id(80), id(1), id(50), id(81)],
      );
      await sql.query(`INSERT INTO return_lines (return_id, order_item_id, quantity) VALUES ($1, $3, 1), ($2, $3, 1)`, [
        id(80),
        id(81),
        id(70),
      ]);
      const tables = await tablesOf(sql);
      expect(tables).not.toContain("return_exchange_lines");
      const columns = await columnsOf(sql, tables);
      return { tables, columns, rows: await everyRow(sql, columns) };
    });
    for (const table of ["orders", "order_items", "order_returns", "return_lines"])
      expect(before.rows[table]!.length).toBeGreaterThan(0);

    await database.migrateRest();

    await withSql(url, async (sql) => {
      expect(await everyRow(sql, before.columns)).toEqual(before.rows);
      expect((await tablesOf(sql)).filter((table) => !before.tables.includes(table))).toEqual(
        // The order edits' migration, older than this one, is applied with it.
        ["order_edits", "return_exchange_lines"],
      );
    });
    const db = createOrdersDatabase(url);
    try {
      expect(await db.order.findUniqueOrThrow({ where: { id: id(1) } })).toMatchObject({
        exchangeForReturnId: null,
        originalOrderId: null,
      });
      const returns = await findReturnsOfOrders(db, [id(1)]);
      expect(
        returns.map((each) => [each.id, each.exchangeLines, each.exchangeOrderId, each.exchangeCreditMinor]),
      ).toEqual([
        [id(80), [], null, 0n],
        [id(81), [], null, 0n],
      ]);
      // One exchange order a return, and its replacements go with the return.
      await db.orderReturn.update({ where: { id: id(81) }, data: { exchangeOrderId: id(2) } });
      await expect(
        db.orderReturn.update({ where: { id: id(80) }, data: { exchangeOrderId: id(2) } }),
      ).rejects.toThrow();
      await db.returnExchangeLine.create({
        data: {
          returnId: id(81),
          position: 0,
          orderItemId: id(70),
          productId: id(3),
          variantId: id(4),
          quantity: 1,
          unitPriceMinor: 3000n,
        },
      });
      await db.orderReturn.delete({ where: { id: id(81) } });
      expect(await db.returnExchangeLine.count()).toBe(0);
    } finally {
      await db.$disconnect();
    }
  }, 300_000);
});
