import type { JetStreamManager, NatsConnection } from "nats";
import type { SqlExecutor, TransactionRunner } from "../database/prismaOptions";
import { poolOf } from "../database/sqlPool";
import type { SubgraphEnvironment } from "../environment";
import type { EventEnvelope } from "../events/envelope";
import { EventConsumer, type AnyEventHandler } from "../events/eventConsumer";
import { outboxBacklog } from "../events/outbox";
import { OutboxRelay } from "../events/outboxRelay";
import { ensureStreams } from "../events/streams";
import { createSqlUnitOfWork, createUnitOfWork, type UnitOfWork } from "../events/unitOfWork";
import type { Logger } from "../logger";
import type { ServiceMetrics } from "../metrics";
import { traceparentOf } from "../observability/tracing";
import type { ServiceName } from "../serviceNames";
import type { WorkerName } from "../workerNames";
import type { ReadinessCheck } from "./health";
import type { BackgroundWorker } from "./subgraphDefinition";

/**
 * How long a JetStream API call (streams, consumers) may take. nats.js' default, 5 s, was not
 * enough at start on a loaded machine, where a service then exited with "TIMEOUT"; the calls are
 * made at start and by the gauges, never on a request's path.
 */
export const jetStreamApiTimeoutMs = 20_000;

export interface EventPlumbingOptions<Tx extends SqlExecutor> {
  service: ServiceName;
  env: SubgraphEnvironment;
  /** The service's database client: it runs the unit of work and the outbox relay's transactions. */
  db: TransactionRunner<Tx> & Tx;
  nats: NatsConnection;
  handlers: ReadonlyArray<AnyEventHandler<Tx>>;
  logger: Logger;
  metrics: ServiceMetrics;
  /** Told after every commit that wrote events, with those events. */
  onCommitted?: (events: readonly EventEnvelope[]) => void;
}

/**
 * A subgraph's side of the event bus: its streams, the unit of work that writes state and
 * events together, the outbox relay that publishes them, its durable consumers, and the
 * background workers that run beside them. Started after the service's own start-up, stopped
 * after its HTTP server: workers first, then consumers, then the relay.
 */
export class EventPlumbing<Tx extends SqlExecutor> {
  readonly unitOfWork: UnitOfWork<Tx>;
  /** A unit of work in a transaction of our own on the pool, for work that uses only SQL. */
  readonly sqlUnitOfWork: UnitOfWork<SqlExecutor> | undefined;
  readonly relay: OutboxRelay;
  readonly consumers: EventConsumer<Tx>[];
  private workers: BackgroundWorker[] = [];

  private constructor(
    private readonly options: EventPlumbingOptions<Tx>,
    readonly jsm: JetStreamManager,
  ) {
    const { service, env, db, nats, logger, metrics } = options;
    const js = nats.jetstream({ timeout: jetStreamApiTimeoutMs });
    this.relay = new OutboxRelay({
      db,
      js,
      namespace: env.NATS_NAMESPACE,
      logger,
      onPublished: (type) => metrics.eventsPublished.inc({ type }),
    });
    const unitOfWorkDependencies = {
      service,
      onCommitted: (events: readonly EventEnvelope[]) => {
        this.relay.publishCommitted(events);
        metrics.countCommitted(events);
        options.onCommitted?.(events);
      },
      // Events carry the trace of the request or event that caused them, across the bus.
      traceparent: () => traceparentOf(),
      wake: (name: WorkerName) => this.workers.find((worker) => worker.name === name)?.wake?.(),
    };
    this.unitOfWork = createUnitOfWork<Tx>({ ...unitOfWorkDependencies, db });
    const pool = poolOf(db);
    this.sqlUnitOfWork = pool && createSqlUnitOfWork({ ...unitOfWorkDependencies, pool });
    this.consumers = options.handlers.map(
      (handler) =>
        new EventConsumer<Tx>({
          service,
          handler,
          unitOfWork: this.unitOfWork,
          ...(this.sqlUnitOfWork ? { sqlUnitOfWork: this.sqlUnitOfWork } : {}),
          db,
          js,
          jsm,
          namespace: env.NATS_NAMESPACE,
          logger,
          maxDeliveries: env.EVENT_MAX_DELIVERIES,
          concurrency: env.EVENT_CONSUMER_CONCURRENCY,
          batchSize: env.EVENT_BATCH_SIZE,
          batchWaitMs: env.EVENT_BATCH_WAIT_MS,
          retryDelaysMs: env.EVENT_RETRY_DELAYS_MS,
          onOutcome: (type, outcome) => metrics.eventsConsumed.inc({ type, outcome }),
          onBatch: (size, outcome) => metrics.eventBatches.observe({ outcome }, size),
        }),
    );
  }

  /** Makes sure the streams exist, then builds the plumbing (nothing runs until `start`). */
  static async create<Tx extends SqlExecutor>(options: EventPlumbingOptions<Tx>): Promise<EventPlumbing<Tx>> {
    const jsm = await options.nats.jetstreamManager({ timeout: jetStreamApiTimeoutMs });
    await ensureStreams(jsm, options.env.NATS_NAMESPACE, options.env.NATS_STREAM_REPLICAS);
    return new EventPlumbing(options, jsm);
  }

  /** Starts the relay, the consumers, then the workers, and exposes the backlog and lag gauges. */
  async start(workers: BackgroundWorker[]): Promise<void> {
    this.relay.start();
    for (const consumer of this.consumers) await consumer.start();
    this.workers = workers;
    for (const worker of workers) worker.start();
    const { metrics, db } = this.options;
    metrics.gauge("outbox_backlog", "Events written to the outbox and not yet published.", [], async () => [
      { value: (await outboxBacklog(db)).pending },
    ]);
    metrics.gauge(
      "event_consumer_lag",
      "Events waiting for each of this service's consumers.",
      ["consumer"],
      async () =>
        Promise.all(
          this.consumers.map(async (consumer) => ({
            labels: { consumer: consumer.name },
            value: await consumer.pending(),
          })),
        ),
    );
  }

  /** Readiness: every consumer and worker runs. */
  readonly running: ReadinessCheck = async () => {
    const stopped = [...this.consumers, ...this.workers].filter((each) => !each.isRunning());
    if (stopped.length) throw new Error(`not running: ${stopped.map((each) => each.name).join(", ")}`);
  };

  /** Stops the workers, then the consumers (each finishes the event in hand), then the relay. */
  async stop(): Promise<void> {
    for (const worker of this.workers) await worker.stop();
    for (const consumer of this.consumers) await consumer.stop();
    await this.relay.stop();
  }
}
