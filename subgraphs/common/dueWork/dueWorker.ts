import type { SqlExecutor } from "../database/prismaOptions";
import type { Logger } from "../logger";
import { PeriodicWorker } from "../server/periodicWorker";
import type { WorkerName } from "../workerNames";
import { claimDue, type DueWorkTable } from "./claimDue";

/** One kind of due work: where it is kept, how much is taken at once, and what doing one means. */
export interface DueWork extends DueWorkTable {
  /** What one item is, in log lines: "capture", "refund", "delivery". */
  what: string;
  /** The log field that names an item: "paymentId". */
  idField: string;
  /** Items taken at once. */
  batch: number;
  /** How long a taken item is left to its worker before another may take it. */
  leaseMs: number;
  /** Does one item; it records its own outcome (done, or due again later). */
  run(id: string): Promise<void>;
  /** Logs a failure `run` knows how to tell (a refund the provider refused); true when it did. */
  reportFailure?(error: unknown): boolean;
}

/**
 * A background worker for due work: each tick claims a batch of every kind (leased, so
 * replicas share the work), does the items concurrently, and logs each failure on its own; an
 * item that failed unexpectedly is taken again when its lease ends. It ticks every `intervalMs`,
 * at once when woken by name after a commit that made work due (`emit.wake`), and again at once
 * while batches come back full.
 */
export function dueWorker(options: {
  name: WorkerName;
  db: SqlExecutor;
  work: readonly DueWork[];
  intervalMs: number;
  logger: Logger;
}): PeriodicWorker {
  const { db, work, logger } = options;
  const tick = async (): Promise<boolean> => {
    const claimed = await Promise.all(work.map((kind) => claimDue(db, kind, kind.batch, kind.leaseMs)));
    const tries = work.flatMap((kind, index) => claimed[index]!.map((id) => ({ kind, id, done: kind.run(id) })));
    const results = await Promise.allSettled(tries.map((each) => each.done));
    results.forEach((result, index) => {
      if (result.status === "fulfilled") return;
      const { kind, id } = tries[index]!;
      if (kind.reportFailure?.(result.reason)) return;
      const err = result.reason instanceof Error ? result.reason.message : String(result.reason);
      logger.error(
        { [kind.idField]: id, err },
        `a ${kind.what} failed unexpectedly; it is tried again when its lease ends`,
      );
    });
    return work.some((kind, index) => claimed[index]!.length === kind.batch);
  };
  return new PeriodicWorker(options.name, tick, { intervalMs: options.intervalMs, logger });
}
