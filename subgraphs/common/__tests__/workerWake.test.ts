import { createUsersDatabase } from "../../users";
import { newTestId } from "../../../test/support/testNames";
import { waitFor } from "../../../test/support/waitFor";
import { dropDatabase, ensureDatabase } from "../database/provision";
import { dueWorker } from "../dueWork/dueWorker";
import { createUnitOfWork } from "../events/unitOfWork";
import type { Logger } from "../logger";
import { PeriodicWorker } from "../server/periodicWorker";

const server = process.env.POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432";
const logger = { error: jest.fn(), warn: jest.fn(), info: jest.fn() } as unknown as Logger;
/** A poll so slow that only a wake-up can explain a tick within a test. */
const hour = 3_600_000;

/** Workers poll only as a fallback: a commit that makes work due wakes its worker at once. */
describe("a worker woken by commits", () => {
  const url = `${server}/${newTestId()}_worker_wake`;
  const db = createUsersDatabase(url);

  beforeAll(async () => {
    await ensureDatabase(url);
    await db.$executeRawUnsafe(
      `CREATE TABLE due_items (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), label text NOT NULL,
        state text NOT NULL DEFAULT 'PENDING', next_attempt_at timestamptz)`,
    );
  });

  afterAll(async () => {
    await db.$disconnect();
    await dropDatabase(url);
  });

  it("does work a unit of work committed at once, not at its poll interval, and is not woken by a rollback", async () => {
    let wakes = 0;
    const worker = dueWorker({
      name: "notification-delivery",
      db,
      intervalMs: hour,
      logger,
      work: [
        {
          table: "due_items",
          pending: "state = 'PENDING'",
          what: "thing",
          idField: "thingId",
          batch: 10,
          leaseMs: 30_000,
          async run(id) {
            await db.$executeRawUnsafe(
              "UPDATE due_items SET state = 'DONE', next_attempt_at = NULL WHERE id = $1::uuid",
              id,
            );
          },
        },
      ],
    });
    const unitOfWork = createUnitOfWork({
      service: "users",
      db,
      onCommitted: () => undefined,
      wake: (name) => {
        if (name !== worker.name) return;
        wakes += 1;
        worker.wake();
      },
    });
    const add = (label: string) =>
      unitOfWork(async (tx, emit) => {
        await tx.$executeRawUnsafe("INSERT INTO due_items (label, next_attempt_at) VALUES ($1, now())", label);
        emit.wake("notification-delivery");
        if (label === "rolled back") throw new Error("rolled back");
      });
    worker.start();
    try {
      // The first tick, at start, finds nothing; from then on only a wake-up ticks before an hour.
      await new Promise((resolve) => setTimeout(resolve, 200));
      await expect(add("rolled back")).rejects.toThrow("rolled back");
      expect(wakes).toBe(0);

      const started = Date.now();
      await add("committed");
      expect(wakes).toBe(1);
      await waitFor(async () => {
        const rows = await db.$queryRawUnsafe<Array<{ state: string }>>(
          "SELECT state FROM due_items WHERE label = 'committed'",
        );
        return rows[0]?.state === "DONE";
      }, "the committed item to be done");
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      await worker.stop();
    }
  });
});

describe("a worker's own alarm", () => {
  it("ticks when a time it asked for comes, the earliest of several, not at its poll interval", async () => {
    const ticks: number[] = [];
    const worker = new PeriodicWorker("notification-delivery", async () => (ticks.push(Date.now()), false), {
      intervalMs: hour,
      logger,
    });
    worker.start();
    try {
      await waitFor(async () => ticks.length === 1, "the first tick, at start");
      const asked = Date.now();
      worker.wakeAt(asked + 60_000);
      worker.wakeAt(asked + 300);
      worker.wakeAt(asked + 30_000);
      await waitFor(async () => ticks.length === 2, "the tick it asked for");
      expect(ticks[1]! - asked).toBeGreaterThanOrEqual(290);
      expect(ticks[1]! - asked).toBeLessThan(5000);
      // The later times were dropped with the earliest: nothing more before the poll interval.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(ticks).toHaveLength(2);
    } finally {
      await worker.stop();
    }
  });
});
