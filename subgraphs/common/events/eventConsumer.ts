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
import { isTransientDatabaseFailure } from "../database/transientFailure";
import type { ServiceName } from "../serviceNames";
import type { EventType } from "./catalog";
import { deadLetterOf } from "./deadLetters";
import { InvalidEventError, parseEnvelope, type EventEnvelope } from "./envelope";
import { deadLetterSubject, hasSubjectDetail, streamFor, subjectFor, subjectOf } from "./streams";
import type { Emit, UnitOfWork } from "./unitOfWork";

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
   * outside a transaction and without recording the event as applied, and may emit nothing.
   */
  idempotentByVersion?: boolean;
}

export interface EventHandler<Tx, T extends EventType = EventType> extends EventHandlerOptions<T> {
  type: T;
  handle(event: EventEnvelope<T>, tx: Tx, emit: Emit): Promise<void>;
}

/** Declares a handler with its event type inferred, so `event.data` is typed. */
export function onEvent<Tx, T extends EventType>(
  type: T,
  handle: (event: EventEnvelope<T>, tx: Tx, emit: Emit) => Promise<void>,
  options: EventHandlerOptions<T> = {},
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
  onOutcome?: (type: string, outcome: "applied" | "duplicate" | "ignored" | "retried" | "dead_lettered") => void;
  /** Events handled at once; events about one order (or product, or user) always one after another. */
  concurrency?: number;
}

const encoder = new TextEncoder();

/** What an event is about: events about one thing are applied in stream order, one at a time. */
function orderingKey(raw: unknown): string {
  const event = raw as { id?: string; data?: { orderId?: string; productId?: string; userId?: string } } | null;
  return event?.data?.orderId ?? event?.data?.productId ?? event?.data?.userId ?? event?.id ?? "";
}

/** One durable JetStream consumer of an `EventConsumer`: its name and the subject it filters on. */
interface Durable {
  name: string;
  subject: string;
}

/**
 * A durable JetStream consumer for one event type. Replicas of a service share the durable, so
 * each event is handled once per service. Several events are handled at once, but events about
 * the same order, product or user are applied one after another, in stream order.
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
  /** The last task of each ordering key, across every durable of this consumer. */
  private readonly lastOfKey = new Map<string, Promise<void>>();
  private running = false;
  private readonly maxDeliveries: number;
  private readonly retryDelaysMs: readonly number[];
  private readonly logger: Logger;

  constructor(private readonly options: EventConsumerOptions<Tx>) {
    this.name = `${options.service}__${options.handler.type.replaceAll(".", "_")}`;
    this.maxDeliveries = options.maxDeliveries ?? 5;
    this.retryDelaysMs = options.retryDelaysMs ?? [200, 1000, 5000, 15000];
    this.logger = options.logger.child({ module: "consumer", consumer: this.name });
    const { namespace, handler } = options;
    const subject = subjectFor(namespace, handler.type);
    const details = handler.subjectDetails;
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
      const messages = await consumer.consume({ max_messages: 64 });
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
    const lastOfKey = this.lastOfKey;
    for await (const message of messages) {
      if (!this.running) {
        // Handed back for another replica or the next start. The loop drains what was already
        // fetched rather than breaking off: the iterator ends, and `close` resolves, only once
        // everything queued before the stop has been taken.
        message.nak();
        continue;
      }
      let raw: unknown;
      try {
        raw = message.json();
      } catch {
        raw = undefined;
      }
      const key = orderingKey(raw);
      const task = (lastOfKey.get(key) ?? Promise.resolve()).then(() => this.process(message, raw));
      lastOfKey.set(key, task);
      inFlight.add(task);
      void task.finally(() => {
        inFlight.delete(task);
        if (lastOfKey.get(key) === task) lastOfKey.delete(key);
      });
      if (inFlight.size >= concurrency) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
  }

  /**
   * Applies one message; never throws (a failure is a nak, a dead letter, or a log line). It runs
   * in a span that continues the trace the event was emitted in, so one trace crosses the bus.
   */
  async process(message: JsMsg, raw: unknown = undefined): Promise<void> {
    let event: EventEnvelope;
    try {
      event = parseEnvelope(raw ?? message.json());
    } catch (error) {
      await this.deadLetter(message, undefined, error as Error);
      this.options.onOutcome?.("invalid", "dead_lettered");
      return;
    }
    const attributes = {
      "messaging.system": "nats",
      "messaging.destination.name": event.type,
      "messaging.message.id": event.id,
      "messaging.consumer.group.name": this.name,
    };
    await inSpanFrom(
      event.traceparent,
      `${this.options.service} consume ${event.type}`,
      SpanKind.CONSUMER,
      attributes,
      async () => {
        try {
          const outcome = await this.apply(event);
          message.ack();
          this.options.onOutcome?.(event.type, outcome);
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
            return;
          }
          if (error instanceof InvalidEventError || deliveries >= this.maxDeliveries) {
            await this.deadLetter(message, event, error as Error);
            this.options.onOutcome?.(event.type, "dead_lettered");
            return;
          }
          const delay = this.retryDelayAfter(deliveries);
          this.logger.warn(
            { eventId: event.id, deliveries, err: (error as Error).message, retryInMs: delay },
            "event handler failed; will retry",
          );
          message.nak(delay);
          this.options.onOutcome?.(event.type, "retried");
        }
      },
    );
  }

  /** The delay before redelivery after the n-th failed delivery (the last configured one repeats). */
  private retryDelayAfter(deliveries: number): number {
    return this.retryDelaysMs[Math.min(deliveries - 1, this.retryDelaysMs.length - 1)] ?? 1000;
  }

  /**
   * Runs the handler once per event id: a redelivered event finds its id recorded and changes
   * nothing. A handler idempotent by version needs no record: its own statement ignores an event
   * no newer than what it has applied.
   */
  async apply(event: EventEnvelope): Promise<"applied" | "duplicate" | "ignored"> {
    const { appliesTo, subjectDetails } = this.options.handler as {
      appliesTo?: (event: EventEnvelope) => boolean;
      subjectDetails?: readonly string[];
    };
    if (event.type === this.options.handler.type) {
      if (appliesTo && !appliesTo(event)) return "ignored";
      // An event of the bare subject (published before details existed) with a detail not taken.
      if (subjectDetails && !subjectDetails.includes(this.detailOf(event))) return "ignored";
    }
    if (this.options.handler.idempotentByVersion && event.type === this.options.handler.type) {
      await (this.options.handler.handle as (event: EventEnvelope, tx: Tx, emit: Emit) => Promise<void>)(
        event,
        this.options.db,
        emitNothing,
      );
      return "applied";
    }
    return this.options.unitOfWork(async (tx, emit) => {
      const inserted = await tx.$executeRawUnsafe(
        "INSERT INTO processed_event (consumer, event_id) VALUES ($1, $2::uuid) ON CONFLICT DO NOTHING",
        this.name,
        event.id,
      );
      if (inserted === 0) return "duplicate";
      const { handler } = this.options;
      if (event.type !== handler.type) throw new InvalidEventError(`${this.name} cannot handle ${event.type}`);
      await (handler.handle as (event: EventEnvelope, tx: Tx, emit: Emit) => Promise<void>)(event, tx, emit);
      return "applied";
    });
  }

  private detailOf(event: EventEnvelope): string {
    const subject = subjectOf(this.options.namespace, event);
    return subject.slice(subject.lastIndexOf(".") + 1);
  }

  private async deadLetter(message: JsMsg, event: EventEnvelope | undefined, error: Error): Promise<void> {
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
    } catch (publishError) {
      this.logger.error(
        { err: (publishError as Error).message },
        "could not dead-letter an event; it will be redelivered",
      );
      message.nak(5000);
    }
  }
}
