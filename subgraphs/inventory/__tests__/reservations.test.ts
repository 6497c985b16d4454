import type { EventData } from "../../common/events/catalog";
import { createEnvelope } from "../../common/events/envelope";
import { createUnitOfWork } from "../../common/events/unitOfWork";
import { provisionTestDatabase } from "../../../test/support/testDatabase";
import { newTestId } from "../../../test/support/testNames";
import { deductOrder, releaseOrder, reserveOrder, type OrderLine } from "../domain/reservations";
import { inventoryEventHandlers } from "../events/handlers";
import { changeStock } from "../domain/stockChanges";
import { createInventoryDatabase, type InventoryDb, type InventoryTx } from "../store/database";

describe("stock reservations against a real database, under concurrency", () => {
  const testId = newTestId();
  let database: Awaited<ReturnType<typeof provisionTestDatabase>>;
  let db: InventoryDb;
  let unitOfWork: ReturnType<typeof createUnitOfWork<InventoryTx>>;
  let sequence = 0;

  beforeAll(async () => {
    database = await provisionTestDatabase("inventory", testId);
    db = createInventoryDatabase(database.url, { poolSize: 20 });
    unitOfWork = createUnitOfWork<InventoryTx>({ service: "inventory", db, onCommitted: () => undefined });
  });

  afterAll(async () => {
    await db?.$disconnect();
    await database?.drop();
  });

  /** A product with `onHand` units, through the same path as a back-office adjustment. */
  async function productWith(onHand: number): Promise<string> {
    sequence += 1;
    const productId = `00000000-0000-4000-8000-${String(sequence).padStart(12, "0")}`;
    await db.stockLevel.create({ data: { productId } });
    await unitOfWork((tx, emit) =>
      changeStock(tx, emit, {
        productId,
        onHandDelta: onHand,
        reservedDelta: 0,
        kind: "ADJUSTMENT",
        reason: "initial count",
      }),
    );
    return productId;
  }

  const orderId = (n: number) => `10000000-0000-4000-8000-${String(n).padStart(12, "0")}`;

  async function reserve(order: string, lines: OrderLine[]): Promise<string> {
    return (await unitOfWork((tx, emit) => reserveOrder(tx, emit, order, lines))).kind;
  }

  it("reserves exactly what is available when 40 orders race for 15 units", async () => {
    const productId = await productWith(15);
    const outcomes = await Promise.all(
      Array.from({ length: 40 }, (_, n) => reserve(orderId(1000 + n), [{ productId, quantity: 1 }])),
    );
    expect(outcomes.filter((outcome) => outcome === "reserved")).toHaveLength(15);
    expect(outcomes.filter((outcome) => outcome === "insufficient")).toHaveLength(25);
    const level = await db.stockLevel.findUniqueOrThrow({ where: { productId } });
    expect(level).toMatchObject({ onHand: 15, reserved: 15 });
    expect(await db.reservation.count({ where: { productId } })).toBe(15);
  });

  it("reserves all lines of an order or none", async () => {
    const plenty = await productWith(10);
    const scarce = await productWith(1);
    expect(
      await reserve(orderId(1), [
        { productId: plenty, quantity: 3 },
        { productId: scarce, quantity: 2 },
      ]),
    ).toBe("insufficient");
    expect(await db.stockLevel.findUniqueOrThrow({ where: { productId: plenty } })).toMatchObject({
      onHand: 10,
      reserved: 0,
    });
    expect(await db.reservation.count({ where: { orderId: orderId(1) } })).toBe(0);
    expect(await db.stockMovement.count({ where: { orderId: orderId(1) } })).toBe(0);
  });

  it("does not deadlock when multi-line orders lock the same products in opposite orders", async () => {
    const a = await productWith(100);
    const b = await productWith(100);
    const outcomes = await Promise.all(
      Array.from({ length: 30 }, (_, n) =>
        reserve(
          orderId(2000 + n),
          n % 2
            ? [
                { productId: a, quantity: 1 },
                { productId: b, quantity: 1 },
              ]
            : [
                { productId: b, quantity: 1 },
                { productId: a, quantity: 1 },
              ],
        ),
      ),
    );
    expect(outcomes.every((outcome) => outcome === "reserved")).toBe(true);
    for (const productId of [a, b])
      expect((await db.stockLevel.findUniqueOrThrow({ where: { productId } })).reserved).toBe(30);
  });

  it("sums repeated lines of one product and reserves an order only once", async () => {
    const productId = await productWith(5);
    const lines = [
      { productId, quantity: 2 },
      { productId, quantity: 1 },
    ];
    expect(await reserve(orderId(3), lines)).toBe("reserved");
    expect(await reserve(orderId(3), lines)).toBe("already-reserved");
    expect((await db.stockLevel.findUniqueOrThrow({ where: { productId } })).reserved).toBe(3);
  });

  it("releases a reservation once, giving the units back", async () => {
    const productId = await productWith(4);
    await reserve(orderId(4), [{ productId, quantity: 3 }]);
    const releaseTwice = await Promise.all(
      [1, 2].map(() => unitOfWork((tx, emit) => releaseOrder(tx, emit, orderId(4), "order cancelled"))),
    );
    expect(releaseTwice.sort()).toEqual([0, 1]);
    expect(await db.stockLevel.findUniqueOrThrow({ where: { productId } })).toMatchObject({ onHand: 4, reserved: 0 });
    expect(await db.reservation.findFirstOrThrow({ where: { orderId: orderId(4) } })).toMatchObject({
      status: "RELEASED",
    });
  });

  it("reserves nothing for an order cancelled before it was placed at inventory", async () => {
    const productId = await productWith(5);
    expect(await unitOfWork((tx, emit) => releaseOrder(tx, emit, orderId(6), "cancelled early"))).toBe(0);
    expect(await reserve(orderId(6), [{ productId, quantity: 1 }])).toBe("closed");
    expect((await db.stockLevel.findUniqueOrThrow({ where: { productId } })).reserved).toBe(0);
  });

  it("turns a reservation into a deduction when the order ships", async () => {
    const productId = await productWith(6);
    await reserve(orderId(5), [{ productId, quantity: 2 }]);
    expect(await unitOfWork((tx, emit) => deductOrder(tx, emit, orderId(5)))).toBe(1);
    expect(await db.stockLevel.findUniqueOrThrow({ where: { productId } })).toMatchObject({ onHand: 4, reserved: 0 });
    // A release after shipping finds nothing reserved: shipped units do not come back.
    expect(await unitOfWork((tx, emit) => releaseOrder(tx, emit, orderId(5), "too late"))).toBe(0);
    const ledger = await db.stockMovement.findMany({ where: { productId }, orderBy: { id: "asc" } });
    expect(
      ledger.map((entry) => [
        entry.kind,
        entry.onHandDelta,
        entry.reservedDelta,
        entry.onHandAfter,
        entry.reservedAfter,
      ]),
    ).toEqual([
      ["ADJUSTMENT", 6, 0, 6, 0],
      ["RESERVATION", 0, 2, 6, 2],
      ["DEDUCTION", -2, -2, 4, 0],
    ]);
  });

  describe("status changes applied out of order", () => {
    const statusHandler = inventoryEventHandlers.find((handler) => handler.type === "orders.order.status_changed")!;
    const shipment = { carrier: "UPS", trackingNumber: "1Z999" };

    function statusChanged(
      order: string,
      productId: string,
      from: EventData<"orders.order.status_changed">["from"],
      status: "SHIPPED" | "REFUNDED",
      shipped: boolean,
    ) {
      return createEnvelope("orders", {
        type: "orders.order.status_changed",
        data: {
          orderId: order,
          number: "K7M-4PQ2X",
          customerId: "20000000-0000-4000-8000-000000000001",
          from,
          status,
          cancellationReason: null,
          reason: status === "SHIPPED" ? "shipped" : "refunded in full",
          total: { amount: "10.00", currency: "USD" },
          lines: [{ productId, name: "Widget", quantity: 2, unitPrice: { amount: "5.00", currency: "USD" } }],
          shipment: shipped ? shipment : null,
          at: new Date().toISOString(),
        },
      });
    }

    /** Applies the handler as its consumer does, in a unit of work. */
    const apply = (event: ReturnType<typeof statusChanged>) =>
      unitOfWork((tx, emit) =>
        (statusHandler.handle as (e: typeof event, t: InventoryTx, m: typeof emit) => Promise<void>)(event, tx, emit),
      );

    it.each([
      ["SHIPPED", true],
      ["DELIVERED", true],
      // The previous status alone says so, also without the shipment.
      ["SHIPPED", false],
    ] as const)(
      "deducts a full refund after shipping (from %s, shipment %s) that overtakes the late SHIPPED, which then changes nothing",
      async (from, shipped) => {
        const productId = await productWith(6);
        const order = orderId(7000 + sequence);
        await reserve(order, [{ productId, quantity: 2 }]);
        // SHIPPED failed once and is redelivered only after the refund was applied.
        await apply(statusChanged(order, productId, from, "REFUNDED", shipped));
        await apply(statusChanged(order, productId, "CONFIRMED", "SHIPPED", true));
        expect(await db.stockLevel.findUniqueOrThrow({ where: { productId } })).toMatchObject({
          onHand: 4,
          reserved: 0,
        });
        expect(await db.reservation.findFirstOrThrow({ where: { orderId: order } })).toMatchObject({
          status: "DEDUCTED",
        });
        const ledger = await db.stockMovement.findMany({ where: { productId }, orderBy: { id: "asc" } });
        expect(ledger.map((entry) => [entry.kind, entry.onHandDelta, entry.reservedDelta])).toEqual([
          ["ADJUSTMENT", 6, 0],
          ["RESERVATION", 0, 2],
          ["DEDUCTION", -2, -2],
        ]);
      },
    );

    it("still releases the stock of an order refunded in full before it shipped", async () => {
      const productId = await productWith(6);
      const order = orderId(7100 + sequence);
      await reserve(order, [{ productId, quantity: 2 }]);
      await apply(statusChanged(order, productId, "CONFIRMED", "REFUNDED", false));
      expect(await db.stockLevel.findUniqueOrThrow({ where: { productId } })).toMatchObject({ onHand: 6, reserved: 0 });
      expect(await db.reservation.findFirstOrThrow({ where: { orderId: order } })).toMatchObject({
        status: "RELEASED",
      });
    });
  });

  it("is protected by the database itself: reserved can never exceed on hand", async () => {
    const productId = await productWith(1);
    await expect(
      db.$executeRaw`UPDATE stock_levels SET reserved = 2 WHERE product_id = ${productId}::uuid`,
    ).rejects.toThrow();
    await expect(
      db.$executeRaw`UPDATE stock_levels SET on_hand = -1 WHERE product_id = ${productId}::uuid`,
    ).rejects.toThrow();
  });
});
