import type { JetStreamClient } from "nats";
import type { Logger } from "../logger";
import type { SqlExecutor, TransactionRunner } from "../database/prismaOptions";
import { isEventType } from "./catalog";
import { lockUnpublished, markPublished, pruneOutbox, type OutboxRow } from "./outbox";
import { subjectFor } from "./streams";

export interface OutboxRelayOptions {
  db: TransactionRunner<SqlExecutor> & SqlExecutor;
  js: JetStreamClient;
  namespace: string;
  logger: Logger;
  batchSize?: number;
  /** How often the outbox is polled when nobody kicks the relay (events of other replicas, restarts). */
  pollIntervalMs?: number;
  /** Longest wait between attempts while NATS or the database fails. */
  maxBackoffMs?: number;
  publishTimeoutMs?: number;
  retentionHours?: number;
  /** Told of every published event (metrics). */
  onPublished?: (type: string) => void;
}

const encoder = new TextEncoder();

/**
 * Publishes outbox rows to JetStream in commit order, each with its event id as `Nats-Msg-Id`,
 * so a row published twice (a crash between publish and stamp) is stored once. Runs right after
 * a commit (`kick`), on a timer, and therefore again after a restart or an outage.
 */
export class OutboxRelay {
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly maxBackoffMs: number;
  private readonly publishTimeoutMs: number;
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private kicked = false;
  private consecutiveFailures = 0;
  private lastPrune = 0;
  private published = 0;

  constructor(private readonly options: OutboxRelayOptions) {
    this.batchSize = options.batchSize ?? 100;
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.maxBackoffMs = options.maxBackoffMs ?? 5000;
    this.publishTimeoutMs = options.publishTimeoutMs ?? 5000;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Publish now rather than at the next poll. */
  kick(): void {
    this.kicked = true;
    this.wake?.();
  }

  /** Finishes the batch in flight, then stops. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  /** True while the relay runs and its last attempt did not fail. */
  isHealthy(): boolean {
    return this.running && this.consecutiveFailures === 0;
  }

  get publishedCount(): number {
    return this.published;
  }

  /** Publishes every pending row now; resolves with how many were published. */
  async flush(): Promise<number> {
    let total = 0;
    for (;;) {
      const count = await this.publishBatch();
      total += count;
      if (count < this.batchSize) return total;
    }
  }

  private async run(): Promise<void> {
    while (this.running) {
      this.kicked = false;
      let count = 0;
      try {
        count = await this.publishBatch();
        if (this.consecutiveFailures > 0) this.options.logger.info({ module: "outbox" }, "outbox relay publishing again");
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
      if (this.kicked && this.consecutiveFailures === 0) continue;
      const delay = this.consecutiveFailures
        ? Math.min(this.maxBackoffMs, 100 * 2 ** Math.min(this.consecutiveFailures, 10))
        : this.pollIntervalMs;
      await this.sleep(delay);
    }
  }

  private async publishBatch(): Promise<number> {
    return this.options.db.$transaction(
      async (tx) => {
        const rows = await lockUnpublished(tx, this.batchSize);
        if (rows.length === 0) return 0;
        await Promise.all(rows.map((row) => this.publish(row)));
        await markPublished(tx, rows);
        this.published += rows.length;
        for (const row of rows) this.options.onPublished?.(row.type);
        return rows.length;
      },
      { timeout: this.publishTimeoutMs * 3, maxWait: 10_000 },
    );
  }

  private async publish(row: OutboxRow): Promise<void> {
    if (!isEventType(row.type)) throw new Error(`outbox row ${row.id} has unknown type ${row.type}`);
    await this.options.js.publish(subjectFor(this.options.namespace, row.type), encoder.encode(JSON.stringify(row.envelope)), {
      msgID: row.id,
      timeout: this.publishTimeoutMs,
    });
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
