import { databaseUrlFor } from "../../subgraphs/common/database/databaseUrl";
import { dropDatabase, ensureDatabase, migrateDatabase } from "../../subgraphs/common/database/provision";
import { createUnitOfWork } from "../../subgraphs/common/events/unitOfWork";
import type { ServiceName } from "../../subgraphs/common/serviceNames";
import { deductOrder, releaseOrder } from "../../subgraphs/inventory/domain/reservations";
import { createInventoryDatabase, type InventoryTx } from "../../subgraphs/inventory/store/database";
import { viewVariants } from "../../subgraphs/orders/domain/catalogView";
import { createOrdersDatabase } from "../../subgraphs/orders/store/database";
import { createProductsDatabase } from "../../subgraphs/products/store/database";
import { findProductsByIds } from "../../subgraphs/products/store/productStore";
import { findVariantsOfProducts } from "../../subgraphs/products/store/variantStore";
import { migrateUpTo, withSql } from "../../test/support/migrationHistory";
import { newTestId } from "../../test/support/testNames";

/**
 * Products, stock, carts and orders became variant-based. Each service's migration is applied
 * to a database filled by the schema before it, and must keep every row: products become
 * single-variant products (the variant has the product's id, SKU and price), stock moves to a
 * default location, and cart and order lines name the variant.
 */
describe("the migration to variants, against databases filled by the previous schema", () => {
  const testId = newTestId();
  const urls: string[] = [];

  async function databaseAt(service: ServiceName, lastMigration: string): Promise<string> {
    const url = databaseUrlFor(service, {
      POSTGRES_URL: process.env.POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432",
      DATABASE_PREFIX: `${testId}_`,
    });
    await ensureDatabase(url);
    urls.push(url);
    await migrateUpTo(service, url, lastMigration);
    return url;
  }

  afterAll(async () => {
    for (const url of urls) await dropDatabase(url);
  });

  const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
  const order = (n: number) => `10000000-0000-4000-8000-${String(n).padStart(12, "0")}`;

  it("products: every product becomes a product with one variant that keeps its id, SKU, price and availability", async () => {
    const url = await databaseAt("products", "20261123181407_search_planner_costs");
    await withSql(url, async (sql) => {
      await sql.query(`INSERT INTO categories (id, name, slug) VALUES ($1, 'Audio', 'audio')`, [id(90)]);
      await sql.query(
        `INSERT INTO products (id, sku, name, slug, description, price_minor, currency, category_id, archived, created_at, updated_at, rating_count, rating_sum, rating_average)
         VALUES ($1, 'HP-1', 'Studio Headphones', 'studio-headphones', 'Closed-back headphones.', 19900, 'USD', $3, false, '2026-11-01T10:00:00Z', '2026-11-02T10:00:00Z', 1, 4, 4),
                ($2, 'OLD-1', 'Old Radio', 'old-radio', '', 1999, 'EUR', NULL, true, '2026-10-01T10:00:00Z', '2026-10-05T10:00:00Z', 0, 0, NULL)`,
        [id(1), id(2), id(90)],
      );
      await sql.query(
        `INSERT INTO product_images (id, product_id, position, url, alt) VALUES ($1, $2, 0, 'https://img.example/hp.jpg', 'Headphones')`,
        [id(91), id(1)],
      );
      await sql.query(`INSERT INTO reviews (id, product_id, author_id, rating, title) VALUES ($1, $2, $3, 4, 'Good')`, [
        id(92),
        id(1),
        id(93),
      ]);
      await sql.query(`INSERT INTO product_availability (product_id, available, version) VALUES ($1, 7, 12)`, [id(1)]);
    });

    await migrateDatabase("products", url);

    const db = createProductsDatabase(url);
    try {
      const products = await findProductsByIds(db, [id(1), id(2)]);
      expect(
        products
          .map(
            ({
              id: productId,
              name,
              status,
              defaultVariantId,
              defaultSku,
              priceMinor,
              maxPriceMinor,
              currency,
              categoryId,
            }) => ({
              productId,
              name,
              status,
              defaultVariantId,
              defaultSku,
              priceMinor,
              maxPriceMinor,
              currency,
              categoryId,
            }),
          )
          .sort((a, b) => a.productId.localeCompare(b.productId)),
      ).toEqual([
        {
          productId: id(1),
          name: "Studio Headphones",
          status: "ACTIVE",
          defaultVariantId: id(1),
          defaultSku: "HP-1",
          priceMinor: 19900n,
          maxPriceMinor: 19900n,
          currency: "USD",
          categoryId: id(90),
        },
        {
          productId: id(2),
          name: "Old Radio",
          status: "ARCHIVED",
          defaultVariantId: id(2),
          defaultSku: "OLD-1",
          priceMinor: 1999n,
          maxPriceMinor: 1999n,
          currency: "EUR",
          categoryId: null,
        },
      ]);
      const variants = await findVariantsOfProducts(db, [id(1), id(2)]);
      expect(
        variants.map(({ id: variantId, productId, sku, title, selectedOptions, priceMinor, archived, position }) => ({
          variantId,
          productId,
          sku,
          title,
          selectedOptions,
          priceMinor,
          archived,
          position,
        })),
      ).toEqual([
        {
          variantId: id(1),
          productId: id(1),
          sku: "HP-1",
          title: "Default Title",
          selectedOptions: [],
          priceMinor: 19900n,
          archived: false,
          position: 0,
        },
        {
          variantId: id(2),
          productId: id(2),
          sku: "OLD-1",
          title: "Default Title",
          selectedOptions: [],
          priceMinor: 1999n,
          archived: false,
          position: 0,
        },
      ]);
      expect(await db.variantAvailability.findMany()).toEqual([
        expect.objectContaining({ variantId: id(1), productId: id(1), available: 7, version: 12n }),
      ]);
      // Nothing else was lost: images, reviews and ratings, timestamps, and search still finds it.
      expect(await db.productImage.count()).toBe(1);
      expect(await db.review.count({ where: { productId: id(1) } })).toBe(1);
      expect(products.find((each) => each.id === id(1))).toMatchObject({
        ratingCount: 1,
        ratingSum: 4,
        createdAt: new Date("2026-11-01T10:00:00Z"),
      });
      const [found] = await db.$queryRaw<Array<{ id: string }>>`
        SELECT id::text AS id FROM products WHERE search_vector @@ websearch_to_tsquery('english', 'headphones')`;
      expect(found?.id).toBe(id(1));
      // The SKU stays unique, now among variants.
      await expect(
        db.productVariant.create({
          data: { productId: id(2), position: 1, sku: "HP-1", title: "Copy", priceMinor: 1n },
        }),
      ).rejects.toThrow();
    } finally {
      await db.$disconnect();
    }
  });

  it("inventory: stock, ledger and reservations move to one default location, per variant", async () => {
    const url = await databaseAt("inventory", "20261123181742_checkout");
    await withSql(url, async (sql) => {
      await sql.query(
        `INSERT INTO stock_levels (product_id, on_hand, reserved, low_stock_threshold, version, low_stock_alerted, updated_at)
         VALUES ($1, 10, 3, 4, 9, false, now()), ($2, 0, 0, 5, 1, true, now())`,
        [id(1), id(2)],
      );
      await sql.query(
        `INSERT INTO stock_movements (product_id, kind, on_hand_delta, reserved_delta, on_hand_after, reserved_after, reason, order_id)
         VALUES ($1, 'ADJUSTMENT', 10, 0, 10, 0, 'delivery', NULL), ($1, 'RESERVATION', 0, 2, 10, 2, 'reserved', $2),
                ($1, 'RESERVATION', 0, 1, 10, 3, 'reserved', $3)`,
        [id(1), order(1), order(2)],
      );
      await sql.query(
        `INSERT INTO reservations (order_id, product_id, quantity, status, updated_at) VALUES ($1, $3, 2, 'RESERVED', now()), ($2, $3, 1, 'RESERVED', now())`,
        [order(1), order(2), id(1)],
      );
      await sql.query(
        `INSERT INTO catalog_products (product_id, sku, name, archived) VALUES ($1, 'HP-1', 'Studio Headphones', false), ($2, 'OLD-1', 'Old Radio', true)`,
        [id(1), id(2)],
      );
      await sql.query(`INSERT INTO order_closures (order_id) VALUES ($1)`, [order(3)]);
    });

    await migrateDatabase("inventory", url);

    const db = createInventoryDatabase(url);
    try {
      const [main, ...others] = await db.stockLocation.findMany();
      expect(others).toEqual([]);
      expect(main).toMatchObject({ name: "Main warehouse", active: true, priority: 0 });
      expect(await db.stockLevel.findMany({ orderBy: { variantId: "asc" } })).toEqual([
        expect.objectContaining({
          variantId: id(1),
          productId: id(1),
          onHand: 10,
          reserved: 3,
          lowStockThreshold: 4,
          version: 9n,
        }),
        expect.objectContaining({ variantId: id(2), productId: id(2), onHand: 0, reserved: 0, lowStockAlerted: true }),
      ]);
      expect(await db.locationStockLevel.findMany({ orderBy: { variantId: "asc" } })).toEqual([
        expect.objectContaining({ variantId: id(1), locationId: main!.id, onHand: 10, reserved: 3 }),
        expect.objectContaining({ variantId: id(2), locationId: main!.id, onHand: 0, reserved: 0 }),
      ]);
      expect(await db.stockMovement.count({ where: { variantId: id(1), locationId: main!.id } })).toBe(3);
      expect(await db.reservation.findMany({ orderBy: { orderId: "asc" } })).toEqual([
        expect.objectContaining({
          orderId: order(1),
          variantId: id(1),
          productId: id(1),
          locationId: main!.id,
          quantity: 2,
        }),
        expect.objectContaining({
          orderId: order(2),
          variantId: id(1),
          productId: id(1),
          locationId: main!.id,
          quantity: 1,
        }),
      ]);
      expect(await db.catalogVariant.findMany({ orderBy: { variantId: "asc" } })).toEqual([
        expect.objectContaining({
          variantId: id(1),
          productId: id(1),
          sku: "HP-1",
          productName: "Studio Headphones",
          productStatus: "ACTIVE",
        }),
        expect.objectContaining({ variantId: id(2), productId: id(2), sku: "OLD-1", productStatus: "ARCHIVED" }),
      ]);
      expect(await db.orderClosure.count()).toBe(1);

      // An order reserved before the migration is released, and another shipped, at the location that now holds its units.
      const unitOfWork = createUnitOfWork<InventoryTx>({ service: "inventory", db, onCommitted: () => undefined });
      expect(await unitOfWork((tx, emit) => releaseOrder(tx, emit, order(1), "cancelled after the upgrade"))).toBe(1);
      expect(await unitOfWork((tx, emit) => deductOrder(tx, emit, order(2)))).toBe(1);
      expect(await db.locationStockLevel.findFirstOrThrow({ where: { variantId: id(1) } })).toMatchObject({
        onHand: 9,
        reserved: 0,
      });
      expect(await db.stockLevel.findUniqueOrThrow({ where: { variantId: id(1) } })).toMatchObject({
        onHand: 9,
        reserved: 0,
      });
      const ledger = await db.stockMovement.findMany({ where: { variantId: id(1), locationId: main!.id } });
      expect(ledger.reduce((sum, entry) => sum + entry.onHandDelta, 0)).toBe(9);
      expect(ledger.reduce((sum, entry) => sum + entry.reservedDelta, 0)).toBe(0);
    } finally {
      await db.$disconnect();
    }
  });

  it("orders: cart and order lines name their variant, and the read model is kept per variant", async () => {
    const url = await databaseAt("orders", "20261123185228_order_item_names");
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

    await migrateDatabase("orders", url);

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
