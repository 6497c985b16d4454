import type { EventEnvelope } from "../../common/events/envelope";
import { createUnitOfWork } from "../../common/events/unitOfWork";
import { provisionTestDatabase } from "../../../test/support/testDatabase";
import { newTestId } from "../../../test/support/testNames";
import { recordSentStatements } from "../../../test/support/sqlCounter";
import { releaseOrder } from "../domain/reservations";
import { reserveOrders, type OrderLine, type OrderToReserve } from "../domain/reserveOrders";
import { settleOrders, type OrderToSettle } from "../domain/settleOrders";
import { stockedProducts } from "./support/stockedProducts";
import { createInventoryDatabase, type InventoryDb, type InventoryTx } from "../store/database";
import { createEnvelope } from "../../common/events/envelope";
import { reservePlacedOrders } from "../events/handlers";

/** The unit of work's own statements (transaction control, the outbox insert), not the reservation's. */
const plumbing = /^(BEGIN|COMMIT|ROLLBACK)\b|^INSERT INTO outbox_event/i;

describe("reserving a batch of orders in named SQL", () => {
  const testId = newTestId();
  let database: Awaited<ReturnType<typeof provisionTestDatabase>>;
  let db: InventoryDb;
  let committed: EventEnvelope[] = [];
  let unitOfWork: ReturnType<typeof createUnitOfWork<InventoryTx>>;
  let main: string;
  let databaseName: string;

  beforeAll(async () => {
    database = await provisionTestDatabase("inventory", testId);
    databaseName = new URL(database.url).pathname.slice(1);
    db = createInventoryDatabase(database.url, { poolSize: 5 });
    unitOfWork = createUnitOfWork<InventoryTx>({
      service: "inventory",
      db,
      onCommitted: (events) => committed.push(...events),
    });
    main = (await db.stockLocation.findFirstOrThrow()).id;
  });

  afterAll(async () => {
    await db?.$disconnect();
    await database?.drop();
  });

  const productWith = stockedProducts(
    (work) => unitOfWork(work),
    () => main,
    "9000",
  );

  const orderId = (n: number) => `20000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
  const line = (productId: string, quantity: number): OrderLine => ({ productId, variantId: productId, quantity });
  const order = (n: number, ...lines: OrderLine[]): OrderToReserve => ({ orderId: orderId(n), lines });

  /** Reserves a batch in one unit of work; answers the outcomes' kinds, the statements it sent and the events it committed. */
  async function reserve(orders: OrderToReserve[]) {
    committed = [];
    const { result, statements } = await recordSentStatements(() =>
      unitOfWork((tx, emit) => reserveOrders(tx, emit, orders)),
    );
    const own = statements.filter((each) => each.database === databaseName && !plumbing.test(each.text));
    return {
      kinds: result.map((outcome) => outcome.kind),
      outcomes: result,
      statements: own.map((each) => each.text.split(/\s+/).slice(0, 3).join(" ")),
      events: committed,
    };
  }

  it("reserves a batch of orders in two statements, however many orders and lines it holds", async () => {
    const [a, b, c] = [await productWith(50), await productWith(50), await productWith(50)];
    const shapes = [
      [order(1, line(a, 1))],
      [order(2, line(a, 1), line(b, 2), line(c, 3))],
      [order(3, line(c, 1), line(a, 2)), order(4, line(b, 1)), order(5, line(a, 1), line(b, 1)), order(6, line(c, 4))],
    ];
    for (const batch of shapes) {
      const { kinds, statements } = await reserve(batch);
      expect(kinds.every((kind) => kind === "reserved")).toBe(true);
      // The orders' locks with the location rows and totals locked, closures and reservations (after
      // the consumer's record of the events, none here); every write with the events.
      expect(statements).toEqual(["WITH fresh AS", "WITH made AS"]);
    }
    expect(await db.stockLevel.findUniqueOrThrow({ where: { variantId: a } })).toMatchObject({ reserved: 5 });
  });

  it("writes nothing for a batch that is reserved or closed already (a redelivery)", async () => {
    const a = await productWith(10);
    await reserve([order(10, line(a, 2))]);
    await unitOfWork((tx, emit) => releaseOrder(tx, emit, orderId(11), "cancelled before it was placed"));
    const again = await reserve([order(10, line(a, 2)), order(11, line(a, 1))]);
    expect(again.kinds).toEqual(["already-reserved", "closed"]);
    expect(again.statements).toEqual(["WITH fresh AS"]);
    expect(again.events).toEqual([]);
    expect(await db.stockLevel.findUniqueOrThrow({ where: { variantId: a } })).toMatchObject({ reserved: 2 });
  });

  it("reserves nothing for an order closed, or reserved, by the holder of its lock while the batch waited for it", async () => {
    const a = await productWith(10);
    /** Runs `work` in a transaction kept open until the answered function is called; resolves once the work has run. */
    async function holdOpen(work: Parameters<typeof unitOfWork>[0]) {
      let finish!: () => void;
      const finished = new Promise<void>((resolve) => (finish = resolve));
      let ran!: () => void;
      const running = new Promise<void>((resolve) => (ran = resolve));
      const committing = unitOfWork(async (tx, emit) => {
        await work(tx, emit);
        ran();
        await finished;
      });
      await running;
      return async () => {
        finish();
        await committing;
      };
    }
    const waitingForLock = async () => {
      for (;;) {
        const [row] = await db.$queryRaw<Array<{ waiting: bigint }>>`
          SELECT count(*) AS waiting FROM pg_locks
           WHERE locktype = 'advisory' AND NOT granted
             AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`;
        if (row!.waiting > 0n) return;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    // The read's snapshot is taken before its wait for the order's lock, so it does not see what
    // the holder then commits: the write must find it, and the batch plan again.
    const commitCancel = await holdOpen((tx, emit) => releaseOrder(tx, emit, orderId(50), "cancelled meanwhile"));
    const afterCancel = reserve([order(50, line(a, 2)), order(51, line(a, 1))]);
    await waitingForLock();
    await commitCancel();
    expect((await afterCancel).kinds).toEqual(["closed", "reserved"]);
    const commitReservation = await holdOpen((tx, emit) => reserveOrders(tx, emit, [order(52, line(a, 3))]));
    const again = reserve([order(52, line(a, 3))]);
    await waitingForLock();
    await commitReservation();
    expect((await again).kinds).toEqual(["already-reserved"]);
    expect(await db.reservation.findMany({ where: { variantId: a }, orderBy: { orderId: "asc" } })).toMatchObject([
      { orderId: orderId(51), quantity: 1 },
      { orderId: orderId(52), quantity: 3 },
    ]);
    expect(await db.stockLevel.findUniqueOrThrow({ where: { variantId: a } })).toMatchObject({ reserved: 4 });
  });

  it("plans the orders of a batch one after another, all or none each, with the ledger's units after each", async () => {
    const a = await productWith(5, 1);
    const b = await productWith(1);
    const { kinds, outcomes, events, statements } = await reserve([
      order(20, line(a, 3)),
      // Wants more of b than there is: nothing of it is reserved, and a keeps its units for the next.
      order(21, line(a, 1), line(b, 2)),
      order(22, line(a, 2)),
      // The same order twice in one batch is reserved once.
      order(20, line(a, 3)),
      order(23, line(a, 1)),
    ]);
    expect(kinds).toEqual(["reserved", "insufficient", "reserved", "already-reserved", "insufficient"]);
    // A refusal is decided on a second read (a location row committed while the first waited is in it).
    expect(statements).toEqual(["WITH fresh AS", "WITH fresh AS", "WITH made AS"]);
    expect(outcomes[1]).toEqual({ kind: "insufficient", productId: b, variantId: b, requested: 2, available: 1 });
    expect(outcomes[4]).toEqual({ kind: "insufficient", productId: a, variantId: a, requested: 1, available: 0 });
    expect(await db.stockLevel.findUniqueOrThrow({ where: { variantId: a } })).toMatchObject({
      onHand: 5,
      reserved: 5,
      version: 3n,
      lowStockAlerted: true,
    });
    expect(await db.stockLevel.findUniqueOrThrow({ where: { variantId: b } })).toMatchObject({ reserved: 0 });
    const ledger = await db.stockMovement.findMany({
      where: { variantId: a, kind: "RESERVATION" },
      orderBy: { id: "asc" },
    });
    expect(ledger.map((entry) => [entry.orderId, entry.reservedDelta, entry.reservedAfter, entry.onHandAfter])).toEqual(
      [
        [orderId(20), 3, 3, 5],
        [orderId(22), 2, 5, 5],
      ],
    );
    expect(await db.reservation.findMany({ where: { variantId: a }, orderBy: { orderId: "asc" } })).toMatchObject([
      { orderId: orderId(20), quantity: 3, locationId: main, status: "RESERVED" },
      { orderId: orderId(22), quantity: 2, locationId: main, status: "RESERVED" },
    ]);
    // One change per order, its version after it; low stock announced once, when it is crossed.
    expect(
      events.map((event) => [event.type, (event.data as { version?: number; available: number }).available]),
    ).toEqual([
      ["inventory.stock.changed", 2],
      ["inventory.stock.changed", 0],
      ["inventory.stock.low", 0],
    ]);
    expect(events.filter((event) => event.type === "inventory.stock.changed").map((event) => event.data)).toMatchObject(
      [
        { variantId: a, version: 2, reserved: 3, kind: "RESERVATION" },
        { variantId: a, version: 3, reserved: 5, kind: "RESERVATION" },
      ],
    );
  });

  it("releases and deducts a batch of orders in three statements, each order's held units where they were held", async () => {
    const [a, b] = [await productWith(20), await productWith(20)];
    await reserve([order(30, line(a, 2), line(b, 1)), order(31, line(a, 3)), order(32, line(b, 4))]);
    committed = [];
    const batch: OrderToSettle[] = [
      { orderId: orderId(30), action: "release", reason: "order cancelled" },
      { orderId: orderId(31), action: "deduct", reason: `shipped with order ${orderId(31)}` },
      // Released twice in one batch: the second finds nothing held.
      { orderId: orderId(30), action: "release", reason: "order cancelled" },
      // Never reserved: closed, so a late "placed" reserves nothing.
      { orderId: orderId(33), action: "release", reason: "cancelled early" },
    ];
    const { result, statements } = await recordSentStatements(() =>
      unitOfWork((tx, emit) => settleOrders(tx, emit, batch)),
    );
    expect(result).toEqual([2, 1, 0, 0]);
    expect(
      statements
        .filter((each) => each.database === databaseName && !plumbing.test(each.text))
        .map((each) => each.text.split(/\s+/).slice(0, 3).join(" ")),
    ).toEqual(["WITH fresh AS", "WITH own AS", "WITH located AS"]);
    expect(await db.stockLevel.findUniqueOrThrow({ where: { variantId: a } })).toMatchObject({
      onHand: 17,
      reserved: 0,
    });
    expect(await db.stockLevel.findUniqueOrThrow({ where: { variantId: b } })).toMatchObject({
      onHand: 20,
      reserved: 4,
    });
    expect(
      await db.reservation.findMany({
        where: { orderId: { in: [orderId(30), orderId(31)] } },
        orderBy: [{ orderId: "asc" }, { variantId: "asc" }],
      }),
    ).toMatchObject(
      [orderId(30), orderId(30), orderId(31)].map((id, index) => ({
        orderId: id,
        status: index < 2 ? "RELEASED" : "DEDUCTED",
      })),
    );
    expect(await db.orderClosure.count({ where: { orderId: { in: [orderId(30), orderId(31), orderId(33)] } } })).toBe(
      1,
    );
    expect(committed.map((event) => [event.type, (event.data as { kind: string }).kind])).toEqual([
      ["inventory.stock.changed", "RELEASE"],
      ["inventory.stock.changed", "RELEASE"],
      ["inventory.stock.changed", "DEDUCTION"],
    ]);
    const deducted = await db.stockMovement.findMany({ where: { orderId: orderId(31), kind: "DEDUCTION" } });
    expect(deducted).toMatchObject([
      { variantId: a, onHandDelta: -3, reservedDelta: -3, onHandAfter: 17, reservedAfter: 0 },
    ]);
  });
  it("announces each variant a batch of placed orders changed once, as the batch left it, and every order's outcome", async () => {
    const [a, b] = [await productWith(10, 1), await productWith(10)];
    const placed = (n: number, ...lines: OrderLine[]) =>
      createEnvelope("orders", {
        type: "orders.order.placed",
        data: {
          orderId: orderId(n),
          number: `K7M-${n}`,
          customerId: "20000000-0000-4000-8000-000000000001",
          lines: lines.map((each) => ({ ...each, unitPrice: { amount: "1.00", currency: "USD" } })),
          total: { amount: "1.00", currency: "USD" },
        },
      });
    committed = [];
    await unitOfWork((tx, emit) =>
      reservePlacedOrders(
        [placed(40, line(a, 3)), placed(41, line(a, 2), line(b, 1)), placed(42, line(a, 4))],
        tx,
        emit,
      ),
    );
    expect(committed.map((event) => [event.type, (event.data as { variantId?: string }).variantId])).toEqual([
      ["inventory.stock.changed", b],
      ["inventory.stock.changed", a],
      ["inventory.stock.low", a],
      ["inventory.reservation.succeeded", undefined],
      ["inventory.reservation.succeeded", undefined],
      ["inventory.reservation.succeeded", undefined],
    ]);
    expect(committed.filter((event) => event.type === "inventory.stock.changed").map((event) => event.data)).toEqual([
      expect.objectContaining({ variantId: b, version: 2, reserved: 1, available: 9 }),
      expect.objectContaining({ variantId: a, version: 4, reserved: 9, available: 1, kind: "RESERVATION" }),
    ]);
    expect(await db.stockLevel.findUniqueOrThrow({ where: { variantId: a } })).toMatchObject({
      reserved: 9,
      version: 4n,
    });
  });
});
