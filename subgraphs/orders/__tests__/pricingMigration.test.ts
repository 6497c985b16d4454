import { createOrdersDatabase } from "../store/database";
import { databaseAtMigration, withSql } from "../../../test/support/migrationHistory";
import { newTestId } from "../../../test/support/testNames";

/** Orders placed before pricing keep every row: no shipping, discount or tax, the total as it was. */
describe("the orders migration to priced checkouts, against a database filled by the previous schema", () => {
  const testId = newTestId();
  let database: Awaited<ReturnType<typeof databaseAtMigration>> | undefined;

  afterAll(() => database?.drop());

  const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;

  it("keeps orders, their lines and the catalog read model, priced as they were", async () => {
    database = await databaseAtMigration("orders", testId, "20261201021616_guest_carts");
    const url = database.url;
    await withSql(url, async (sql) => {
      await sql.query(
        `INSERT INTO orders (id, number, customer_id, status, subtotal_minor, total_minor, shipping_address, updated_at)
         VALUES ($1, 'K7M-4PQ2X', $2, 'CONFIRMED', 39800, 39800, '{"line1":"1 Main St","city":"X","postalCode":"1","country":"US"}', now())`,
        [id(1), id(50)],
      );
      // A guest's order and a guest cart with a line, as the guest-carts schema keeps them.
      await sql.query(
        `INSERT INTO orders (id, number, customer_id, guest_email, status, subtotal_minor, total_minor, shipping_address, updated_at)
         VALUES ($1, 'K7M-4PQ3Y', $2, 'guest@example.com', 'PENDING', 19900, 19900, '{"line1":"1 Main St","city":"X","postalCode":"1","country":"US"}', now())`,
        [id(2), id(60)],
      );
      await sql.query(
        `INSERT INTO carts (id, token_hash, email, expires_at, updated_at) VALUES ($1, 'hash-1', 'guest@example.com', now() + interval '30 days', now())`,
        [id(60)],
      );
      await sql.query(`INSERT INTO cart_items (cart_id, variant_id, product_id, quantity) VALUES ($1, $2, $2, 1)`, [
        id(60),
        id(3),
      ]);
      await sql.query(
        `INSERT INTO order_items (id, order_id, position, product_id, variant_id, product_name, quantity, unit_price_minor)
         VALUES ($1, $2, 0, $3, $3, 'Studio Headphones', 2, 19900)`,
        [id(70), id(1), id(3)],
      );
      await sql.query(
        `INSERT INTO catalog_variants (variant_id, product_id, sku, product_name, title, price_minor, currency)
         VALUES ($1, $1, 'HP-1', 'Studio Headphones', 'Default Title', 19900, 'USD')`,
        [id(3)],
      );
    });

    await database.migrateRest();

    const db = createOrdersDatabase(url);
    try {
      expect(await db.order.findUniqueOrThrow({ where: { id: id(1) } })).toMatchObject({
        subtotalMinor: 39800n,
        totalMinor: 39800n,
        shippingMinor: 0n,
        discountMinor: 0n,
        taxMinor: 0n,
        pricesIncludeTax: false,
        shippingMethodId: null,
      });
      expect(await db.order.findUniqueOrThrow({ where: { id: id(2) } })).toMatchObject({
        guestEmail: "guest@example.com",
        totalMinor: 19900n,
        discountMinor: 0n,
        taxMinor: 0n,
      });
      expect(await db.orderItem.count()).toBe(1);
      expect(await db.cartItem.count({ where: { cartId: id(60) } })).toBe(1);
      // A guest cart's checkout choices go with it.
      await db.cartCheckoutChoice.create({ data: { cartId: id(60), discountCodes: ["WELCOME"] } });
      await db.cart.delete({ where: { id: id(60) } });
      expect(await db.cartCheckoutChoice.count()).toBe(0);
      expect(await db.orderDiscount.count()).toBe(0);
      expect(await db.catalogVariant.findUniqueOrThrow({ where: { variantId: id(3) } })).toMatchObject({
        priceMinor: 19900n,
        taxCategory: "STANDARD",
        categoryId: null,
        weightGrams: 0,
      });
    } finally {
      await db.$disconnect();
    }
  });
});
