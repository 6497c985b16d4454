import type pg from "pg";
import type { SqlExecutor, TransactionRunner } from "../database/prismaOptions";
import { inSqlTransaction } from "../database/sqlTransaction";
import type { WorkerName } from "../workerNames";
import type { ServiceName } from "../serviceNames";
import type { EventData, EventType } from "./catalog";
import { createEnvelope, type EventEnvelope } from "./envelope";
import { appendToOutbox } from "./outbox";

/**
 * Records an event to be published once the surrounding transaction commits; `wake` wakes a
 * background worker by name then (it has committed work to do), never on rollback.
 */
export type Emit = (<T extends EventType>(type: T, data: EventData<T>) => void) & {
  wake(worker: WorkerName): void;
};

export interface TransactionSettings {
  timeoutMs?: number;
  isolationLevel?: "ReadCommitted" | "RepeatableRead" | "Serializable";
  /**
   * The W3C trace context the emitted events carry when the process keeps no async context to
   * take it from (no trace exporter): the request's or the consumed event's.
   */
  traceparent?: string;
  /**
   * The work is one statement, atomic by itself, that writes the events it emitted in that same
   * statement (`takeEmitted`): on the pool it runs without BEGIN and COMMIT (two round trips and
   * a commit fewer). In Prisma's transaction it runs in one all the same.
   */
  singleStatement?: boolean;
}

/** The trace context set by `continueTrace` on each unit of work's `emit`. */
const traceOfEmit = new WeakMap<Emit, { traceparent?: string }>();

/** The events each unit of work's `emit` recorded, and how many of them the work wrote itself. */
const eventsOfEmit = new WeakMap<Emit, { events: EventEnvelope[]; written: number }>();

/**
 * The events emitted so far and not yet written, for work that writes them to the outbox in its
 * own statement (`outboxRows`): the unit of work then does not write them again, and publishes
 * them after the commit as it does the others. An `emit` made elsewhere (a test's) has none.
 */
export function takeEmitted(emit: Emit): EventEnvelope[] {
  const emitted = eventsOfEmit.get(emit);
  if (!emitted) return [];
  const taken = emitted.events.slice(emitted.written);
  emitted.written = emitted.events.length;
  return taken;
}

/** How far a unit of work's `emit` had got: its events, how many of them were written, its trace. */
export interface EmittedMark {
  events: number;
  written: number;
  traceparent: string | undefined;
}

/** Where `emit` stands now, to go back to with `rewindEmitted` (an `emit` made elsewhere: nowhere). */
export function emittedMark(emit: Emit): EmittedMark | undefined {
  const emitted = eventsOfEmit.get(emit);
  if (!emitted) return undefined;
  return { events: emitted.events.length, written: emitted.written, traceparent: traceOfEmit.get(emit)?.traceparent };
}

/**
 * Forgets what `emit` recorded since `mark`, for work whose statement wrote none of it after all
 * (it found the state changed, wrote nothing, and plans again): those events are neither written
 * nor published, and the events taken since (`takeEmitted`) are unwritten again.
 */
export function rewindEmitted(emit: Emit, mark: EmittedMark | undefined): void {
  const emitted = eventsOfEmit.get(emit);
  if (!emitted || !mark) return;
  emitted.events.length = mark.events;
  emitted.written = mark.written;
  const trace = traceOfEmit.get(emit);
  if (trace) trace.traceparent = mark.traceparent;
}

/**
 * Events taken (`takeEmitted`) that the statement given them left out after all: one that
 * writes each event only with the change it tells of, where that change may not be made (a row
 * changed meanwhile). They are neither written nor published.
 */
export function withdrawEmitted(emit: Emit, withdrawn: readonly EventEnvelope[]): void {
  const emitted = eventsOfEmit.get(emit);
  if (!emitted || withdrawn.length === 0) return;
  const ids = new Set(withdrawn.map((event) => event.id));
  const taken = emitted.events.slice(0, emitted.written).filter((event) => !ids.has(event.id));
  const after = emitted.events.slice(emitted.written);
  // In place: the unit of work publishes this very list after the commit.
  emitted.events.splice(0, emitted.events.length, ...taken, ...after);
  emitted.written = taken.length;
}

/**
 * Sets the trace context of what `emit` emits from here on, when the process keeps no async
 * context: a batch of consumed events gives each handler its own event's trace. An `emit` made
 * elsewhere (a test's) is left as it is.
 */
export function continueTrace(emit: Emit, traceparent: string | undefined): void {
  const trace = traceOfEmit.get(emit);
  if (trace) trace.traceparent = traceparent;
}

/**
 * The unit of work with a trace context for the events it emits (`settings.traceparent`), unless
 * the work sets its own: a request's unit of work, when the process keeps no async context.
 */
export function withTrace<Tx>(unitOfWork: UnitOfWork<Tx>, traceparent: string | undefined): UnitOfWork<Tx> {
  if (!traceparent) return unitOfWork;
  return (work, settings) => unitOfWork(work, { traceparent, ...settings });
}

/**
 * Runs work in one database transaction together with the events it emits: the state change and
 * its outbox rows commit or roll back together, and the relay is woken right after commit.
 */
export type UnitOfWork<Tx> = <R>(
  work: (tx: Tx, emit: Emit) => Promise<R>,
  settings?: TransactionSettings,
) => Promise<R>;

export interface UnitOfWorkDependencies<Tx extends SqlExecutor> {
  service: ServiceName;
  db: TransactionRunner<Tx>;
  /** Told after a commit that wrote events, with those events. */
  onCommitted: (events: readonly EventEnvelope[]) => void;
  /** Trace context to stamp on emitted events. */
  traceparent?: () => string | undefined;
  /** Wakes a background worker by name (after commit). */
  wake?: (worker: WorkerName) => void;
}

/** Attempts of one unit of work that PostgreSQL aborted as a deadlock or a serialization failure. */
const maxConflictAttempts = 4;

const conflictStates = new Set(["40P01", "40001"]);

/**
 * A transaction PostgreSQL aborted to break a deadlock (40P01) or a serialization conflict
 * (40001): nothing of it was written, so running it again is safe. Prisma reports it as P2034
 * from its model queries and as P2010 with the state in `meta.code` from raw queries; our own
 * SQL on the pool throws pg's error with the state as its code.
 */
export function isTransactionConflict(error: unknown): boolean {
  const { code, meta, message } = (error ?? {}) as {
    code?: unknown;
    message?: unknown;
    meta?: { code?: unknown; driverAdapterError?: { cause?: { originalCode?: unknown; kind?: unknown } } };
  };
  if (code === "P2034") return true;
  if (code === "P2010") {
    // Through the driver adapter the state is in the adapter error's cause (and the message).
    const cause = meta?.driverAdapterError?.cause;
    return (
      conflictStates.has(String(meta?.code)) ||
      conflictStates.has(String(cause?.originalCode)) ||
      cause?.kind === "TransactionWriteConflict" ||
      /Code: `(40P01|40001)`/.test(String(message))
    );
  }
  return conflictStates.has(String(code));
}

/** Runs a function in one database transaction (Prisma's interactive one, or one of ours). */
type TransactionRun<Tx> = <R>(work: (tx: Tx) => Promise<R>, settings: TransactionSettings) => Promise<R>;

export function createUnitOfWork<Tx extends SqlExecutor>(deps: UnitOfWorkDependencies<Tx>): UnitOfWork<Tx> {
  return retryingConflicts(
    createSingleUnitOfWork(deps, (work, settings) =>
      deps.db.$transaction(work, {
        timeout: settings.timeoutMs ?? 15_000,
        maxWait: 10_000,
        ...(settings.isolationLevel ? { isolationLevel: settings.isolationLevel } : {}),
      }),
    ),
  );
}

/**
 * A unit of work in a transaction of our own on the pool (sqlTransaction.ts), for work that
 * uses only SQL (`sql(tx)`, raw queries), not Prisma's models: the same events, outbox, wake-ups
 * and conflict retries, without the cost of Prisma's interactive transaction. `settings.timeoutMs`
 * does not apply: the work's own statements bound it.
 */
export function createSqlUnitOfWork(
  deps: Omit<UnitOfWorkDependencies<SqlExecutor>, "db"> & { pool: pg.Pool },
): UnitOfWork<SqlExecutor> {
  return retryingConflicts(
    createSingleUnitOfWork<SqlExecutor>(deps, (work, settings) =>
      inSqlTransaction(deps.pool, work, {
        ...(settings.isolationLevel ? { isolationLevel: settings.isolationLevel } : {}),
        ...(settings.singleStatement ? { singleStatement: true } : {}),
      }),
    ),
  );
}

function retryingConflicts<Tx>(once: UnitOfWork<Tx>): UnitOfWork<Tx> {
  return async (work, settings) => {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await once(work, settings);
      } catch (error) {
        if (attempt >= maxConflictAttempts || !isTransactionConflict(error)) throw error;
        // A little random delay so the two transactions that met do not meet again at once.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
      }
    }
  };
}

function createSingleUnitOfWork<Tx extends SqlExecutor>(
  deps: Omit<UnitOfWorkDependencies<Tx>, "db">,
  transaction: TransactionRun<Tx>,
): UnitOfWork<Tx> {
  return async (work, settings = {}) => {
    let emitted = { events: [] as EventEnvelope[], written: 0 };
    let woken = new Set<WorkerName>();
    const result = await transaction(async (tx) => {
      // A retried transaction starts again with no events.
      emitted = { events: [], written: 0 };
      const { events } = emitted;
      woken = new Set();
      const trace = { traceparent: settings.traceparent };
      const emit: Emit = Object.assign(
        <T extends EventType>(type: T, data: EventData<T>) => {
          // The active span's context when the process keeps one; else the one set explicitly.
          const traceparent = deps.traceparent?.() ?? trace.traceparent;
          events.push(createEnvelope(deps.service, { type, data }, traceparent));
        },
        { wake: (worker: WorkerName) => void woken.add(worker) },
      );
      traceOfEmit.set(emit, trace);
      eventsOfEmit.set(emit, emitted);
      const value = await work(tx, emit);
      const unwritten = events.slice(emitted.written);
      // Committed already: an event emitted after the statement would be published unrecorded.
      if (settings.singleStatement && unwritten.length > 0)
        throw new Error("a single statement's work emitted events it did not write");
      await appendToOutbox(tx, unwritten);
      return value;
    }, settings);
    if (emitted.events.length > 0) deps.onCommitted(emitted.events);
    for (const worker of woken) deps.wake?.(worker);
    return result;
  };
}
