import type { Client } from "pg";
import { databaseAtMigration, withSql } from "../../../test/support/migrationHistory";
import { newTestId } from "../../../test/support/testNames";

/** Every row of every table, as JSON, in a stable order: what a migration must keep. */
async function everyRow(sql: Client, tables: readonly string[]): Promise<Record<string, string[]>> {
  const rows: Record<string, string[]> = {};
  for (const table of tables) {
    // Later migrations add columns with defaults (products.tax_category); the rows are otherwise as they were.
    const { rows: found } = await sql.query<{ row: string }>(
      `SELECT (to_jsonb(t) - 'tax_category')::text AS row FROM "${table}" t`,
    );
    rows[table] = found.map((each) => each.row).sort();
  }
  return rows;
}

async function tablesOf(sql: Client): Promise<string[]> {
  const { rows } = await sql.query<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables
      WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> '_prisma_migrations'
      ORDER BY table_name`,
  );
  return rows.map((row) => row.name);
}

/**
 * The products migration that adds the audit log (and the SKU search index) only adds: every row
 * of every table the catalog had before is there after it, unchanged, and the new log starts
 * empty and append-only.
 */
describe("the products audit-log migration, against a database filled by the previous schema", () => {
  const testId = newTestId();
  let database: Awaited<ReturnType<typeof databaseAtMigration>> | undefined;

  afterAll(() => database?.drop());

  const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;

  it("keeps every existing row as it was and starts an empty, append-only audit log", async () => {
    database = await databaseAtMigration("products", testId, "20261130174820_catalog_variants");
    const url = database.url;
    const before = await withSql(url, async (sql) => {
      await sql.query(
        `INSERT INTO categories (id, name, slug, parent_id) VALUES ($1, 'Audio', 'audio', NULL), ($2, 'Headphones', 'headphones', $1)`,
        [id(90), id(91)],
      );
      await sql.query(
        `INSERT INTO products (id, name, slug, description, price_minor, max_price_minor, currency, category_id, status, created_at, updated_at, rating_count, rating_sum, rating_average)
         VALUES ($1, 'Studio Headphones', 'studio-headphones', 'Closed-back.', 19900, 21900, 'USD', $3, 'ACTIVE', '2026-11-01T10:00:00Z', '2026-11-02T10:00:00Z', 1, 4, 4),
                ($2, 'Old Radio', 'old-radio', '', 1999, 1999, 'EUR', NULL, 'ARCHIVED', '2026-10-01T10:00:00Z', '2026-10-05T10:00:00Z', 0, 0, NULL)`,
        [id(1), id(2), id(91)],
      );
      await sql.query(
        `INSERT INTO product_options (id, product_id, position, name, values) VALUES ($1, $2, 0, 'Color', ARRAY['Black', 'White'])`,
        [id(10), id(1)],
      );
      await sql.query(
        `INSERT INTO product_variants (id, product_id, position, sku, title, selected_options, options_key, price_minor, compare_at_price_minor, archived, updated_at)
         VALUES ($1, $3, 0, 'HP-1-BLK', 'Black', '[{"name":"Color","value":"Black"}]', 'Color=Black', 19900, 24900, false, '2026-11-02T10:00:00Z'),
                ($2, $3, 1, 'HP-1-WHT', 'White', '[{"name":"Color","value":"White"}]', 'Color=White', 21900, NULL, false, '2026-11-02T10:00:00Z'),
                ($4, $5, 0, 'OLD-1', 'Default Title', '[]', '', 1999, NULL, true, '2026-10-05T10:00:00Z')`,
        [id(1), id(3), id(1), id(2), id(2)],
      );
      await sql.query(
        `INSERT INTO product_attributes (id, product_id, variant_id, position, name, value)
         VALUES ($1, $2, NULL, 0, 'Brand', 'Acme'), ($3, $2, $4, 1, 'Finish', 'Matte')`,
        [id(20), id(1), id(21), id(3)],
      );
      await sql.query(
        `INSERT INTO product_images (id, product_id, position, url, alt) VALUES ($1, $2, 0, 'https://img.example/hp.jpg', 'Headphones')`,
        [id(30), id(1)],
      );
      await sql.query(
        `INSERT INTO variant_images (id, variant_id, position, url) VALUES ($1, $2, 0, 'https://img.example/w.jpg')`,
        [id(31), id(3)],
      );
      await sql.query(`INSERT INTO reviews (id, product_id, author_id, rating, title) VALUES ($1, $2, $3, 4, 'Good')`, [
        id(40),
        id(1),
        id(41),
      ]);
      await sql.query(
        `INSERT INTO variant_availability (variant_id, product_id, available, version) VALUES ($1, $2, 7, 12), ($3, $2, 0, 3)`,
        [id(1), id(1), id(3)],
      );
      await sql.query(
        `INSERT INTO outbox_event (id, type, envelope, occurred_at) VALUES ($1, 'catalog.product.updated', '{"id":"x"}', '2026-11-02T10:00:00Z')`,
        [id(50)],
      );
      await sql.query(`INSERT INTO processed_event (consumer, event_id) VALUES ('products.availability', $1)`, [
        id(51),
      ]);
      const tables = await tablesOf(sql);
      expect(tables).not.toContain("audit_entry");
      return { tables, rows: await everyRow(sql, tables) };
    });
    // Every table the test can fill is filled, so "kept" is never trivially true of an empty one.
    const empty = Object.entries(before.rows).filter(([, rows]) => rows.length === 0);
    expect(empty.map(([table]) => table)).toEqual([]);

    await database.migrateRest();

    await withSql(url, async (sql) => {
      expect(await everyRow(sql, before.tables)).toEqual(before.rows);
      expect(await tablesOf(sql)).toEqual([...before.tables, "audit_entry"].sort());
      const { rows: entries } = await sql.query("SELECT * FROM audit_entry");
      expect(entries).toEqual([]);
      // The variants kept are found by part of their SKU through the new trigram index's operator.
      const { rows: bySku } = await sql.query<{ sku: string }>(
        `SELECT sku FROM product_variants WHERE sku ILIKE '%1-wh%' ORDER BY sku`,
      );
      expect(bySku).toEqual([{ sku: "HP-1-WHT" }]);
      // The new log takes entries and refuses to change them.
      await sql.query(
        `INSERT INTO audit_entry (id, service, actor_kind, actor_id, entity_type, entity_id, action, before, after, occurred_at)
         VALUES ($1, 'products', 'SYSTEM', NULL, 'PRODUCT', $2, 'product.updated', NULL, '{}', now())`,
        [id(60), id(1)],
      );
      await expect(sql.query(`UPDATE audit_entry SET action = 'forged'`)).rejects.toThrow(/never changed or removed/);
      await expect(sql.query(`DELETE FROM audit_entry`)).rejects.toThrow(/never changed or removed/);
    });
  }, 300_000);
});
