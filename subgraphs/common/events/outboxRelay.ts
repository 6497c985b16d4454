import type { JetStreamClient } from "nats";
import { backoffDelayMs } from "../backoff";
import type { Logger } from "../logger";
import type { SqlExecutor, TransactionRunner } from "../database/prismaOptions";
import { isEventType } from "./catalog";
import type { EventEnvelope } from "./envelope";
import {
  hasUnpublished,
  lockUnpublished,
  markPublished,
  markPublishedByIds,
  pruneOutbox,
  type OutboxRow,
} from "./outbox";
import { JetStreamPublisher } from "./jetStreamPublisher";
import { isUnconsumed, subjectOf } from "./streams";

export interface OutboxRelayOptions {
  db: TransactionRunner<SqlExecutor> & SqlExecutor;
  js: JetStreamClient;
  namespace: string;
  logger: Logger;
  batchSize?: number;
  /** How often the outbox is polled for rows the direct path left behind (NATS was down, a restart). */
  pollIntervalMs?: number;
  /** The poll leaves rows younger than this to the direct path, which is publishing them. */
  pollGraceMs?: number;
  /**
   * How long the direct path waits before stamping what it published, so that the commits of that
   * time share one UPDATE (and one commit of its own). Kept well below `pollGraceMs`, so the poll
   * never takes a row that is only waiting for its stamp.
   */
  stampLingerMs?: number;
  /** Longest wait between attempts while NATS or the database fails. */
  maxBackoffMs?: number;
  publishTimeoutMs?: number;
  retentionHours?: number;
  /** Told of every published event (metrics). */
  onPublished?: (type: string) => void;
}

const encoder = new TextEncoder();

/**
 * A service's work that must happen at least once for each of its events, before they are
 * published and stamped (orders' live updates on Redis). See `OutboxRelay.setBeforePublish`.
 */
export type BeforePublish = (events: readonly EventEnvelope[]) => Promise<void>;

/**
 * Publishes outbox rows to JetStream, each with its event id as `Nats-Msg-Id`, so a row
 * published twice (a crash between publish and stamp, the poll meeting the direct path) is
 * stored once. Right after a commit, the committed events are published straight from memory
 * (`publishCommitted`) and stamped in batches: no second transaction per commit. A poll, in
 * `seq` order, publishes whatever that path left behind: events of a NATS outage, of a restart.
 */
export class OutboxRelay {
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly maxBackoffMs: number;
  private readonly publishTimeoutMs: number;
  private readonly publisher: JetStreamPublisher;
  private readonly pollGraceMs: number;
  /** Ids published by the direct path and not yet stamped. */
  private unstamped: string[] = [];
  private stamping: Promise<void> | undefined;
  private readonly stampLingerMs: number;
  private stampTimer: NodeJS.Timeout | undefined;
  /** Direct publications under way, awaited by `stop`. */
  private readonly publishing = new Set<Promise<void>>();
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private consecutiveFailures = 0;
  private lastPrune = 0;
  private published = 0;
  private beforePublish: BeforePublish | undefined;
  /** Events committed before the first `start`, published by it; undefined once started. */
  private committedBeforeStart: EventEnvelope[] | undefined = [];

  constructor(private readonly options: OutboxRelayOptions) {
    this.batchSize = options.batchSize ?? 100;
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.maxBackoffMs = options.maxBackoffMs ?? 5000;
    this.publishTimeoutMs = options.publishTimeoutMs ?? 5000;
    this.publisher = JetStreamPublisher.of(options.js, this.publishTimeoutMs);
    this.pollGraceMs = options.pollGraceMs ?? 5000;
    this.stampLingerMs = Math.min(options.stampLingerMs ?? 200, Math.floor(this.pollGraceMs / 4));
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const early = this.committedBeforeStart;
    this.committedBeforeStart = undefined;
    if (early?.length) this.publishCommitted(early);
    this.loop = this.run();
  }

  /**
   * Runs `hook` on every event before it is published, by the direct path and the poll alike,
   * and stamps an event only once both succeeded: a crash between the commit and the stamp leaves
   * the row to the poll, which runs the hook again. If the hook rejects, the direct path still
   * publishes the events (the bus does not wait for it) but leaves them unstamped; the poll then
   * fails, and retries with backoff, until the hook succeeds with them.
   */
  setBeforePublish(hook: BeforePublish | undefined): void {
    this.beforePublish = hook;
  }

  /**
   * Publishes events whose transaction has just committed. A failure leaves them in the outbox
   * for the poll; it is logged there, once, not here for every event.
   */
  publishCommitted(events: readonly EventEnvelope[]): void {
    if (!this.running) {
      // A service's start-up work (the first admin, say) commits before the relay starts: its
      // events go out as the relay starts, not by the poll once they are `pollGraceMs` old. After
      // `stop`, what is left is the poll's, in whichever process runs next.
      this.committedBeforeStart?.push(...events);
      return;
    }
    // Started first; awaited before the stamp.
    const hooked = this.beforePublish?.(events).then(
      () => true,
      () => false,
    );
    const publishing = Promise.allSettled(
      events.map(async (event) => {
        await this.publish({ id: event.id, type: event.type, envelope: event });
        this.published += 1;
        this.options.onPublished?.(event.type);
        return event.id;
      }),
    ).then(async (results) => {
      if (hooked && !(await hooked)) return;
      for (const result of results) if (result.status === "fulfilled") this.unstamped.push(result.value);
      this.stampLater();
    });
    this.publishing.add(publishing);
    void publishing.finally(() => this.publishing.delete(publishing));
  }

  /** Finishes the batch in flight, the direct publications under way and their stamps, then stops. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    await this.settled();
    await this.stampSoon();
    this.publisher.close();
  }

  /** Resolves once the direct publications under way have ended: published, or left in the outbox. */
  async settled(): Promise<void> {
    await Promise.all(this.publishing);
  }

  /** True while the relay runs and its last attempt did not fail. */
  isHealthy(): boolean {
    return this.running && this.consecutiveFailures === 0;
  }

  get publishedCount(): number {
    return this.published;
  }

  /** Publishes every pending row now, however young; resolves with how many were published. */
  async flush(): Promise<number> {
    await this.stampSoon();
    let total = 0;
    for (;;) {
      const count = await this.publishBatch(0);
      total += count;
      if (count < this.batchSize) return total;
    }
  }

  private async run(): Promise<void> {
    while (this.running) {
      let count = 0;
      try {
        count = await this.publishBatch(this.pollGraceMs);
        if (this.consecutiveFailures > 0)
          this.options.logger.info({ module: "outbox" }, "outbox relay publishing again");
        this.consecutiveFailures = 0;
        await this.pruneNow();
      } catch (error) {
        this.consecutiveFailures += 1;
        if (this.consecutiveFailures === 1 || this.consecutiveFailures % 30 === 0) {
          this.options.logger.warn(
            { module: "outbox", err: (error as Error).message, failures: this.consecutiveFailures },
            "outbox relay cannot publish; events stay in the outbox and are retried",
          );
        }
      }
      if (count === this.batchSize && this.consecutiveFailures === 0) continue;
      const delay = this.consecutiveFailures
        ? backoffDelayMs(this.consecutiveFailures, { baseMs: 200, maxMs: this.maxBackoffMs })
        : this.pollIntervalMs;
      await this.sleep(delay);
    }
  }

  /** Stamps what the direct path published once `stampLingerMs` has passed (one timer at a time). */
  private stampLater(): void {
    if (this.stampTimer || !this.running) {
      if (!this.running) void this.stampSoon();
      return;
    }
    this.stampTimer = setTimeout(() => {
      this.stampTimer = undefined;
      void this.stampSoon();
    }, this.stampLingerMs);
  }

  /**
   * Stamps what the direct path published, in one statement for all the events published since
   * the last stamp (under load, the commits of a linger share one UPDATE).
   */
  private stampSoon(): Promise<void> {
    if (this.stampTimer) {
      clearTimeout(this.stampTimer);
      this.stampTimer = undefined;
    }
    if (this.stamping) return this.stamping;
    if (this.unstamped.length === 0) return Promise.resolve();
    this.stamping = (async () => {
      try {
        while (this.unstamped.length > 0) {
          const ids = this.unstamped;
          this.unstamped = [];
          // If this fails the rows stay unstamped; the poll publishes them again and the
          // Nats-Msg-Id makes JetStream store them once.
          await markPublishedByIds(this.options.db, ids).then(undefined, (error: Error) =>
            this.options.logger.warn(
              { module: "outbox", err: error.message, events: ids.length },
              "could not stamp published events",
            ),
          );
        }
      } finally {
        this.stamping = undefined;
      }
    })();
    return this.stamping;
  }

  private async publishBatch(minAgeMs: number): Promise<number> {
    // Usually the direct path has published everything: one cheap look instead of a transaction.
    if (!(await hasUnpublished(this.options.db, minAgeMs))) return 0;
    return this.options.db.$transaction(
      async (tx) => {
        const rows = await lockUnpublished(tx, this.batchSize, minAgeMs);
        if (rows.length === 0) return 0;
        await this.beforePublish?.(rows.map((row) => row.envelope));
        await Promise.all(rows.map((row) => this.publish(row)));
        await markPublished(tx, rows);
        this.published += rows.length;
        for (const row of rows) this.options.onPublished?.(row.type);
        return rows.length;
      },
      { timeout: this.publishTimeoutMs * 3, maxWait: 10_000 },
    );
  }

  private async publish(row: Pick<OutboxRow, "id" | "type" | "envelope">): Promise<void> {
    if (!isEventType(row.type)) throw new Error(`outbox row ${row.id} has unknown type ${row.type}`);
    const event = { type: row.type, data: row.envelope.data };
    const subject = subjectOf(this.options.namespace, event);
    const data = encoder.encode(JSON.stringify(row.envelope));
    // No consumer waits for it: stored without an acknowledgement to wait for (streams.ts).
    if (isUnconsumed(event)) this.publisher.send(subject, data, row.id);
    else await this.publisher.publish(subject, data, row.id);
  }

  private async pruneNow(): Promise<void> {
    if (Date.now() - this.lastPrune < 60 * 60 * 1000) return;
    this.lastPrune = Date.now();
    await pruneOutbox(this.options.db, this.options.retentionHours ?? 24);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = undefined;
        done();
      };
    });
  }
}
