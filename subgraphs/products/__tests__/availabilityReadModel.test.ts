import type { EventEnvelope } from "../../common/events/envelope";
import { createEnvelope } from "../../common/events/envelope";
import { EventConsumer } from "../../common/events/eventConsumer";
import { createSqlUnitOfWork, createUnitOfWork } from "../../common/events/unitOfWork";
import { poolOf } from "../../common/database/sqlPool";
import { createLogger } from "../../common/logger";
import { provisionTestDatabase } from "../../../test/support/testDatabase";
import { newTestId } from "../../../test/support/testNames";
import { recordSentStatements } from "../../../test/support/sqlCounter";
import { productsEventHandlers } from "../events/handlers";
import { createProductsDatabase, type ProductsDb } from "../store/database";
import type pg from "pg";

describe("the availability read model", () => {
  const testId = newTestId();
  let database: Awaited<ReturnType<typeof provisionTestDatabase>>;
  let databaseName: string;
  let db: ProductsDb;
  let consumer: EventConsumer<never>;
  const id = (n: number) => `00000000-0000-4000-9000-${String(n).padStart(12, "0")}`;

  beforeAll(async () => {
    database = await provisionTestDatabase("products", testId);
    databaseName = new URL(database.url).pathname.slice(1);
    db = createProductsDatabase(database.url, { poolSize: 2 });
    for (const n of [1, 2]) {
      await db.$executeRawUnsafe(
        `INSERT INTO products (id, name, slug, price_minor, max_price_minor, updated_at)
         VALUES ($1::uuid, 'Counted', 'counted-' || $1, 100, 100, now())`,
        id(n),
      );
      await db.$executeRawUnsafe(
        `INSERT INTO product_variants (id, product_id, position, sku, title, price_minor, updated_at)
         VALUES ($1::uuid, $1::uuid, 0, 'SKU-' || $1, 'Default', 100, now())`,
        id(n),
      );
    }
    const onCommitted = () => undefined;
    consumer = new EventConsumer<never>({
      service: "products",
      handler: productsEventHandlers.find((each) => each.type === "inventory.stock.changed") as never,
      unitOfWork: createUnitOfWork({ service: "products", db, onCommitted }) as never,
      sqlUnitOfWork: createSqlUnitOfWork({ service: "products", pool: poolOf(db) as pg.Pool, onCommitted }),
      db: db as never,
      js: undefined as never,
      jsm: undefined as never,
      namespace: testId,
      logger: createLogger("test", { level: "silent" }),
    });
  });

  afterAll(async () => {
    await db?.$disconnect();
    await database?.drop();
  });

  const changed = (n: number, available: number, version: number): EventEnvelope =>
    createEnvelope("inventory", {
      type: "inventory.stock.changed",
      data: {
        productId: id(n),
        variantId: id(n),
        onHand: 100,
        reserved: 100 - available,
        available,
        lowStockThreshold: 0,
        version,
        kind: "RESERVATION",
      },
    });

  it("applies a batch of stock changes in one statement, the newest version of each variant winning", async () => {
    await consumer.apply(changed(2, 50, 5));
    const { result, statements } = await recordSentStatements(() =>
      consumer.applyBatch([changed(1, 9, 3), changed(1, 7, 4), changed(1, 8, 2), changed(2, 40, 4), changed(9, 1, 1)]),
    );
    expect(result).toEqual(["applied", "applied", "applied", "applied", "applied"]);
    // No transaction: one upsert, idempotent by version, for the whole batch.
    expect(
      statements.filter((each) => each.database === databaseName).map((each) => each.text.split(/\s+/)[0]),
    ).toEqual(["INSERT"]);
    const rows = await db.variantAvailability.findMany({ orderBy: { variantId: "asc" } });
    // Variant 2 keeps its newer version; variant 9 is unknown to the catalog and skipped.
    expect(rows.map((row) => [row.variantId, row.available, Number(row.version)])).toEqual([
      [id(1), 7, 4],
      [id(2), 50, 5],
    ]);
  });
});
