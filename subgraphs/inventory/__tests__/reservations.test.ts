import type { EventData } from "../../common/events/catalog";
import { createEnvelope } from "../../common/events/envelope";
import { createUnitOfWork } from "../../common/events/unitOfWork";
import { provisionTestDatabase } from "../../../test/support/testDatabase";
import { newTestId } from "../../../test/support/testNames";
import { deductOrder, releaseEditedUnits, releaseOrder, reserveOrder, type OrderLine } from "../domain/reservations";
import { inventoryEventHandlers } from "../events/handlers";
import { createInventoryDatabase, type InventoryDb, type InventoryTx } from "../store/database";
import { countIn } from "./support/stockedProducts";

describe("stock reservations against a real database, under concurrency", () => {
  const testId = newTestId();
  let database: Awaited<ReturnType<typeof provisionTestDatabase>>;
  let db: InventoryDb;
  let unitOfWork: ReturnType<typeof createUnitOfWork<InventoryTx>>;
  let sequence = 0;
  /** The location the migrations make, which holds the stock of these tests. */
  let main: string;

  beforeAll(async () => {
    database = await provisionTestDatabase("inventory", testId);
    db = createInventoryDatabase(database.url, { poolSize: 20 });
    unitOfWork = createUnitOfWork<InventoryTx>({ service: "inventory", db, onCommitted: () => undefined });
    main = (await db.stockLocation.findFirstOrThrow()).id;
  });

  afterAll(async () => {
    await db?.$disconnect();
    await database?.drop();
  });

  /** A product without options (its one variant has its id) with `onHand` units at the main location. */
  async function productWith(onHand: number): Promise<string> {
    sequence += 1;
    const productId = `00000000-0000-4000-8000-${String(sequence).padStart(12, "0")}`;
    await countIn(unitOfWork, { variantId: productId, productId, locationId: main, onHand });
    return productId;
  }

  async function location(name: string, priority: number): Promise<string> {
    return (await db.stockLocation.create({ data: { name: `${name} ${sequence++}`, priority } })).id;
  }

  const orderId = (n: number) => `10000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
  const line = (productId: string, quantity: number): OrderLine => ({ productId, variantId: productId, quantity });
  const level = (variantId: string) => db.stockLevel.findUniqueOrThrow({ where: { variantId } });
  const atLocation = (variantId: string, locationId: string) =>
    db.locationStockLevel.findUniqueOrThrow({ where: { variantId_locationId: { variantId, locationId } } });

  async function reserve(order: string, lines: OrderLine[]): Promise<string> {
    return (await unitOfWork((tx, emit) => reserveOrder(tx, emit, order, lines))).kind;
  }

  it("reserves exactly what is available when 40 orders race for 15 units", async () => {
    const productId = await productWith(15);
    const outcomes = await Promise.all(
      Array.from({ length: 40 }, (_, n) => reserve(orderId(1000 + n), [line(productId, 1)])),
    );
    expect(outcomes.filter((outcome) => outcome === "reserved")).toHaveLength(15);
    expect(outcomes.filter((outcome) => outcome === "insufficient")).toHaveLength(25);
    expect(await level(productId)).toMatchObject({ onHand: 15, reserved: 15 });
    expect(await atLocation(productId, main)).toMatchObject({ onHand: 15, reserved: 15 });
    expect(await db.reservation.count({ where: { productId } })).toBe(15);
  });

  it("reserves all lines of an order or none", async () => {
    const plenty = await productWith(10);
    const scarce = await productWith(1);
    expect(await reserve(orderId(1), [line(plenty, 3), line(scarce, 2)])).toBe("insufficient");
    expect(await level(plenty)).toMatchObject({ onHand: 10, reserved: 0 });
    expect(await atLocation(plenty, main)).toMatchObject({ onHand: 10, reserved: 0 });
    expect(await db.reservation.count({ where: { orderId: orderId(1) } })).toBe(0);
    expect(await db.stockMovement.count({ where: { orderId: orderId(1) } })).toBe(0);
  });

  it("does not deadlock when multi-line orders lock the same products in opposite orders", async () => {
    const a = await productWith(100);
    const b = await productWith(100);
    const outcomes = await Promise.all(
      Array.from({ length: 30 }, (_, n) =>
        reserve(orderId(2000 + n), n % 2 ? [line(a, 1), line(b, 1)] : [line(b, 1), line(a, 1)]),
      ),
    );
    expect(outcomes.every((outcome) => outcome === "reserved")).toBe(true);
    for (const productId of [a, b]) expect((await level(productId)).reserved).toBe(30);
  });

  it("sums repeated lines of one variant and reserves an order only once", async () => {
    const productId = await productWith(5);
    const lines = [line(productId, 2), line(productId, 1)];
    expect(await reserve(orderId(3), lines)).toBe("reserved");
    expect(await reserve(orderId(3), lines)).toBe("already-reserved");
    expect((await level(productId)).reserved).toBe(3);
  });

  it("releases a reservation once, giving the units back", async () => {
    const productId = await productWith(4);
    await reserve(orderId(4), [line(productId, 3)]);
    const releaseTwice = await Promise.all(
      [1, 2].map(() => unitOfWork((tx, emit) => releaseOrder(tx, emit, orderId(4), "order cancelled"))),
    );
    expect(releaseTwice.sort()).toEqual([0, 1]);
    expect(await level(productId)).toMatchObject({ onHand: 4, reserved: 0 });
    expect(await db.reservation.findFirstOrThrow({ where: { orderId: orderId(4) } })).toMatchObject({
      status: "RELEASED",
    });
  });

  it("reserves nothing for an order cancelled before it was placed at inventory", async () => {
    const productId = await productWith(5);
    expect(await unitOfWork((tx, emit) => releaseOrder(tx, emit, orderId(6), "cancelled early"))).toBe(0);
    expect(await reserve(orderId(6), [line(productId, 1)])).toBe("closed");
    expect((await level(productId)).reserved).toBe(0);
  });

  it("turns a reservation into a deduction when the order ships", async () => {
    const productId = await productWith(6);
    await reserve(orderId(5), [line(productId, 2)]);
    expect(await unitOfWork((tx, emit) => deductOrder(tx, emit, orderId(5)))).toBe(1);
    expect(await level(productId)).toMatchObject({ onHand: 4, reserved: 0 });
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
        await reserve(order, [line(productId, 2)]);
        // SHIPPED failed once and is redelivered only after the refund was applied.
        await apply(statusChanged(order, productId, from, "REFUNDED", shipped));
        await apply(statusChanged(order, productId, "CONFIRMED", "SHIPPED", true));
        expect(await level(productId)).toMatchObject({ onHand: 4, reserved: 0 });
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
      await reserve(order, [line(productId, 2)]);
      await apply(statusChanged(order, productId, "CONFIRMED", "REFUNDED", false));
      expect(await level(productId)).toMatchObject({ onHand: 6, reserved: 0 });
      expect(await db.reservation.findFirstOrThrow({ where: { orderId: order } })).toMatchObject({
        status: "RELEASED",
      });
    });
  });

  it("is protected by the database itself: reserved can never exceed on hand, in total or at a location", async () => {
    const productId = await productWith(1);
    for (const table of ["stock_levels", "location_stock_levels"]) {
      await expect(
        db.$executeRawUnsafe(`UPDATE ${table} SET reserved = 2 WHERE variant_id = $1::uuid`, productId),
      ).rejects.toThrow();
      await expect(
        db.$executeRawUnsafe(`UPDATE ${table} SET on_hand = -1 WHERE variant_id = $1::uuid`, productId),
      ).rejects.toThrow();
    }
  });

  describe("across stock locations", () => {
    /** A variant of a product with options, with units at several locations. */
    async function variantAt(
      stock: ReadonlyArray<[string, number]>,
    ): Promise<{ variantId: string; productId: string }> {
      sequence += 1;
      const productId = `30000000-0000-4000-8000-${String(sequence).padStart(12, "0")}`;
      const variantId = `40000000-0000-4000-8000-${String(sequence).padStart(12, "0")}`;
      for (const [locationId, units] of stock)
        await countIn(unitOfWork, { variantId, productId, locationId, onHand: units });
      return { variantId, productId };
    }

    it("takes from the location of lower priority first, then the one with most, and splits a line", async () => {
      const near = await location("Near", 1);
      const big = await location("Big", 5);
      const small = await location("Small", 5);
      const variant = await variantAt([
        [small, 3],
        [big, 6],
        [near, 2],
      ]);
      const order = orderId(8000 + sequence);
      expect(await reserve(order, [{ ...variant, quantity: 7 }])).toBe("reserved");
      const held = await db.reservation.findMany({ where: { orderId: order } });
      expect(new Map(held.map((each) => [each.locationId, each.quantity]))).toEqual(
        new Map([
          [near, 2],
          [big, 5],
        ]),
      );
      expect(await atLocation(variant.variantId, small)).toMatchObject({ onHand: 3, reserved: 0 });
      expect(await level(variant.variantId)).toMatchObject({ onHand: 11, reserved: 7 });
    });

    it("never reserves from an inactive location", async () => {
      const closed = await location("Closed", 0);
      await db.stockLocation.update({ where: { id: closed }, data: { active: false } });
      const variant = await variantAt([[closed, 10]]);
      expect(
        await unitOfWork((tx, emit) => reserveOrder(tx, emit, orderId(8100 + sequence), [{ ...variant, quantity: 1 }])),
      ).toEqual({ kind: "insufficient", ...variant, requested: 1, available: 0 });
    });

    it("releases and deducts at the locations the units were held", async () => {
      const first = await location("First", 1);
      const second = await location("Second", 2);
      const variant = await variantAt([
        [first, 2],
        [second, 4],
      ]);
      const cancelled = orderId(8200 + sequence);
      const shipped = orderId(8300 + sequence);
      await reserve(cancelled, [{ ...variant, quantity: 3 }]);
      await reserve(shipped, [{ ...variant, quantity: 2 }]);
      expect(await atLocation(variant.variantId, first)).toMatchObject({ onHand: 2, reserved: 2 });
      expect(await atLocation(variant.variantId, second)).toMatchObject({ onHand: 4, reserved: 3 });
      await unitOfWork((tx, emit) => releaseOrder(tx, emit, cancelled, "cancelled"));
      expect(await atLocation(variant.variantId, first)).toMatchObject({ onHand: 2, reserved: 0 });
      expect(await atLocation(variant.variantId, second)).toMatchObject({ onHand: 4, reserved: 2 });
      await unitOfWork((tx, emit) => deductOrder(tx, emit, shipped));
      expect(await atLocation(variant.variantId, first)).toMatchObject({ onHand: 2, reserved: 0 });
      expect(await atLocation(variant.variantId, second)).toMatchObject({ onHand: 2, reserved: 0 });
      expect(await level(variant.variantId)).toMatchObject({ onHand: 4, reserved: 0 });
      // Every location's ledger adds up to what it holds.
      for (const locationId of [first, second]) {
        const entries = await db.stockMovement.findMany({ where: { variantId: variant.variantId, locationId } });
        const sum = (key: "onHandDelta" | "reservedDelta") => entries.reduce((total, entry) => total + entry[key], 0);
        expect({ onHand: sum("onHandDelta"), reserved: sum("reservedDelta") }).toEqual(
          await atLocation(variant.variantId, locationId).then(({ onHand, reserved }) => ({ onHand, reserved })),
        );
      }
    });

    it("gives back the units an order edit took away, at the locations they were held, then ships or releases only the rest", async () => {
      const first = await location("Edit first", 1);
      const second = await location("Edit second", 2);
      const variant = await variantAt([
        [first, 2],
        [second, 4],
      ]);
      const other = await variantAt([[first, 3]]);
      const edited = orderId(8400 + sequence);
      await reserve(edited, [
        { ...variant, quantity: 5 },
        { ...other, quantity: 1 },
      ]);
      expect(await atLocation(variant.variantId, first)).toMatchObject({ reserved: 2 });
      expect(await atLocation(variant.variantId, second)).toMatchObject({ reserved: 3 });
      // Four of the five units go, and the other line entirely.
      await unitOfWork((tx, emit) =>
        releaseEditedUnits(tx, emit, {
          orderId: edited,
          editId: "edit-1",
          lines: [
            { ...variant, quantity: 4 },
            { ...other, quantity: 1 },
          ],
        }),
      );
      expect(await level(variant.variantId)).toMatchObject({ onHand: 6, reserved: 1 });
      expect(await level(other.variantId)).toMatchObject({ onHand: 3, reserved: 0 });
      const held = await db.reservation.findMany({ where: { orderId: edited } });
      expect(held.filter((each) => each.status === "RESERVED").map((each) => each.quantity - each.shipped)).toEqual([
        1,
      ]);
      expect(held.filter((each) => each.status === "RELEASED")).toHaveLength(2);
      // Shipping deducts the one unit left, nothing else.
      await unitOfWork((tx, emit) => deductOrder(tx, emit, edited));
      expect(await level(variant.variantId)).toMatchObject({ onHand: 5, reserved: 0 });
      expect(await level(other.variantId)).toMatchObject({ onHand: 3, reserved: 0 });
      for (const locationId of [first, second]) {
        const entries = await db.stockMovement.findMany({ where: { variantId: variant.variantId, locationId } });
        const sum = (key: "onHandDelta" | "reservedDelta") => entries.reduce((total, entry) => total + entry[key], 0);
        expect({ onHand: sum("onHandDelta"), reserved: sum("reservedDelta") }).toEqual(
          await atLocation(variant.variantId, locationId).then(({ onHand, reserved }) => ({ onHand, reserved })),
        );
      }
    });

    it("never oversells a location when 60 orders race for units split over two", async () => {
      const east = await location("East", 1);
      const west = await location("West", 1);
      const variant = await variantAt([
        [east, 9],
        [west, 11],
      ]);
      const outcomes = await Promise.all(
        Array.from({ length: 60 }, (_, n) =>
          reserve(orderId(9000 + sequence * 100 + n), [{ ...variant, quantity: 1 }]),
        ),
      );
      expect(outcomes.filter((outcome) => outcome === "reserved")).toHaveLength(20);
      expect(await atLocation(variant.variantId, east)).toMatchObject({ onHand: 9, reserved: 9 });
      expect(await atLocation(variant.variantId, west)).toMatchObject({ onHand: 11, reserved: 11 });
      expect(await level(variant.variantId)).toMatchObject({ onHand: 20, reserved: 20 });
    });
  });
});
