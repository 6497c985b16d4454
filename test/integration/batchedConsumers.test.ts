import { randomUUID } from "node:crypto";
import { connect, type JetStreamManager, type NatsConnection } from "nats";
import { Registry } from "prom-client";
import { createEnvelope, type EventEnvelope } from "../../subgraphs/common/events/envelope";
import { EventConsumer, onEvent, type Outcome } from "../../subgraphs/common/events/eventConsumer";
import {
  deadLetterSubject,
  deleteStreams,
  ensureStreams,
  streamFor,
  subjectFor,
} from "../../subgraphs/common/events/streams";
import { createUnitOfWork, type Emit } from "../../subgraphs/common/events/unitOfWork";
import { createLogger } from "../../subgraphs/common/logger";
import type { ServiceName } from "../../subgraphs/common/serviceNames";
import { registerWorkCounters } from "../../subgraphs/common/workCounters";
import { createOrdersDatabase, type OrdersTx } from "../../subgraphs/orders";
import { NatsTap } from "../support/natsTap";
import { recordSentStatements } from "../support/sqlCounter";
import { provisionTestDatabase } from "../support/testDatabase";
import { newTestId } from "../support/testNames";
import { waitFor } from "../support/waitFor";

type Db = ReturnType<typeof createOrdersDatabase>;
const type = "inventory.reservation.succeeded";

/**
 * Consumers against a real PostgreSQL database and a real JetStream stream, and nothing else in
 * this process: every SQL commit the process counts is the consumer's. A handler writes what it
 * applied to a table of its own, with the transaction it ran in, so what committed is read back.
 */
describe("batched consumers: the deliveries of a pull applied in one transaction", () => {
  const testId = newTestId();
  let database: { url: string; drop(): Promise<void> };
  let db: Db;
  let nats: NatsConnection;
  let jsm: JetStreamManager;
  let consumers: EventConsumer<never>[] = [];
  /** Events the unit of work committed to the outbox, per commit. */
  const committed: EventEnvelope[][] = [];
  const registry = new Registry();
  registerWorkCounters(registry);
  const commits = async () => (await registry.getSingleMetric("sql_commits_total")!.get()).values[0]!.value;

  beforeAll(async () => {
    database = await provisionTestDatabase("orders", testId);
    db = createOrdersDatabase(database.url);
    await db.$executeRawUnsafe(
      `CREATE TABLE batch_probe (seq bigserial PRIMARY KEY, consumer text NOT NULL, order_id uuid NOT NULL,
         event_id uuid NOT NULL, tx bigint NOT NULL)`,
    );
    nats = await connect({ servers: process.env.NATS_URL ?? "nats://127.0.0.1:4222" });
    jsm = await nats.jetstreamManager();
    await ensureStreams(jsm, testId);
  });

  afterEach(async () => {
    for (const consumer of consumers) {
      await consumer.stop();
      await jsm.consumers.delete(consumer.stream, consumer.name).catch(() => undefined);
    }
    consumers = [];
    await jsm.streams.purge(streamFor(testId, type));
    await db.$executeRawUnsafe("TRUNCATE batch_probe, processed_event, outbox_event");
    committed.length = 0;
  });

  afterAll(async () => {
    await db?.$disconnect();
    if (jsm) await deleteStreams(jsm, testId);
    await nats?.close();
    await database?.drop();
  });

  /** Publishes an event (again, under another message id, for a copy JetStream stores twice). */
  async function publish(event: EventEnvelope, msgID: string = event.id): Promise<void> {
    await nats.jetstream().publish(subjectFor(testId, type), JSON.stringify(event), { msgID });
  }

  function reservation(orderId: string = randomUUID()): EventEnvelope<typeof type> {
    return createEnvelope("inventory", { type, data: { orderId } });
  }

  interface Options {
    service: ServiceName;
    batchSize: number;
    batchWaitMs?: number;
    /** Whether the handler fails on this call for this event (the n-th call of it, from 1). */
    fails?: (event: EventEnvelope<typeof type>, call: number) => boolean;
    maxDeliveries?: number;
    /** Give the handler a batch hook, which records the size of each batch it is handed. */
    batchSizes?: number[];
    /** The handler's own wait for more deliveries (in place of the consumer's `batchWaitMs`). */
    handlerBatchWaitMs?: number;
    /** Give the handler a recording hook (`handleRecording`): it records the events as applied itself. */
    records?: boolean;
    /** Give the handler an advisory lock per order (`lockKeys`), and record how many it holds when it runs. */
    locksHeld?: number[];
  }

  /** A consumer whose handler records the event in `batch_probe` and emits one event. */
  async function startConsumer(options: Options) {
    const calls = new Map<string, number>();
    const outcomes: Outcome[] = [];
    const batches: Array<{ size: number; outcome: string }> = [];
    const handle = async (event: EventEnvelope<typeof type>, tx: OrdersTx, emit: Emit) => {
      const call = (calls.get(event.id) ?? 0) + 1;
      calls.set(event.id, call);
      if (options.fails?.(event, call)) throw new Error(`event ${event.id} is poisoned`);
      if (options.locksHeld) {
        // The advisory locks the transaction's session holds as the handler starts.
        const [row] = await tx.$queryRawUnsafe<Array<{ held: number }>>(
          "SELECT count(*)::int AS held FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted",
        );
        options.locksHeld.push(row!.held);
      }
      await tx.$executeRawUnsafe(
        "INSERT INTO batch_probe (consumer, order_id, event_id, tx) VALUES ($1, $2::uuid, $3::uuid, txid_current())",
        options.service,
        event.data.orderId,
        event.id,
      );
      emit(type, { orderId: event.data.orderId });
    };
    const { batchSizes } = options;
    const handler = onEvent<OrdersTx, typeof type>(type, handle, {
      ...(batchSizes
        ? {
            handleBatch: async (events, tx, emit) => {
              batchSizes.push(events.length);
              for (const event of events) await handle(event, tx, emit);
            },
          }
        : {}),
      ...(options.handlerBatchWaitMs !== undefined ? { batchWaitMs: options.handlerBatchWaitMs } : {}),
      ...(options.records
        ? {
            // As the orders' saga replies do: the insert that records, then only the new events.
            handleRecording: async (events, tx, emit, record) => {
              const rows = await tx.$queryRawUnsafe<Array<{ event_id: string }>>(
                `INSERT INTO processed_event (consumer, event_id) SELECT $1::text, id FROM unnest($2::uuid[]) AS id
                 ON CONFLICT DO NOTHING RETURNING event_id::text AS event_id`,
                record.consumer,
                record.ids,
              );
              const fresh = new Set(rows.map((row) => row.event_id));
              for (const event of events) if (fresh.has(event.id.toLowerCase())) await handle(event, tx, emit);
              return fresh;
            },
          }
        : {}),
      ...(options.locksHeld ? { lockKeys: (event) => [`test:order:${event.data.orderId}`] } : {}),
    });
    const unitOfWork = createUnitOfWork<OrdersTx>({
      service: options.service,
      db,
      onCommitted: (events) => committed.push([...events]),
    });
    const consumer = new EventConsumer<OrdersTx>({
      service: options.service,
      handler: handler as never,
      unitOfWork,
      db,
      js: nats.jetstream(),
      jsm,
      namespace: testId,
      logger: createLogger(options.service, { level: "silent" }),
      maxDeliveries: options.maxDeliveries ?? 5,
      retryDelaysMs: [20],
      concurrency: 4,
      batchSize: options.batchSize,
      batchWaitMs: options.batchWaitMs ?? 1000,
      onOutcome: (_type, outcome) => outcomes.push(outcome),
      onBatch: (size, outcome) => batches.push({ size, outcome }),
    });
    consumers.push(consumer as never);
    await consumer.start();
    return { consumer, calls, outcomes, batches };
  }

  /** Resolves once the consumer has nothing pending or unacknowledged (asked of NATS, not SQL). */
  async function drained(consumer: EventConsumer<OrdersTx>, what: string): Promise<void> {
    await waitFor(async () => {
      const info = await jsm.consumers.info(consumer.stream, consumer.name);
      return info.num_pending === 0 && info.num_ack_pending === 0 && info.num_redelivered === 0;
    }, what);
  }

  const probe = (service: ServiceName) =>
    db.$queryRawUnsafe<Array<{ seq: bigint; order_id: string; event_id: string; tx: bigint }>>(
      "SELECT seq, order_id::text, event_id::text, tx FROM batch_probe WHERE consumer = $1 ORDER BY seq",
      service,
    );

  it("lets a handler that nobody waits for linger for more deliveries than the consumer would", async () => {
    const running = await startConsumer({ service: "orders", batchSize: 20, batchWaitMs: 0, handlerBatchWaitMs: 1500 });
    const events = Array.from({ length: 5 }, () => reservation());
    // Published one by one, 60 ms apart: with the consumer's wait (none) each would be a batch.
    for (const event of events) {
      await publish(event);
      await new Promise((resolve) => setTimeout(resolve, 60));
    }
    await drained(running.consumer, "the lingering consumer to apply the events");
    expect(running.batches).toEqual([{ size: 5, outcome: "committed" }]);
    expect(new Set((await probe("orders")).map((row) => row.tx)).size).toBe(1);
  });

  it("applies twenty events delivered together in one transaction: one commit instead of twenty", async () => {
    const events = Array.from({ length: 20 }, () => reservation());
    for (const event of events) await publish(event);

    // One by one (a batch of one): a transaction, so a commit, per event.
    const before = await commits();
    const single = await startConsumer({ service: "payments", batchSize: 1 });
    await drained(single.consumer, "the one-by-one consumer to apply the events");
    const oneByOne = (await commits()) - before;

    const between = await commits();
    const batched = await startConsumer({ service: "orders", batchSize: 20 });
    await drained(batched.consumer, "the batched consumer to apply the events");
    const inBatch = (await commits()) - between;

    expect(oneByOne).toBe(20);
    expect(inBatch).toBe(1);
    expect(batched.batches).toEqual([{ size: 20, outcome: "committed" }]);

    const applied = await probe("orders");
    expect(applied.map((row) => row.event_id)).toEqual(events.map((event) => event.id));
    expect(new Set(applied.map((row) => row.tx)).size).toBe(1);
    expect(new Set((await probe("payments")).map((row) => row.tx)).size).toBe(20);
    // The ids recorded and the events emitted went in with the handlers' writes.
    const [recorded] = await db.$queryRawUnsafe<Array<{ events: bigint; transactions: bigint }>>(
      `SELECT count(*) AS events, count(DISTINCT xmin::text) AS transactions FROM processed_event WHERE consumer = $1`,
      "orders__inventory_reservation_succeeded",
    );
    expect(recorded).toEqual({ events: 20n, transactions: 1n });
    const batchCommit = committed.find((events) => events.length === 20);
    expect(batchCommit?.map((event) => (event.data as { orderId: string }).orderId)).toEqual(
      events.map((event) => event.data.orderId),
    );
    const [outbox] = await db.$queryRawUnsafe<Array<{ transactions: bigint }>>(
      `SELECT count(DISTINCT xmin::text) AS transactions FROM outbox_event WHERE id = ANY($1::uuid[])`,
      batchCommit!.map((event) => event.id),
    );
    expect(outbox?.transactions).toBe(1n);
  });

  it("hands a batch hook the batch's new events at once, duplicates left out, and falls back to one by one when it throws", async () => {
    const events = Array.from({ length: 6 }, () => reservation());
    for (const event of events) await publish(event);
    await publish(events[2]!, `${events[2]!.id}-again`);
    const batchSizes: number[] = [];
    const batched = await startConsumer({ service: "orders", batchSize: 20, batchSizes });
    await drained(batched.consumer, "the batch hook to apply the events");
    expect(batchSizes).toEqual([6]);
    const applied = await probe("orders");
    expect(applied.map((row) => row.event_id)).toEqual(events.map((event) => event.id));
    expect(new Set(applied.map((row) => row.tx)).size).toBe(1);

    // A batch whose hook throws (its third event fails once) is applied event by event with `handle`.
    const more = Array.from({ length: 4 }, () => reservation());
    for (const event of more) await publish(event);
    const poisoned = more[2]!.id;
    const failing: number[] = [];
    const second = await startConsumer({
      service: "payments",
      batchSize: 20,
      batchSizes: failing,
      fails: (event, call) => event.id === poisoned && call === 1,
    });
    await drained(second.consumer, "the failed batch to be applied one by one");
    expect(failing[0]).toBe(events.length + more.length);
    // The pull held the duplicate copy too.
    expect(second.batches[0]).toEqual({ size: events.length + more.length + 1, outcome: "split" });
    const after = await probe("payments");
    expect(after.map((row) => row.event_id).sort()).toEqual([...events, ...more].map((event) => event.id).sort());
    expect(new Set(after.map((row) => row.event_id)).size).toBe(events.length + more.length);
  });

  it("retries a poisoned event alone and dead-letters it, while the rest of its batch is applied once", async () => {
    const events = Array.from({ length: 10 }, () => reservation());
    const poisoned = events[4]!;
    for (const event of events) await publish(event);
    const consumerName = "orders__inventory_reservation_succeeded";
    const deadLetters = await NatsTap.open(deadLetterSubject(testId, consumerName));
    try {
      const running = await startConsumer({
        service: "orders",
        batchSize: 10,
        batchWaitMs: 50,
        maxDeliveries: 2,
        fails: (event) => event.id === poisoned.id,
      });
      await waitFor(() => deadLetters.received.length > 0, "the poisoned event in the dead letters");
      await drained(running.consumer, "the consumer to settle every event");

      const applied = await probe("orders");
      expect(applied.map((row) => row.event_id).sort()).toEqual(
        events
          .filter((event) => event !== poisoned)
          .map((event) => event.id)
          .sort(),
      );
      // The batch failed once and was split; the poisoned event's second delivery came alone.
      expect(running.batches).toEqual([{ size: 10, outcome: "split" }]);
      // Its handler ran in the batch, alone after the split, and alone on its redelivery.
      expect(running.calls.get(poisoned.id)).toBe(3);
      expect(deadLetters.received).toEqual([
        expect.objectContaining({
          consumer: consumerName,
          deliveries: 2,
          reason: `event ${poisoned.id} is poisoned`,
          event: expect.objectContaining({ id: poisoned.id }),
        }),
      ]);
      const outcomes = running.outcomes;
      expect(outcomes.filter((outcome) => outcome === "applied")).toHaveLength(9);
      expect(outcomes.filter((outcome) => outcome !== "applied").sort()).toEqual(["dead_lettered", "retried"]);
      expect(await db.processedEvent.count({ where: { consumer: consumerName } })).toBe(9);
    } finally {
      await deadLetters.close();
    }
  });

  it("keeps the order of one order's events when one of them fails in a batch", async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    const [a1, b1, a2, b2, a3] = [reservation(a), reservation(b), reservation(a), reservation(b), reservation(a)];
    for (const event of [a1, b1, a2, b2, a3]) await publish(event!);
    const running = await startConsumer({
      service: "orders",
      batchSize: 5,
      batchWaitMs: 50,
      maxDeliveries: 5,
      // a2 fails in the batch and alone after it; its redelivery succeeds.
      fails: (event, call) => event.id === a2!.id && call <= 2,
    });
    await waitFor(async () => (await probe("orders")).length === 5, "every event applied");
    await drained(running.consumer, "the consumer to settle every event");

    const applied = await probe("orders");
    const ofOrder = (orderId: string) => applied.filter((row) => row.order_id === orderId).map((row) => row.event_id);
    expect(ofOrder(a)).toEqual([a1!.id, a2!.id, a3!.id]);
    expect(ofOrder(b)).toEqual([b1!.id, b2!.id]);
    expect(running.batches[0]).toEqual({ size: 5, outcome: "split" });
    // The batch stopped at a2. Split: a1, b1 again, a2 failed again, b2 applied, and a3 handed
    // back without running; redelivered, a2 then a3.
    expect(running.calls.get(a1!.id)).toBe(2);
    expect(running.calls.get(a2!.id)).toBe(3);
    expect(running.calls.get(b2!.id)).toBe(1);
    expect(running.calls.get(a3!.id)).toBe(1);
    expect(await db.processedEvent.count({ where: { consumer: "orders__inventory_reservation_succeeded" } })).toBe(5);
  });

  it("takes the advisory locks a handler declares in the statement that records its events, before the handler runs", async () => {
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
    const events = [reservation(a), reservation(b), reservation(a), reservation(c), reservation(b)];
    for (const event of events) await publish(event);
    const locksHeld: number[] = [];
    const { statements } = await recordSentStatements(async () => {
      const running = await startConsumer({ service: "orders", batchSize: 5, batchWaitMs: 50, locksHeld });
      await waitFor(async () => (await probe("orders")).length === 5, "the five events applied");
      await drained(running.consumer, "the batch to settle");
      expect(running.batches).toEqual([{ size: 5, outcome: "committed" }]);
    });
    // Every handler of the batch ran holding the locks of its three orders, and no statement
    // other than the record of the events took them.
    expect(locksHeld).toEqual([3, 3, 3, 3, 3]);
    const locking = statements.filter((each) => /pg_advisory_xact_lock/.test(each.text));
    expect(locking.map((each) => each.text.split(/\s+/).slice(0, 3).join(" "))).toEqual([
      "INSERT INTO processed_event",
    ]);

    // One by one (a batch of one, from the stream's start): each event's one lock, taken the same way.
    await publish(reservation(a));
    const aloneHeld: number[] = [];
    const alone = await startConsumer({ service: "payments", batchSize: 1, locksHeld: aloneHeld });
    await waitFor(async () => (await probe("payments")).length === 6, "the six events applied one by one");
    await drained(alone.consumer, "the single events to settle");
    expect(aloneHeld).toEqual([1, 1, 1, 1, 1, 1]);
  });

  it.each([
    ["", false],
    [", also when the handler records the events itself", true],
  ])(
    "applies a redelivered event once, in the same batch as its first delivery or in a later one%s",
    async (_, records) => {
      const events = Array.from({ length: 4 }, () => reservation());
      for (const event of events) await publish(event);
      // A copy stored under another message id, delivered in the same batch as the original.
      await publish(events[1]!, `${events[1]!.id}-copy`);
      const running = await startConsumer({ service: "orders", batchSize: 5, batchWaitMs: 50, records });
      await waitFor(async () => (await probe("orders")).length === 4, "the four events applied");
      await drained(running.consumer, "the first batch to settle");
      expect(running.batches).toEqual([{ size: 5, outcome: "committed" }]);

      // Redelivered later (as after a lost acknowledgement): duplicates, in a batch of their own.
      await publish(events[0]!, `${events[0]!.id}-again`);
      await publish(events[2]!, `${events[2]!.id}-again`);
      await publish(events[3]!, `${events[3]!.id}-again`);
      await waitFor(() => running.outcomes.length === 8, "the redeliveries handled");
      await drained(running.consumer, "the redeliveries to settle");

      expect((await probe("orders")).map((row) => row.event_id)).toEqual(events.map((event) => event.id));
      expect([...running.outcomes].sort()).toEqual([
        "applied",
        "applied",
        "applied",
        "applied",
        "duplicate",
        "duplicate",
        "duplicate",
        "duplicate",
      ]);
      // No handler ran for a duplicate.
      expect([...running.calls.values()]).toEqual([1, 1, 1, 1]);
    },
  );
});
