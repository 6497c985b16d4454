import { databaseAtMigration, withSql } from "../../../test/support/migrationHistory";
import { columnsOf, everyRow, tablesOf } from "../../../test/support/everyRow";
import { newTestId } from "../../../test/support/testNames";

/**
 * The issue-18 payments migration (the per-line refund ledger and refund idempotency keys),
 * against a database filled by the schema before it: every row is kept, every payment becomes
 * one ledger line of its whole amount and every refund takes from it, so what is refundable
 * stays what it was.
 */
describe("the payments refund-ledger migration, against a database filled by the previous schema", () => {
  const testId = newTestId();
  let database: Awaited<ReturnType<typeof databaseAtMigration>> | undefined;

  afterAll(() => database?.drop());

  const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;

  it("keeps every row, and puts each payment and refund made before it in the ledger", async () => {
    database = await databaseAtMigration("payments", testId, "20261201020941_audit_log");
    const url = database.url;
    const before = await withSql(url, async (sql) => {
      await sql.query(
        `INSERT INTO payments (id, order_id, customer_id, status, amount_minor, refunded_minor, currency, updated_at)
         VALUES ($1, $4, $7, 'PARTIALLY_REFUNDED', 5000, 1500, 'USD', now()),
                ($2, $5, $7, 'REFUNDED', 1999, 1999, 'EUR', now()),
                ($3, $6, $7, 'SUCCEEDED', 700, 0, 'USD', now())`,
        [id(1), id(2), id(3), id(11), id(12), id(13), id(50)],
      );
      await sql.query(
        `INSERT INTO refunds (id, payment_id, amount_minor, reason, status, updated_at)
         VALUES ($1, $4, 1000, 'scratched', 'SUCCEEDED', now()), ($2, $4, 500, NULL, 'SUCCEEDED', now()),
                ($3, $5, 1999, 'cancelled', 'SUCCEEDED', now())`,
        [id(21), id(22), id(23), id(1), id(2)],
      );
      await sql.query(
        `INSERT INTO outbox_event (id, type, envelope, occurred_at) VALUES ($1, 'payments.payment.refunded', '{"id":"x"}', now())`,
        [id(30)],
      );
      await sql.query(`INSERT INTO processed_event (consumer, event_id) VALUES ('payments.x', $1)`, [id(31)]);
      const tables = await tablesOf(sql);
      expect(tables).not.toContain("payment_lines");
      const columns = await columnsOf(sql, tables);
      return { tables, columns, rows: await everyRow(sql, columns) };
    });
    for (const table of ["payments", "refunds", "outbox_event", "processed_event"])
      expect(before.rows[table]!.length).toBeGreaterThan(0);

    await database.migrateRest();

    await withSql(url, async (sql) => {
      expect(await everyRow(sql, before.columns)).toEqual(before.rows);
      expect((await tablesOf(sql)).filter((table) => !before.tables.includes(table)).sort()).toEqual([
        "payment_lines",
        "refund_lines",
      ]);
      const { rows: paid } = await sql.query(
        `SELECT payment_id::text AS "paymentId", line_id AS "lineId", paid_minor::text AS paid
           FROM payment_lines ORDER BY payment_id`,
      );
      expect(paid).toEqual([
        { paymentId: id(1), lineId: "order", paid: "5000" },
        { paymentId: id(2), lineId: "order", paid: "1999" },
        { paymentId: id(3), lineId: "order", paid: "700" },
      ]);
      const { rows: refunded } = await sql.query(
        `SELECT refund_id::text AS "refundId", line_id AS "lineId", amount_minor::text AS amount
           FROM refund_lines ORDER BY refund_id`,
      );
      expect(refunded).toEqual([
        { refundId: id(21), lineId: "order", amount: "1000" },
        { refundId: id(22), lineId: "order", amount: "500" },
        { refundId: id(23), lineId: "order", amount: "1999" },
      ]);
      // What each payment has left to refund is what it had: paid minus refunded, by the ledger.
      const { rows: left } = await sql.query(
        `SELECT p.id::text AS "paymentId",
                (pl.paid_minor - coalesce((SELECT sum(rl.amount_minor) FROM refunds r JOIN refund_lines rl ON rl.refund_id = r.id
                                            WHERE r.payment_id = p.id), 0))::text AS "left",
                (p.amount_minor - p.refunded_minor)::text AS "before"
           FROM payments p JOIN payment_lines pl ON pl.payment_id = p.id ORDER BY p.id`,
      );
      for (const row of left) expect(row.left).toBe(row.before);
      const { rows: keys } = await sql.query(`SELECT count(*)::int AS n FROM refunds WHERE idempotency_key IS NULL`);
      expect(keys[0].n).toBe(3);
      // Old refunds have no key, and keys are unique per payment from now on.
      await sql.query(`UPDATE refunds SET idempotency_key = 'k' WHERE id = $1`, [id(21)]);
      await expect(sql.query(`UPDATE refunds SET idempotency_key = 'k' WHERE id = $1`, [id(22)])).rejects.toThrow(
        /refunds_payment_id_idempotency_key_key/,
      );
    });
  }, 300_000);
});
