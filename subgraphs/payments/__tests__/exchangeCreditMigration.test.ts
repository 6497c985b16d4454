import { databaseAtMigration, withSql } from "../../../test/support/migrationHistory";
import { columnsOf, everyRow, tablesOf } from "../../../test/support/everyRow";
import { newTestId } from "../../../test/support/testNames";

/**
 * The payments migration to exchange credit, against a database filled by the schema before it:
 * every row kept column for column; every refund made before it went back through the provider,
 * and no payment paid or was paid by exchange credit, so what is refundable stays what it was.
 */
describe("the payments exchange-credit migration, against a database filled by the previous schema", () => {
  const testId = newTestId();
  let database: Awaited<ReturnType<typeof databaseAtMigration>> | undefined;

  afterAll(() => database?.drop());

  const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;

  it("keeps every row; old refunds are provider refunds and old payments hold no credit", async () => {
    database = await databaseAtMigration("payments", testId, "20261201024015_refund_ledger");
    const url = database.url;
    const before = await withSql(url, async (sql) => {
      await sql.query(
        `INSERT INTO payments (id, order_id, customer_id, status, amount_minor, refunded_minor, currency, capture_reference, updated_at)
         VALUES ($1, $2, $3, 'PARTIALLY_REFUNDED', 6000, 2400, 'USD', 'ch_0123456789abcdef', now())`,
        [id(1), id(11), id(50)],
      );
      await sql.query(`INSERT INTO payment_lines (payment_id, line_id, paid_minor) VALUES ($1, $2, 6000)`, [
        id(1),
        id(70),
      ]);
      await sql.query(
        `INSERT INTO refunds (id, payment_id, amount_minor, idempotency_key, request_hash, reason, status, updated_at)
         VALUES ($1, $2, 2400, $3, 'h', 'return', 'SUCCEEDED', now())`,
        [id(21), id(1), `return:${id(80)}`],
      );
      await sql.query(`INSERT INTO refund_lines (refund_id, line_id, amount_minor) VALUES ($1, $2, 2400)`, [
        id(21),
        id(70),
      ]);
      const tables = await tablesOf(sql);
      const columns = await columnsOf(sql, tables);
      return { tables, columns, rows: await everyRow(sql, columns) };
    });
    for (const table of ["payments", "payment_lines", "refunds", "refund_lines"])
      expect(before.rows[table]!.length).toBeGreaterThan(0);

    await database.migrateRest();

    await withSql(url, async (sql) => {
      expect(await everyRow(sql, before.columns)).toEqual(before.rows);
      expect((await tablesOf(sql)).filter((table) => !before.tables.includes(table))).toEqual([]);
      const { rows: payments } = await sql.query(
        `SELECT exchange_credit_minor::text AS credit, funded_by_payment_id AS "fundedBy" FROM payments`,
      );
      expect(payments).toEqual([{ credit: "0", fundedBy: null }]);
      const { rows: refunds } = await sql.query(`SELECT kind::text AS kind FROM refunds`);
      expect(refunds).toEqual([{ kind: "PROVIDER" }]);
    });
  }, 300_000);
});
