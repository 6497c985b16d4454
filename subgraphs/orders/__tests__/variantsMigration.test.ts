import { viewVariants } from "../domain/catalogView";
import { createOrdersDatabase } from "../store/database";
import { databaseAtMigration, withSql } from "../../../test/support/migrationHistory";
import { newTestId } from "../../../test/support/testNames";

/** Cart and order lines name their variant (the product's id) and the read model is kept per variant, every row kept. */
describe("the orders migration to variants, against a database filled by the previous schema", () => {
  const testId = newTestId();
  let database: Awaited<ReturnType<typeof databaseAtMigration>> | undefined;

  afterAll(() => database?.drop());

  const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
  const order = (n: number) => `10000000-0000-4000-8000-${String(n).padStart(12, "0")}`;

  it("gives cart and order lines their variant, and keeps the read model per variant", async () => {
    database = await databaseAtMigration("orders", testId, "20261123185228_order_item_names");
    const url = database.url;
    const customer = id(50);
    await withSql(url, async (sql) => {
      await sql.query(`INSERT INTO carts (id, customer_id, updated_at) VALUES ($1, $2, now())`, [id(60), customer]);
      await sql.query(`INSERT INTO cart_items (cart_id, product_id, quantity) VALUES ($1, $2, 2), ($1, $3, 1)`, [
        id(60),
        id(1),
        id(2),
      ]);
      await sql.query(
        `INSERT INTO catalog_products (product_id, sku, name, price_minor, currency, archived, facts_at, available, availability_version)
         VALUES ($1, 'HP-1', 'Studio Headphones', 19900, 'USD', false, '2026-11-02T10:00:00Z', 7, 12),
                ($2, 'OLD-1', 'Old Radio', 1999, 'USD', true, '2026-10-05T10:00:00Z', NULL, -1)`,
        [id(1), id(2)],
      );
      await sql.query(
        `INSERT INTO orders (id, number, customer_id, status, subtotal_minor, total_minor, shipping_address, updated_at)
         VALUES ($1, 'K7M-4PQ2X', $2, 'CONFIRMED', 39800, 39800, '{"line1":"1 Main St","city":"X","postalCode":"1","country":"US"}', now())`,
        [order(1), customer],
      );
      await sql.query(
        `INSERT INTO order_items (id, order_id, position, product_id, product_name, quantity, unit_price_minor)
         VALUES ($1, $2, 0, $3, 'Studio Headphones', 2, 19900), ($4, $2, 1, $5, 'Gone Product', 1, 500)`,
        [id(70), order(1), id(1), id(71), id(3)],
      );
    });

    await database.migrateRest();

    const db = createOrdersDatabase(url);
    try {
      const lines = await db.cartItem.findMany({ orderBy: { productId: "asc" } });
      expect(lines).toEqual([
        expect.objectContaining({ cartId: id(60), productId: id(1), variantId: id(1), quantity: 2 }),
        expect.objectContaining({ cartId: id(60), productId: id(2), variantId: id(2), quantity: 1 }),
      ]);
      expect(new Set(lines.map((line) => line.id)).size).toBe(2);
      expect(await db.orderItem.findMany({ orderBy: { position: "asc" } })).toEqual([
        expect.objectContaining({
          id: id(70),
          productId: id(1),
          variantId: id(1),
          productName: "Studio Headphones",
          variantTitle: "Default Title",
          sku: "HP-1",
          selectedOptions: [],
          quantity: 2,
          unitPriceMinor: 19900n,
        }),
        // A product the read model never knew keeps its line, with no SKU to copy.
        expect.objectContaining({
          id: id(71),
          productId: id(3),
          variantId: id(3),
          productName: "Gone Product",
          sku: "",
          unitPriceMinor: 500n,
        }),
      ]);
      // The read model answers per variant as before, with its versions: no lookup is needed.
      const noLookups = { loadMany: () => Promise.reject(new Error("asked the owner")) } as never;
      const views = await viewVariants(
        { db, unitOfWork: null as never, lookups: { products: noLookups, variants: noLookups, stock: noLookups } },
        [id(1)],
      );
      expect(views.get(id(1))).toMatchObject({
        productId: id(1),
        sku: "HP-1",
        priceMinor: 19900n,
        forSale: true,
        available: 7,
      });
      expect(await db.catalogVariant.findUniqueOrThrow({ where: { variantId: id(2) } })).toMatchObject({
        productStatus: "ARCHIVED",
        factsAt: new Date("2026-10-05T10:00:00Z"),
        availabilityVersion: -1n,
      });
    } finally {
      await db.$disconnect();
    }
  });
});
