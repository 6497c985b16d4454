import { createProductsDatabase } from "../store/database";
import { findProductsByIds } from "../store/productStore";
import { findVariantsOfProducts } from "../store/variantStore";
import { databaseAtMigration, withSql } from "../../../test/support/migrationHistory";
import { newTestId } from "../../../test/support/testNames";

/**
 * Every existing product becomes a product with one variant that keeps the product's id, SKU and
 * price (so the other services can name it without asking), and every row is kept.
 */
describe("the products migration to variants, against a database filled by the previous schema", () => {
  const testId = newTestId();
  let database: Awaited<ReturnType<typeof databaseAtMigration>> | undefined;

  afterAll(() => database?.drop());

  const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;

  it("makes every product a product with one variant that keeps its id, SKU, price and availability", async () => {
    database = await databaseAtMigration("products", testId, "20261123181407_search_planner_costs");
    const url = database.url;
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

    await database.migrateRest();

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
});
