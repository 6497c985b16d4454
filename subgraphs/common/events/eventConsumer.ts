import {
  AckPolicy,
  DeliverPolicy,
  nanos,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from "nats";
import type { Logger } from "../logger";
import { inSpanFrom, SpanKind } from "../observability/tracing";
import type { SqlExecutor } from "../database/prismaOptions";
import { heldUntilCommit, takeLocksOf } from "../database/advisoryLock";
import { sql, statement } from "../database/sqlPool";
import { isTransientDatabaseFailure } from "../database/transientFailure";
import type { ServiceName } from "../serviceNames";
import { appliedRecordInsert, appliedRecordOf, type AppliedRecord } from "./appliedRecord";
import type { EventType } from "./catalog";
import { deadLetterOf } from "./deadLetters";
import { InvalidEventError, parseEnvelope, type EventEnvelope } from "./envelope";
import {
  deadLetterSubject,
  hasSubjectDetail,
  streamFor,
  subjectFor,
  subjectOf,
  unconsumedSubjectDetails,
} from "./streams";
import { continueTrace, type Emit, type UnitOfWork } from "./unitOfWork";

/**
 * What a service does with one type of event. `handle` runs inside the transaction that also
 * records the event as applied, so its database effects happen exactly once; effects outside
 * the database must be idempotent themselves (an idempotency key, an upsert).
 */
export interface EventHandlerOptions<T extends EventType> {
  /**
   * Whether an event of the type concerns this service at all. Others are acknowledged without
   * a transaction: a handler that would do nothing needs no record that it did nothing.
   */
  appliesTo?: (event: EventEnvelope<T>) => boolean;
  /**
   * For a type published on a subject per detail (`subjectDetails` in streams.ts: the status of
   * `orders.order.status_changed`), the details this handler takes: its consumer subscribes to
   * those subjects only, so other events of the type are never delivered to it. Without it, it
   * takes every detail.
   */
  subjectDetails?: readonly string[];
  /**
   * The handler's effect is idempotent by itself: one statement that applies a version (a read
   * model's "newer wins" upsert), so a redelivered or older event changes nothing. It then runs
   * outside a transaction and without recording the event as applied, and may emit nothing. Its
   * `handleBatch`, if any, applies a batch outside a transaction too (one set-based statement).
   */
  idempotentByVersion?: boolean;
  /**
   * The handler uses only SQL (`sql(tx)`, raw queries), none of Prisma's models: its events are
   * applied in a transaction of our own on the pool (`createSqlUnitOfWork`), which costs a
   * fraction of Prisma's interactive one. Declare it with `onEvent<SqlExecutor, ...>`.
   */
  sqlOnly?: boolean;
  /**
   * How long a batch of this handler waits for more deliveries after its first, at most, in place
   * of the consumer's `batchWaitMs`: a handler nobody waits for (notifications) may linger to
   * apply more events per transaction, where the fixed cost of one (BEGIN, the idempotency
   * insert, COMMIT, the work it wakes) is most of the cost of a small batch.
   */
  batchWaitMs?: number;
  /**
   * The advisory locks (`lockUntilCommit`'s keys) the handler takes first for an event: the
   * consumer takes them in the statement that records the events as applied, in key order, so
   * they cost no statement of their own. That statement comes before the handler's, so what the
   * handler reads sees what the locks' previous holders committed. The handler asks for them all
   * the same (`lockAllUntilCommit`), for when it runs without the consumer (a test's
   * transaction): a lock its transaction holds already sends nothing.
   */
  lockKeys?: (event: EventEnvelope<T>) => readonly string[];
}

/**
 * Applies a batch's new events of the type at once, in the transaction that records them (a
 * consumer given a batch calls it instead of `handle` per event): set-based work for many events
 * in a few statements. Its events are in delivery order, none a duplicate; a handler that emits
 * per event sets that event's trace first (`continueTrace(emit, event.traceparent)`). Throwing
 * applies none of them: the consumer then applies them one by one with `handle`.
 */
export type BatchHandle<Tx, T extends EventType> = (
  events: ReadonlyArray<EventEnvelope<T>>,
  tx: Tx,
  emit: Emit,
) => Promise<void>;

/**
 * Applies events of the type and records them as applied in the handler's own first statement
 * (`appliedRecordInsert` with `record`), where the consumer would send an insert of its own:
 * a round trip fewer per transaction. It is given the events of a batch (or the one event of a
 * delivery) each once, duplicates of events applied before among them; it applies only those
 * the record answers as new, and answers their ids (lower case). The consumer calls it in place
 * of `handle` and `handleBatch`, inside the same unit of work; throwing applies and records
 * nothing, as with them.
 */
export type RecordingHandle<Tx, T extends EventType> = (
  events: ReadonlyArray<EventEnvelope<T>>,
  tx: Tx,
  emit: Emit,
  record: AppliedRecord,
) => Promise<ReadonlySet<string>>;

export interface EventHandler<Tx, T extends EventType = EventType> extends EventHandlerOptions<T> {
  type: T;
  handle(event: EventEnvelope<T>, tx: Tx, emit: Emit): Promise<void>;
  handleBatch?: BatchHandle<Tx, T>;
  handleRecording?: RecordingHandle<Tx, T>;
}

/** Declares a handler with its event type inferred, so `event.data` is typed. */
export function onEvent<Tx, T extends EventType>(
  type: T,
  handle: (event: EventEnvelope<T>, tx: Tx, emit: Emit) => Promise<void>,
  options: EventHandlerOptions<T> & { handleBatch?: BatchHandle<Tx, T>; handleRecording?: RecordingHandle<Tx, T> } = {},
): EventHandler<Tx, T> {
  return { type, handle, ...options };
}

/** The `emit` of a handler idempotent by version, which runs outside any unit of work. */
const emitNothing: Emit = Object.assign(
  (type: string) => {
    throw new Error(`a handler idempotent by version cannot emit events (tried ${type})`);
  },
  {
    wake: () => {
      throw new Error("a handler idempotent by version runs outside a transaction");
    },
  },
) as Emit;

/** A handler of any one event type (a union over the catalog). */
export type AnyEventHandler<Tx> = { [T in EventType]: EventHandler<Tx, T> }[EventType];

export interface EventConsumerOptions<Tx extends SqlExecutor> {
  service: ServiceName;
  handler: AnyEventHandler<Tx>;
  unitOfWork: UnitOfWork<Tx>;
  /** The unit of work of `sqlOnly` handlers (without it they take `unitOfWork`). */
  sqlUnitOfWork?: UnitOfWork<SqlExecutor>;
  /** The database outside a transaction, for handlers idempotent by version. */
  db: Tx;
  js: JetStreamClient;
  jsm: JetStreamManager;
  namespace: string;
  logger: Logger;
  /** Deliveries before an event goes to the dead-letter subject. */
  maxDeliveries?: number;
  /** Delay before redelivery after the n-th failure (the last entry repeats). */
  retryDelaysMs?: readonly number[];
  /** Told how each delivery ended (metrics). */
  onOutcome?: (type: string, outcome: Outcome) => void;
  /**
   * Batches handled at once (each in its own transaction); events about one order (or product,
   * or user) always one after another.
   */
  concurrency?: number;
  /** Deliveries applied together in one transaction, at most (1: a transaction per event). */
  batchSize?: number;
  /** How long a batch waits for more deliveries after its first, at most (0: only those already here). */
  batchWaitMs?: number;
  /** Told of every batch of two or more events: committed together, or split after a failure (metrics). */
  onBatch?: (size: number, outcome: "committed" | "split") => void;
}

const recordEvents = statement("processed_event_record", appliedRecordInsert(1));

// The locks are an uncorrelated subquery of the insert's condition: evaluated once, before the
// first row is inserted, so the statement waits for a lock before it holds any row of its own.
const lockAndRecordEvents = statement(
  "processed_event_record_locking",
  `INSERT INTO processed_event (consumer, event_id)
     SELECT $1::text, id FROM unnest($2::uuid[]) AS id
      WHERE (${takeLocksOf(3)}) >= 0
   ON CONFLICT DO NOTHING RETURNING event_id::text AS event_id`,
);

/**
 * Records events as applied by a consumer, in one named statement however many: answers the ids
 * (lower case) not recorded before, the others being duplicates. With `lockKeys`, the same
 * statement first takes those advisory locks, held until the transaction ends.
 */
async function recordApplied(
  tx: SqlExecutor,
  consumer: string,
  ids: readonly string[],
  lockKeys: readonly string[] = [],
): Promise<string[]> {
  const keys = [...new Set(lockKeys)].sort();
  const rows =
    keys.length === 0
      ? await sql<{ event_id: string }>(tx, recordEvents, [consumer, ids])
      : await sql<{ event_id: string }>(tx, lockAndRecordEvents, [consumer, ids, keys]);
  heldUntilCommit(tx, keys);
  return rows.map((row) => row.event_id);
}

/** How a delivery ended. */
export type Outcome = "applied" | "duplicate" | "ignored" | "retried" | "dead_lettered";

/** A delivery with its parsed body (undefined when it is not JSON). */
interface Delivery {
  message: JsMsg;
  raw: unknown;
  key: string;
}

/** A delivery whose event is valid and concerns the handler: it needs the database. */
interface Work extends Delivery {
  event: EventEnvelope;
}

/** How a delivery processed on its own ended, with the delay of its redelivery when it was retried. */
interface Ending {
  outcome: Outcome;
  retryInMs?: number;
}

const encoder = new TextEncoder();

/** What an event is about: events about one thing are applied in stream order, one at a time. */
function orderingKey(raw: unknown): string {
  const event = raw as { id?: string; data?: { orderId?: string; productId?: string; userId?: string } } | null;
  return event?.data?.orderId ?? event?.data?.productId ?? event?.data?.userId ?? event?.id ?? "";
}

/** A delivery with its body parsed as JSON, if it is JSON, and its ordering key. */
function deliveryOf(message: JsMsg): Delivery {
  let raw: unknown;
  try {
    raw = message.json();
  } catch {
    raw = undefined;
  }
  return { message, raw, key: orderingKey(raw) };
}

/**
 * How a durable's open pull request is kept. Every pull, heartbeat and expiry is a message the
 * server and this process handle, for every durable (about 75 in the platform, most of them idle).
 * The client asks for more once no more than `threshold_messages` of what it asked for are still
 * to come: nats.js' default (three quarters of `max_messages`) sends a pull every 16 deliveries
 * of a busy durable; this one, every 192. An idle durable's pull lasts `expires` and hears an idle
 * heartbeat every `idle_heartbeat` (30 s, nats.js' longest), where the default was a pull every
 * 30 s and a heartbeat every 15 s. Two heartbeats missed (a minute) make the client pull anew.
 * The server hands messages to the open pulls in turn, so replicas that share a durable still
 * share its deliveries; a batch is bounded by `batchSize` (256 at most), not by this.
 */
const pullSettings = { max_messages: 256, threshold_messages: 64, expires: 120_000, idle_heartbeat: 30_000 };

/** One durable JetStream consumer of an `EventConsumer`: its name and the subject it filters on. */
interface Durable {
  name: string;
  subject: string;
}

/**
 * A durable JetStream consumer for one event type. Replicas of a service share the durable, so
 * each event is handled once per service.
 *
 * Deliveries are applied in batches: what the pull has brought (up to `batchSize`, waiting at
 * most `batchWaitMs` after the first for more) in one transaction — one insert records the ids
 * of them all (an id recorded before is a duplicate), each new event's handler runs in delivery
 * order, what the handlers emitted goes to the outbox in one insert, one commit — and then they
 * are acknowledged together. A batch that fails is applied again event by event, each in its
 * own transaction as a single delivery is, so one poison message neither blocks nor redelivers
 * the others, and is retried and dead-lettered alone. Several batches are handled at once, but
 * events about the same order, product or user are applied one after another, in stream order:
 * a batch waits for the batches before it that share one of its keys, and in a batch applied
 * event by event, an event after a failed one of its key is handed back to come after it.
 *
 * For a type published on a subject per detail, it runs one durable per detail it takes
 * (`<name>__<detail>`; NATS 2.9 filters a consumer on one subject), and keeps the durable named
 * `<name>` on the bare subject, unchanged, for events published before details existed (or by a
 * replica not yet upgraded). All of them record applied events under `<name>`, so an event
 * applied from one subject is a duplicate on another (a replayed dead letter).
 */
export class EventConsumer<Tx extends SqlExecutor> {
  readonly name: string;
  /** The durables this consumer runs: one, or one per subject detail and the bare subject's. */
  readonly durables: readonly Durable[];
  private readonly subscriptions: ConsumerMessages[] = [];
  private readonly loops: Promise<void>[] = [];
  /** The last batch of each ordering key, across every durable of this consumer. */
  private readonly lastOfKey = new Map<string, Promise<void>>();
  private running = false;
  private readonly maxDeliveries: number;
  private readonly retryDelaysMs: readonly number[];
  private readonly batchSize: number;
  private readonly batchWaitMs: number;
  private readonly logger: Logger;

  constructor(private readonly options: EventConsumerOptions<Tx>) {
    this.name = `${options.service}__${options.handler.type.replaceAll(".", "_")}`;
    // A handler that records its events itself takes its own locks: the consumer's record, which
    // would take `lockKeys`, is not sent for it.
    if (options.handler.handleRecording && options.handler.lockKeys)
      throw new Error(`${this.name}: a handler that records its events (handleRecording) takes no lockKeys`);
    this.maxDeliveries = options.maxDeliveries ?? 5;
    this.retryDelaysMs = options.retryDelaysMs ?? [200, 1000, 5000, 15000];
    // A pull request asks for 256 messages at most.
    this.batchSize = Math.min(256, Math.max(1, options.batchSize ?? 64));
    this.batchWaitMs = Math.max(0, options.handler.batchWaitMs ?? options.batchWaitMs ?? 2);
    this.logger = options.logger.child({ module: "consumer", consumer: this.name });
    const { namespace, handler } = options;
    const subject = subjectFor(namespace, handler.type);
    const details = handler.subjectDetails;
    const unconsumed = details?.filter((detail) => unconsumedSubjectDetails[handler.type]?.includes(detail)) ?? [];
    if (unconsumed.length > 0)
      throw new Error(
        `${this.name} takes ${unconsumed.join(", ")}, published without acknowledgement as no consumer takes them: take them off unconsumedSubjectDetails (streams.ts) first`,
      );
    this.durables = hasSubjectDetail(handler.type)
      ? [
          { name: this.name, subject },
          ...(details ?? ["*"]).map((detail) => ({
            name: `${this.name}__${detail === "*" ? "any" : detail}`,
            subject: `${subject}.${detail}`,
          })),
        ]
      : [{ name: this.name, subject }];
  }

  get stream(): string {
    return streamFor(this.options.namespace, this.options.handler.type);
  }

  async start(): Promise<void> {
    const { jsm, js } = this.options;
    this.running = true;
    for (const durable of this.durables) {
      const config = {
        durable_name: durable.name,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        filter_subject: durable.subject,
        ack_wait: nanos(30_000),
        // Redelivery is bounded by this class (dead letter after maxDeliveries), not by the server.
        max_deliver: -1,
        max_ack_pending: 1000,
      };
      try {
        await jsm.consumers.add(this.stream, config);
      } catch (error) {
        if (!/already exists|already in use/i.test((error as Error).message)) throw error;
        await jsm.consumers.update(this.stream, durable.name, config);
      }
      const consumer = await js.consumers.get(this.stream, durable.name);
      // One pull request stays open; the server sends what it has at once, up to `max_messages`,
      // and the client asks for more as they arrive. A batch is formed here from what has
      // arrived, not by a pull per batch.
      // A copy: nats.js fills in the options object it is given.
      const messages = await consumer.consume({ ...pullSettings });
      this.subscriptions.push(messages);
      this.loops.push(this.run(messages));
    }
  }

  /** Stops fetching, lets the events in hand finish, and leaves the rest for the next start. */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.subscriptions.splice(0).map((messages) => messages.close()));
    await Promise.all(this.loops.splice(0));
  }

  /** Events waiting for this consumer, over all its durables. */
  async pending(): Promise<number> {
    const infos = await Promise.all(
      this.durables.map((durable) => this.options.jsm.consumers.info(this.stream, durable.name)),
    );
    return infos.reduce((sum, info) => sum + info.num_pending, 0);
  }

  isRunning(): boolean {
    return this.running;
  }

  private async run(messages: ConsumerMessages): Promise<void> {
    const concurrency = Math.max(1, this.options.concurrency ?? 1);
    const inFlight = new Set<Promise<void>>();
    const deliveries = messages[Symbol.asyncIterator]();
    // A request for the next delivery that the last batch stopped waiting for.
    let next: Promise<IteratorResult<JsMsg>> | undefined;
    for (;;) {
      const first = await (next ?? deliveries.next());
      next = undefined;
      if (first.done) break;
      const batch = [first.value];
      let ended = false;
      if (this.batchSize > 1) {
        // The deliveries that came with the first, and those that come within the wait.
        let timer: ReturnType<typeof setTimeout> | undefined;
        let immediate: ReturnType<typeof setImmediate> | undefined;
        const waited = new Promise<"waited">((resolve) => {
          if (this.batchWaitMs > 0) timer = setTimeout(resolve, this.batchWaitMs, "waited");
          else immediate = setImmediate(resolve, "waited");
        });
        while (batch.length < this.batchSize) {
          next = deliveries.next();
          const result = await Promise.race([next, waited]);
          if (result === "waited") break;
          next = undefined;
          if (result.done) {
            ended = true;
            break;
          }
          batch.push(result.value);
        }
        clearTimeout(timer);
        if (immediate) clearImmediate(immediate);
      }
      if (!this.running) {
        // Handed back for another replica or the next start. The loop drains what was already
        // fetched rather than breaking off: the iterator ends, and `close` resolves, only once
        // everything queued before the stop has been taken.
        for (const message of batch) message.nak();
      } else {
        const task = this.schedule(batch.map(deliveryOf));
        inFlight.add(task);
        void task.finally(() => inFlight.delete(task));
        if (inFlight.size >= concurrency) await Promise.race(inFlight);
      }
      if (ended) break;
    }
    await Promise.all(inFlight);
  }

  /** Runs a batch once every batch before it that shares one of its ordering keys has ended. */
  private schedule(batch: readonly Delivery[]): Promise<void> {
    const keys = [...new Set(batch.map((delivery) => delivery.key))];
    const before = keys.flatMap((key) => this.lastOfKey.get(key) ?? []);
    const task = (before.length > 0 ? Promise.all(before) : Promise.resolve()).then(() => this.processBatch(batch));
    for (const key of keys) this.lastOfKey.set(key, task);
    void task.finally(() => {
      for (const key of keys) if (this.lastOfKey.get(key) === task) this.lastOfKey.delete(key);
    });
    return task;
  }

  /**
   * Applies a batch of deliveries; never throws. Invalid events are dead-lettered and events that
   * do not concern the handler acknowledged, each on its own; the others are applied in one
   * transaction and acknowledged together after its commit, or, if it fails, one by one.
   */
  private async processBatch(batch: readonly Delivery[]): Promise<void> {
    if (batch.length === 1) {
      await this.processOne(batch[0]!);
      return;
    }
    const work: Work[] = [];
    for (const delivery of batch) {
      let event: EventEnvelope | undefined;
      try {
        event = delivery.raw === undefined ? undefined : parseEnvelope(delivery.raw);
      } catch {
        event = undefined;
      }
      if (!event || event.type !== this.options.handler.type) {
        // Invalid, or of another type: dead-lettered, with its reason, as a single delivery is.
        await this.processOne(delivery);
      } else if (this.ignores(event)) {
        delivery.message.ack();
        this.options.onOutcome?.(event.type, "ignored");
      } else work.push({ ...delivery, event });
    }
    if (work.length <= 1) {
      if (work[0]) await this.processOne(work[0], work[0].event);
      return;
    }
    let outcomes: Outcome[];
    try {
      outcomes = await this.applyBatch(work.map((each) => each.event));
    } catch (error) {
      this.options.onBatch?.(work.length, "split");
      this.logger.debug(
        { events: work.length, err: (error as Error).message },
        "a batch of events failed; applying them one by one",
      );
      await this.processOneByOne(work);
      return;
    }
    // After the commit, all together: each ack is a publish that is not awaited, and the
    // connection sends what was written in one tick in one write.
    work.forEach((each, index) => {
      each.message.ack();
      this.options.onOutcome?.(each.event.type, outcomes[index]!);
    });
    this.options.onBatch?.(work.length, "committed");
  }

  /**
   * The events of a failed batch, each in its own transaction, in delivery order. An event whose
   * key had an earlier event fail in this batch is not applied before it: it is handed back with
   * the same delay, to be redelivered after it.
   */
  private async processOneByOne(work: readonly Work[]): Promise<void> {
    const heldBack = new Map<string, number>();
    for (const each of work) {
      const delay = heldBack.get(each.key);
      if (delay !== undefined) {
        each.message.nak(delay);
        this.options.onOutcome?.(each.event.type, "retried");
        continue;
      }
      const ending = await this.processOne(each, each.event);
      if (ending.outcome === "retried") heldBack.set(each.key, ending.retryInMs ?? 0);
    }
  }

  /**
   * Applies one message in its own transaction; never throws (a failure is a nak, a dead letter,
   * or a log line). It runs in a span that continues the trace the event was emitted in, so one
   * trace crosses the bus.
   */
  async process(message: JsMsg, raw: unknown = undefined): Promise<Outcome> {
    return (await this.processOne({ message, raw, key: orderingKey(raw) })).outcome;
  }

  private async processOne({ message, raw }: Delivery, parsed?: EventEnvelope): Promise<Ending> {
    let event: EventEnvelope;
    try {
      event = parsed ?? parseEnvelope(raw ?? message.json());
    } catch (error) {
      const ending = await this.deadLetter(message, undefined, error as Error);
      this.options.onOutcome?.("invalid", "dead_lettered");
      return ending;
    }
    return this.inConsumeSpan(event, async () => {
      try {
        const outcome = await this.apply(event);
        message.ack();
        this.options.onOutcome?.(event.type, outcome);
        return { outcome };
      } catch (error) {
        const deliveries = message.info.redeliveryCount;
        if (isTransientDatabaseFailure(error)) {
          // The database is away, not the event at fault: it waits for the database however
          // long that takes, and never goes to the dead letters for it.
          const delay = this.retryDelayAfter(deliveries);
          if (deliveries === 1 || deliveries % 10 === 0) {
            this.logger.warn(
              { eventId: event.id, deliveries, err: (error as Error).message, retryInMs: delay },
              "database unavailable; the event waits for it",
            );
          }
          message.nak(delay);
          this.options.onOutcome?.(event.type, "retried");
          return { outcome: "retried", retryInMs: delay };
        }
        if (error instanceof InvalidEventError || deliveries >= this.maxDeliveries) {
          const ending = await this.deadLetter(message, event, error as Error);
          this.options.onOutcome?.(event.type, "dead_lettered");
          return ending;
        }
        const delay = this.retryDelayAfter(deliveries);
        this.logger.warn(
          { eventId: event.id, deliveries, err: (error as Error).message, retryInMs: delay },
          "event handler failed; will retry",
        );
        message.nak(delay);
        this.options.onOutcome?.(event.type, "retried");
        return { outcome: "retried", retryInMs: delay };
      }
    });
  }

  /** Runs work in a consumer span that continues the event's trace (the events it emits carry it on). */
  private inConsumeSpan<R>(event: EventEnvelope, work: () => Promise<R>): Promise<R> {
    const attributes = {
      "messaging.system": "nats",
      "messaging.destination.name": event.type,
      "messaging.message.id": event.id,
      "messaging.consumer.group.name": this.name,
    };
    return inSpanFrom(
      event.traceparent,
      `${this.options.service} consume ${event.type}`,
      SpanKind.CONSUMER,
      attributes,
      work,
    );
  }

  /** The delay before redelivery after the n-th failed delivery (the last configured one repeats). */
  private retryDelayAfter(deliveries: number): number {
    return this.retryDelaysMs[Math.min(deliveries - 1, this.retryDelaysMs.length - 1)] ?? 1000;
  }

  /** Whether an event of the handler's type does not concern it: acknowledged without a transaction. */
  private ignores(event: EventEnvelope): boolean {
    const { appliesTo, subjectDetails } = this.options.handler as {
      appliesTo?: (event: EventEnvelope) => boolean;
      subjectDetails?: readonly string[];
    };
    if (event.type !== this.options.handler.type) return false;
    if (appliesTo && !appliesTo(event)) return true;
    // An event of the bare subject (published before details existed) with a detail not taken.
    return subjectDetails !== undefined && !subjectDetails.includes(this.detailOf(event));
  }

  /** The unit of work the handler's events are applied in: ours on the pool for an SQL-only handler. */
  private get unitOfWork(): UnitOfWork<Tx> {
    const { handler, sqlUnitOfWork, unitOfWork } = this.options;
    return handler.sqlOnly && sqlUnitOfWork ? (sqlUnitOfWork as unknown as UnitOfWork<Tx>) : unitOfWork;
  }

  private get handle(): (event: EventEnvelope, tx: Tx, emit: Emit) => Promise<void> {
    return this.options.handler.handle as (event: EventEnvelope, tx: Tx, emit: Emit) => Promise<void>;
  }

  private get handleRecording(): RecordingHandle<Tx, EventType> | undefined {
    return this.options.handler.handleRecording as RecordingHandle<Tx, EventType> | undefined;
  }

  /**
   * Runs the handler once per event id: a redelivered event finds its id recorded and changes
   * nothing. A handler idempotent by version needs no record: its own statement ignores an event
   * no newer than what it has applied.
   */
  async apply(event: EventEnvelope): Promise<"applied" | "duplicate" | "ignored"> {
    if (this.ignores(event)) return "ignored";
    if (this.options.handler.idempotentByVersion && event.type === this.options.handler.type) {
      await this.handle(event, this.options.db, emitNothing);
      return "applied";
    }
    const recording = this.handleRecording;
    // An event of another type goes the consumer's way, to be refused there.
    if (recording && event.type === this.options.handler.type) {
      const id = event.id.toLowerCase();
      return this.unitOfWork(
        async (tx, emit) =>
          (await recording([event], tx, emit, appliedRecordOf(this.name, [id]))).has(id) ? "applied" : "duplicate",
        event.traceparent ? { traceparent: event.traceparent } : undefined,
      );
    }
    return this.unitOfWork(
      async (tx, emit) => {
        const recorded = await recordApplied(tx, this.name, [event.id.toLowerCase()], this.lockKeysOf([event]));
        if (recorded.length === 0) return "duplicate";
        if (event.type !== this.options.handler.type)
          throw new InvalidEventError(`${this.name} cannot handle ${event.type}`);
        await this.handle(event, tx, emit);
        return "applied";
      },
      // What it emits continues the event's trace (without an async context to carry it).
      event.traceparent ? { traceparent: event.traceparent } : undefined,
    );
  }

  /**
   * Applies events of the handler's type, none ignored, in one transaction, in order: one insert
   * records every id (those it finds recorded, or twice in the batch, are duplicates), then each
   * new event's handler runs in its own span; the unit of work writes what they emitted to the
   * outbox in one insert and publishes it after the commit. A handler idempotent by version
   * records nothing: its `handleBatch` applies the batch outside a transaction (one set-based
   * statement, idempotent by itself), else its events share one transaction. A handler that
   * records the events itself (`handleRecording`) is given them all, each once, instead of the
   * consumer's insert and `handle`. Throws if any handler does: then nothing of the batch is
   * applied (or, outside a transaction, what was is applied again harmlessly, event by event).
   */
  async applyBatch(events: readonly EventEnvelope[]): Promise<Outcome[]> {
    const handleBatch = this.options.handler.handleBatch as BatchHandle<Tx, EventType> | undefined;
    if (this.options.handler.idempotentByVersion && handleBatch) {
      // Set-based and idempotent by version: outside a transaction, as a single event is.
      await this.inConsumeSpan(events[0]!, () => handleBatch(events, this.options.db, emitNothing));
      return events.map((): Outcome => "applied");
    }
    if (this.options.handler.idempotentByVersion) {
      return this.unitOfWork(async (tx) => {
        for (const event of events) await this.inConsumeSpan(event, () => this.handle(event, tx, emitNothing));
        return events.map((): Outcome => "applied");
      });
    }
    const recording = this.handleRecording;
    if (recording) {
      return this.unitOfWork(async (tx, emit) => {
        // Each event once (the first of an id twice in the batch), recorded by the handler's own statement.
        const once = [...new Map(events.map((event) => [event.id.toLowerCase(), event])).values()];
        const record = appliedRecordOf(
          this.name,
          once.map((event) => event.id),
        );
        const fresh = new Set(await this.inConsumeSpan(once[0]!, () => recording(once, tx, emit, record)));
        return events.map((event): Outcome => (fresh.delete(event.id.toLowerCase()) ? "applied" : "duplicate"));
      });
    }
    return this.unitOfWork(async (tx, emit) => {
      // Sorted, so two transactions recording the same ids take their locks in one order.
      const ids = [...new Set(events.map((event) => event.id.toLowerCase()))].sort();
      const fresh = new Set(await recordApplied(tx, this.name, ids, this.lockKeysOf(events)));
      const outcomes: Outcome[] = [];
      const applied: EventEnvelope[] = [];
      for (const event of events) {
        if (!fresh.delete(event.id.toLowerCase())) {
          outcomes.push("duplicate");
          continue;
        }
        applied.push(event);
        outcomes.push("applied");
      }
      if (handleBatch && applied.length > 1) {
        await this.inConsumeSpan(applied[0]!, () => handleBatch(applied, tx, emit));
        return outcomes;
      }
      for (const event of applied) {
        continueTrace(emit, event.traceparent);
        await this.inConsumeSpan(event, () => this.handle(event, tx, emit));
      }
      return outcomes;
    });
  }

  /** The advisory locks the handler asks to be taken with the events' record (`lockKeys`). */
  private lockKeysOf(events: readonly EventEnvelope[]): string[] {
    const lockKeys = this.options.handler.lockKeys as ((event: EventEnvelope) => readonly string[]) | undefined;
    if (!lockKeys) return [];
    return events.filter((event) => event.type === this.options.handler.type).flatMap((event) => lockKeys(event));
  }

  private detailOf(event: EventEnvelope): string {
    const subject = subjectOf(this.options.namespace, event);
    return subject.slice(subject.lastIndexOf(".") + 1);
  }

  private async deadLetter(message: JsMsg, event: EventEnvelope | undefined, error: Error): Promise<Ending> {
    const record = deadLetterOf({
      namespace: this.options.namespace,
      service: this.options.service,
      consumer: this.name,
      deliveries: message.info.redeliveryCount,
      error,
      event,
      raw: message.string(),
    });
    try {
      await this.options.js.publish(
        deadLetterSubject(this.options.namespace, this.name),
        encoder.encode(JSON.stringify(record)),
      );
      this.logger.error(
        { eventId: event?.id, deliveries: record.deliveries, err: error.message },
        "event moved to the dead-letter subject",
      );
      message.term();
      return { outcome: "dead_lettered" };
    } catch (publishError) {
      this.logger.error(
        { err: (publishError as Error).message },
        "could not dead-letter an event; it will be redelivered",
      );
      message.nak(5000);
      return { outcome: "retried", retryInMs: 5000 };
    }
  }
}
