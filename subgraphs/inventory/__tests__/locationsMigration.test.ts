import { createUnitOfWork } from "../../common/events/unitOfWork";
import { deductOrder, releaseOrder } from "../domain/reservations";
import { createInventoryDatabase, type InventoryTx } from "../store/database";
import { databaseAtMigration, withSql } from "../../../test/support/migrationHistory";
import { newTestId } from "../../../test/support/testNames";

/** Stock, ledger and reservations of each product move to its one variant, at one default location, keeping every row. */
describe("the inventory migration to stock per variant and location, against a database filled by the previous schema", () => {
  const testId = newTestId();
  let database: Awaited<ReturnType<typeof databaseAtMigration>> | undefined;

  afterAll(() => database?.drop());

  const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
  const order = (n: number) => `10000000-0000-4000-8000-${String(n).padStart(12, "0")}`;

  it("moves stock, ledger and reservations to one default location, per variant", async () => {
    database = await databaseAtMigration("inventory", testId, "20261123181742_checkout");
    const url = database.url;
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

    await database.migrateRest();

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
});
