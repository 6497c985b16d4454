import type pg from "pg";
import { poolOf } from "../../common/database/sqlPool";
import { createEnvelope, type EventEnvelope } from "../../common/events/envelope";
import { EventConsumer, type AnyEventHandler } from "../../common/events/eventConsumer";
import { createSqlUnitOfWork, createUnitOfWork, type UnitOfWork } from "../../common/events/unitOfWork";
import { createLogger } from "../../common/logger";
import { provisionTestDatabase } from "../../../test/support/testDatabase";
import { newTestId } from "../../../test/support/testNames";
import { recordSentStatements } from "../../../test/support/sqlCounter";
import { releaseOrder } from "../domain/reservations";
import { inventoryEventHandlers } from "../events/handlers";
import { stockedProducts } from "./support/stockedProducts";
import { createInventoryDatabase, type InventoryDb, type InventoryTx } from "../store/database";

/**
 * Inventory's consumers of placed orders and of their status changes, as the service runs them
 * (its handlers, its SQL unit of work), on a database of their own: the consumer's record of the
 * events is written by the handler's first statement and the events it emits by its write, so a
 * batch is BEGIN, the handler's statements, COMMIT.
 */
describe("inventory's consumers: the record of the events and the outbox in the handler's own statements", () => {
  const testId = newTestId();
  let database: Awaited<ReturnType<typeof provisionTestDatabase>>;
  let db: InventoryDb;
  let databaseName: string;
  let unitOfWork: UnitOfWork<InventoryTx>;
  let committed: EventEnvelope[] = [];
  let main: string;

  beforeAll(async () => {
    database = await provisionTestDatabase("inventory", testId);
    databaseName = new URL(database.url).pathname.slice(1);
    db = createInventoryDatabase(database.url, { poolSize: 5 });
    unitOfWork = createUnitOfWork<InventoryTx>({ service: "inventory", db, onCommitted: () => undefined });
    main = (await db.stockLocation.findFirstOrThrow()).id;
  });

  afterAll(async () => {
    await db?.$disconnect();
    await database?.drop();
  });

  function consumerOf(type: "orders.order.placed" | "orders.order.status_changed") {
    const onCommitted = (events: readonly EventEnvelope[]) => void committed.push(...events);
    return new EventConsumer<never>({
      service: "inventory",
      handler: inventoryEventHandlers.find((each) => each.type === type)! as AnyEventHandler<never>,
      unitOfWork: createUnitOfWork({ service: "inventory", db, onCommitted }) as never,
      sqlUnitOfWork: createSqlUnitOfWork({ service: "inventory", pool: poolOf(db) as pg.Pool, onCommitted }),
      db: db as never,
      js: undefined as never,
      jsm: undefined as never,
      namespace: testId,
      logger: createLogger("inventory", { level: "silent" }),
    });
  }

  const productWith = stockedProducts(
    (work) => unitOfWork(work),
    () => main,
    "9100",
  );

  const orderId = (n: number) => `30000000-0000-4000-8000-${String(n).padStart(12, "0")}`;

  const placed = (n: number, variantId: string, quantity: number) =>
    createEnvelope("orders", {
      type: "orders.order.placed",
      data: {
        orderId: orderId(n),
        number: `R7C-${n}`,
        customerId: "30000000-0000-4000-8000-000000000001",
        lines: [{ productId: variantId, variantId, quantity, unitPrice: { amount: "1.00", currency: "USD" } }],
        total: { amount: "1.00", currency: "USD" },
      },
    });

  const statusChanged = (n: number, from: "PENDING" | "CONFIRMED", status: "CANCELLED" | "SHIPPED") =>
    createEnvelope("orders", {
      type: "orders.order.status_changed",
      data: {
        orderId: orderId(n),
        number: `R7C-${n}`,
        customerId: "30000000-0000-4000-8000-000000000001",
        from,
        status,
        cancellationReason: status === "CANCELLED" ? "CANCELLED_BY_CUSTOMER" : null,
        reason: null,
        total: { amount: "1.00", currency: "USD" },
        lines: [],
        shipment: null,
        at: new Date().toISOString(),
        shipsInFulfillments: false,
      },
    });

  /** Runs `work`; answers its result, the first words of the statements the consumer sent, and the events it committed. */
  async function observed<T>(work: () => Promise<T>) {
    committed = [];
    const { result, statements } = await recordSentStatements(work);
    // The consumer's connection: the one that recorded the events (not a test's probe, or another transaction).
    const consumer = statements.find((each) => /^WITH fresh/.test(each.text))?.connection;
    return {
      result,
      statements: statements
        .filter((each) => each.database === databaseName && each.connection === consumer)
        .map((each) => each.text.split(/\s+/).slice(0, 3).join(" ")),
      events: committed,
    };
  }

  /** Whether every committed event is in the outbox, and nothing else of these types is. */
  async function outboxHolds(events: readonly EventEnvelope[]) {
    const rows = await db.$queryRawUnsafe<Array<{ id: string }>>(
      "SELECT id::text AS id FROM outbox_event WHERE id = ANY($1::uuid[])",
      events.map((event) => event.id),
    );
    return rows.length === events.length;
  }

  it("reserves a batch of placed orders in BEGIN, two statements and COMMIT, and a redelivery reserves nothing again", async () => {
    const [a, b] = [await productWith(10), await productWith(10)];
    const batch = [placed(1, a, 2), placed(2, b, 1), placed(3, a, 3)];
    const consumer = consumerOf("orders.order.placed");
    const first = await observed(() => consumer.applyBatch(batch));
    expect(first.result).toEqual(["applied", "applied", "applied"]);
    // The record of the events with the locked read; the writes with the events.
    expect(first.statements).toEqual(["BEGIN", "WITH fresh AS", "WITH made AS", "COMMIT"]);
    expect(first.events.map((event) => event.type)).toEqual([
      "inventory.stock.changed",
      "inventory.stock.changed",
      "inventory.reservation.succeeded",
      "inventory.reservation.succeeded",
      "inventory.reservation.succeeded",
    ]);
    expect(await outboxHolds(first.events)).toBe(true);
    // Redelivered with a new one: only the new one is applied.
    const again = await observed(() => consumer.applyBatch([batch[1]!, placed(4, b, 2), batch[0]!]));
    expect(again.result).toEqual(["duplicate", "applied", "duplicate"]);
    expect(again.statements).toEqual(["BEGIN", "WITH fresh AS", "WITH made AS", "COMMIT"]);
    expect(again.events.map((event) => [event.type, (event.data as { orderId?: string }).orderId])).toEqual([
      ["inventory.stock.changed", undefined],
      ["inventory.reservation.succeeded", orderId(4)],
    ]);
    expect(await db.stockLevel.findUniqueOrThrow({ where: { variantId: a } })).toMatchObject({ reserved: 5 });
    expect(await db.stockLevel.findUniqueOrThrow({ where: { variantId: b } })).toMatchObject({ reserved: 3 });
    expect(
      await db.processedEvent.count({ where: { eventId: { in: [...batch, placed(4, b, 2)].map((e) => e.id) } } }),
    ).toBe(3);
  });

  it("applies one delivery in the same statements, and a refusal and a duplicate in what they need", async () => {
    const a = await productWith(2);
    const consumer = consumerOf("orders.order.placed");
    const event = placed(10, a, 1);
    const once = await observed(() => consumer.apply(event));
    expect(once).toMatchObject({
      result: "applied",
      statements: ["BEGIN", "WITH fresh AS", "WITH made AS", "COMMIT"],
    });
    expect(await outboxHolds(once.events)).toBe(true);
    const twice = await observed(() => consumer.apply(event));
    // Nothing to write: the record's answer says so.
    expect(twice).toMatchObject({ result: "duplicate", statements: ["BEGIN", "WITH fresh AS", "COMMIT"], events: [] });
    // Refused: read twice (see reserveOrders), nothing reserved; the unit of work writes the rejection.
    const refused = await observed(() => consumer.apply(placed(11, a, 5)));
    expect(refused.result).toBe("applied");
    expect(refused.statements).toEqual([
      "BEGIN",
      "WITH fresh AS",
      "WITH fresh AS",
      "INSERT INTO outbox_event",
      "COMMIT",
    ]);
    expect(refused.events.map((each) => each.type)).toEqual(["inventory.reservation.rejected"]);
    expect(await db.stockLevel.findUniqueOrThrow({ where: { variantId: a } })).toMatchObject({ reserved: 1 });
  });

  it("settles a batch of status changes in BEGIN, three statements and COMMIT, each once", async () => {
    const [a, b] = [await productWith(10), await productWith(10)];
    await consumerOf("orders.order.placed").applyBatch([placed(20, a, 2), placed(21, b, 3)]);
    const consumer = consumerOf("orders.order.status_changed");
    const cancel = statusChanged(20, "PENDING", "CANCELLED");
    const ship = statusChanged(21, "CONFIRMED", "SHIPPED");
    const settled = await observed(() =>
      consumer.applyBatch([cancel, ship, statusChanged(22, "PENDING", "CANCELLED")]),
    );
    expect(settled.result).toEqual(["applied", "applied", "applied"]);
    // The record of the events with the orders' locks; what they hold, locked; the writes with the events.
    expect(settled.statements).toEqual(["BEGIN", "WITH fresh AS", "WITH own AS", "WITH located AS", "COMMIT"]);
    expect(settled.events.map((event) => [event.type, (event.data as { kind?: string }).kind])).toEqual([
      ["inventory.stock.changed", "RELEASE"],
      ["inventory.stock.changed", "DEDUCTION"],
    ]);
    expect(await outboxHolds(settled.events)).toBe(true);
    const again = await observed(() => consumer.applyBatch([ship, cancel]));
    expect(again.result).toEqual(["duplicate", "duplicate"]);
    expect(again.statements).toEqual(["BEGIN", "WITH fresh AS", "COMMIT"]);
    expect(await db.stockLevel.findUniqueOrThrow({ where: { variantId: a } })).toMatchObject({
      onHand: 10,
      reserved: 0,
    });
    expect(await db.stockLevel.findUniqueOrThrow({ where: { variantId: b } })).toMatchObject({
      onHand: 7,
      reserved: 0,
    });
    // Cancelled before it was placed here: closed, so its late "placed" reserves nothing.
    expect(await db.orderClosure.count({ where: { orderId: orderId(22) } })).toBe(1);
  });

  it("tells nothing of an order closed while its batch waited for the lock: the plan made before is forgotten", async () => {
    const a = await productWith(10);
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    let ran!: () => void;
    const running = new Promise<void>((resolve) => (ran = resolve));
    const cancelling = unitOfWork(async (tx, emit) => {
      await releaseOrder(tx, emit, orderId(30), "cancelled meanwhile");
      ran();
      await finished;
    });
    await running;
    const batch = observed(() => consumerOf("orders.order.placed").applyBatch([placed(30, a, 2), placed(31, a, 1)]));
    for (;;) {
      const [row] = await db.$queryRaw<Array<{ waiting: bigint }>>`
        SELECT count(*) AS waiting FROM pg_locks
         WHERE locktype = 'advisory' AND NOT granted
           AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`;
      if (row!.waiting > 0n) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    finish();
    await cancelling;
    const { result, statements, events } = await batch;
    expect(result).toEqual(["applied", "applied"]);
    // The write found the order closed and wrote nothing; read again, planned again, written.
    expect(statements).toEqual(["BEGIN", "WITH fresh AS", "WITH made AS", "WITH fresh AS", "WITH made AS", "COMMIT"]);
    expect(
      events.map((event) => [event.type, (event.data as { orderId?: string; reserved?: number }).orderId]),
    ).toEqual([
      ["inventory.stock.changed", undefined],
      ["inventory.reservation.succeeded", orderId(31)],
    ]);
    expect(events[0]!.data).toMatchObject({ reserved: 1 });
    expect(await outboxHolds(events)).toBe(true);
    const [told] = await db.$queryRawUnsafe<Array<{ count: bigint }>>(
      `SELECT count(*) AS count FROM outbox_event
        WHERE type = 'inventory.reservation.succeeded' AND envelope->'data'->>'orderId' = $1`,
      orderId(30),
    );
    expect(told?.count).toBe(0n);
    expect(await db.stockLevel.findUniqueOrThrow({ where: { variantId: a } })).toMatchObject({ reserved: 1 });
  });
});
