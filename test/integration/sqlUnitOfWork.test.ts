import { randomUUID } from "node:crypto";
import type { SqlExecutor } from "../../subgraphs/common/database/prismaOptions";
import { poolOf, sql, statement } from "../../subgraphs/common/database/sqlPool";
import { createEnvelope, type EventEnvelope } from "../../subgraphs/common/events/envelope";
import { EventConsumer, onEvent } from "../../subgraphs/common/events/eventConsumer";
import { createSqlUnitOfWork, createUnitOfWork } from "../../subgraphs/common/events/unitOfWork";
import { createLogger } from "../../subgraphs/common/logger";
import { createOrdersDatabase, type OrdersTx } from "../../subgraphs/orders";
import { provisionTestDatabase } from "../support/testDatabase";
import { newTestId } from "../support/testNames";

const type = "inventory.reservation.succeeded";
const backendPid = statement("test_sql_uow_pid", "SELECT pg_backend_pid() AS pid");
const note = statement("test_sql_uow_note", "INSERT INTO uow_probe (order_id) VALUES ($1::uuid)");

/**
 * The unit of work in a transaction of our own on the pool (no Prisma client in it): state and
 * outbox rows commit or roll back together, events are handed on after the commit only, and an
 * SQL-only consumer applies its batches in it, once per event id.
 */
describe("a unit of work on the pool", () => {
  let database: { url: string; drop(): Promise<void> };
  let db: ReturnType<typeof createOrdersDatabase>;
  const committed: EventEnvelope[][] = [];
  let unitOfWork: ReturnType<typeof createSqlUnitOfWork>;

  beforeAll(async () => {
    database = await provisionTestDatabase("orders", newTestId());
    db = createOrdersDatabase(database.url);
    await db.$executeRawUnsafe("CREATE TABLE uow_probe (order_id uuid NOT NULL, tx bigint DEFAULT txid_current())");
    unitOfWork = createSqlUnitOfWork({
      service: "orders",
      pool: poolOf(db)!,
      onCommitted: (events) => committed.push([...events]),
    });
  });

  afterAll(async () => {
    await db?.$disconnect();
    await database?.drop();
  });

  const probed = async (orderId: string) =>
    (await db.$queryRawUnsafe<unknown[]>("SELECT 1 FROM uow_probe WHERE order_id = $1::uuid", orderId)).length;
  const inOutbox = async (orderId: string) =>
    (
      await db.$queryRawUnsafe<unknown[]>(
        "SELECT 1 FROM outbox_event WHERE envelope -> 'data' ->> 'orderId' = $1",
        orderId,
      )
    ).length;

  it("commits the state and its events together, on one connection, and hands the events on after", async () => {
    const orderId = randomUUID();
    const pids = await unitOfWork(async (tx, emit) => {
      await sql(tx, note, [orderId]);
      emit(type, { orderId });
      const [ours] = await sql<{ pid: number }>(tx, backendPid, []);
      const [raw] = await tx.$queryRawUnsafe<Array<{ pid: number }>>("SELECT pg_backend_pid() AS pid");
      expect(committed.flat().some((event) => (event.data as { orderId: string }).orderId === orderId)).toBe(false);
      return [ours!.pid, raw!.pid];
    });
    expect(pids[0]).toBe(pids[1]);
    expect(await probed(orderId)).toBe(1);
    expect(await inOutbox(orderId)).toBe(1);
    expect(committed.at(-1)?.map((event) => event.data)).toEqual([{ orderId }]);
  });

  it("rolls the state and its events back together when the work throws, handing nothing on", async () => {
    const orderId = randomUUID();
    const before = committed.length;
    await expect(
      unitOfWork(async (tx, emit) => {
        await sql(tx, note, [orderId]);
        emit(type, { orderId });
        throw new Error("changed my mind");
      }),
    ).rejects.toThrow("changed my mind");
    expect(await probed(orderId)).toBe(0);
    expect(await inOutbox(orderId)).toBe(0);
    expect(committed.length).toBe(before);
  });

  it("runs at the isolation level asked for, and gives every connection back", async () => {
    const levels = await Promise.all(
      Array.from({ length: 30 }, (_, index) =>
        unitOfWork(
          async (tx) =>
            (
              await tx.$queryRawUnsafe<Array<{ level: string }>>(
                "SELECT current_setting('transaction_isolation') AS level",
              )
            )[0]!,
          index % 2 ? { isolationLevel: "Serializable" } : {},
        ),
      ),
    );
    expect(levels.map((row) => row.level)).toEqual(
      levels.map((_, index) => (index % 2 ? "serializable" : "read committed")),
    );
    const pool = poolOf(db)!;
    expect(pool.totalCount - pool.idleCount).toBe(0);
  });

  it("applies an SQL-only consumer's batch in it, once per event id", async () => {
    const handler = onEvent<SqlExecutor, typeof type>(
      type,
      async (event, tx, emit) => {
        await sql(tx, note, [event.data.orderId]);
        emit(type, { orderId: event.data.orderId });
      },
      { sqlOnly: true },
    );
    const consumer = new EventConsumer<OrdersTx>({
      service: "orders",
      handler: handler as never,
      // Would fail the test if taken: the SQL-only handler goes to the unit of work on the pool.
      unitOfWork: createUnitOfWork<OrdersTx>({
        service: "orders",
        db,
        onCommitted: () => {
          throw new Error("Prisma's unit of work was used");
        },
      }),
      sqlUnitOfWork: unitOfWork,
      db,
      js: undefined as never,
      jsm: undefined as never,
      namespace: newTestId(),
      logger: createLogger("orders", { level: "silent" }),
    });
    const events = Array.from(
      { length: 3 },
      () => createEnvelope("inventory", { type, data: { orderId: randomUUID() } }) as EventEnvelope,
    );
    expect(await consumer.applyBatch(events)).toEqual(["applied", "applied", "applied"]);
    expect(await consumer.applyBatch([events[1]!])).toEqual(["duplicate"]);
    expect(await consumer.apply(events[2]!)).toBe("duplicate");
    const transactions = await db.$queryRawUnsafe<Array<{ tx: bigint }>>(
      "SELECT DISTINCT tx FROM uow_probe WHERE order_id = ANY($1::uuid[])",
      events.map((event) => (event.data as { orderId: string }).orderId),
    );
    expect(transactions).toHaveLength(1);
    for (const event of events) expect(await inOutbox((event.data as { orderId: string }).orderId)).toBe(1);
  });
});
