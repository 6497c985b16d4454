import { createUsersDatabase } from "../../users";
import { newTestId } from "../../../test/support/testNames";
import { waitFor } from "../../../test/support/waitFor";
import { dropDatabase, ensureDatabase } from "../database/provision";
import { backoffDelayMs } from "../backoff";
import { claimDue, type DueWorkTable } from "../dueWork/claimDue";
import { dueWorker } from "../dueWork/dueWorker";
import type { Logger } from "../logger";

const server = process.env.POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432";

describe("backoff", () => {
  it.each([
    [1, 500],
    [2, 1000],
    [3, 2000],
    [6, 16_000],
    [7, 30_000],
    [60, 30_000],
  ])("waits after failure %i for %i ms (doubling from the base, capped)", (failures, expected) => {
    expect(backoffDelayMs(failures, { baseMs: 500, maxMs: 30_000 })).toBe(expected);
  });
});

/** Due work on a real table: what the payments and notifications workers run on. */
describe("due work", () => {
  const url = `${server}/${newTestId()}_due_work`;
  const db = createUsersDatabase(url);
  const items: DueWorkTable = { table: "due_items", pending: "state = 'PENDING'" };

  beforeAll(async () => {
    await ensureDatabase(url);
    await db.$executeRawUnsafe(
      `CREATE TABLE due_items (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), label text NOT NULL,
        state text NOT NULL DEFAULT 'PENDING', next_attempt_at timestamptz, runs int NOT NULL DEFAULT 0)`,
    );
  });

  afterAll(async () => {
    await db.$disconnect();
    await dropDatabase(url);
  });

  beforeEach(() => db.$executeRawUnsafe("TRUNCATE due_items"));

  /** Adds items due `inSeconds` from now (negative: overdue), returning their ids by label. */
  async function add(rows: Array<{ label: string; inSeconds: number; state?: string }>): Promise<Map<string, string>> {
    const ids = new Map<string, string>();
    for (const row of rows) {
      const [inserted] = await db.$queryRawUnsafe<Array<{ id: string }>>(
        `INSERT INTO due_items (label, state, next_attempt_at) VALUES ($1, $2, now() + make_interval(secs => $3))
         RETURNING id::text AS id`,
        row.label,
        row.state ?? "PENDING",
        row.inSeconds,
      );
      ids.set(row.label, inserted!.id);
    }
    return ids;
  }

  it("claims what is due and pending, oldest first, at most the limit, and leases it", async () => {
    const ids = await add([
      { label: "newer", inSeconds: -10 },
      { label: "oldest", inSeconds: -60 },
      { label: "third", inSeconds: -5 },
      { label: "later", inSeconds: 3600 },
      { label: "done", inSeconds: -60, state: "DONE" },
    ]);

    const first = await claimDue(db, items, 2, 30_000);
    expect([...first].sort()).toEqual([ids.get("oldest"), ids.get("newer")].sort());
    // Leased: a second claim takes only what is left, and nothing after that.
    expect(await claimDue(db, items, 2, 30_000)).toEqual([ids.get("third")]);
    expect(await claimDue(db, items, 2, 30_000)).toEqual([]);
    const [lease] = await db.$queryRawUnsafe<Array<{ seconds: number }>>(
      "SELECT round(extract(epoch FROM next_attempt_at - now()))::int AS seconds FROM due_items WHERE id = $1::uuid",
      ids.get("oldest"),
    );
    expect(lease!.seconds).toBeGreaterThanOrEqual(29);
  });

  it("never hands one item to two workers claiming at the same time", async () => {
    await add(Array.from({ length: 30 }, (_, index) => ({ label: `item ${index}`, inSeconds: -1 })));
    const claims = await Promise.all(Array.from({ length: 5 }, () => claimDue(db, items, 10, 30_000)));
    const all = claims.flat();
    expect(all).toHaveLength(30);
    expect(new Set(all).size).toBe(30);
  });

  it("does every due item; one that fails is logged on its own and taken again once its lease ends", async () => {
    const ids = await add([
      { label: "a", inSeconds: -1 },
      { label: "b", inSeconds: -1 },
      { label: "flaky", inSeconds: -1 },
      { label: "refused", inSeconds: -1 },
    ]);
    const label = new Map([...ids].map(([name, id]) => [id, name]));
    const logger = { error: jest.fn(), warn: jest.fn(), info: jest.fn() } as unknown as Logger & {
      error: jest.Mock;
    };
    const reported: string[] = [];
    let flakyRuns = 0;
    const worker = dueWorker({
      name: "notification-delivery",
      db,
      intervalMs: 60_000,
      logger,
      work: [
        {
          ...items,
          what: "thing",
          idField: "thingId",
          batch: 10,
          leaseMs: 200,
          async run(id) {
            await db.$executeRawUnsafe("UPDATE due_items SET runs = runs + 1 WHERE id = $1::uuid", id);
            if (label.get(id) === "flaky" && ++flakyRuns === 1) throw new Error("connection reset");
            if (label.get(id) === "refused") {
              await db.$executeRawUnsafe(
                "UPDATE due_items SET state = 'FAILED', next_attempt_at = NULL WHERE id = $1::uuid",
                id,
              );
              throw new RangeError("refused");
            }
            await db.$executeRawUnsafe(
              "UPDATE due_items SET state = 'DONE', next_attempt_at = NULL WHERE id = $1::uuid",
              id,
            );
          },
          reportFailure(error) {
            if (!(error instanceof RangeError)) return false;
            reported.push(error.message);
            return true;
          },
        },
      ],
    });
    worker.start();
    try {
      // Started, it takes what is due at once; the flaky item comes back once its lease ends,
      // at the next tick, which waking brings forward.
      await waitFor(async () => {
        worker.wake();
        const rows = await db.$queryRawUnsafe<Array<{ state: string }>>("SELECT state FROM due_items");
        return rows.every((row) => row.state !== "PENDING");
      }, "every item to be done");
    } finally {
      await worker.stop();
    }

    const rows = await db.$queryRawUnsafe<Array<{ label: string; state: string; runs: number }>>(
      "SELECT label, state, runs FROM due_items ORDER BY label",
    );
    expect(rows).toEqual([
      { label: "a", state: "DONE", runs: 1 },
      { label: "b", state: "DONE", runs: 1 },
      { label: "flaky", state: "DONE", runs: 2 },
      { label: "refused", state: "FAILED", runs: 1 },
    ]);
    expect(reported).toEqual(["refused"]);
    expect(logger.error).toHaveBeenCalledTimes(1);
    expect(logger.error).toHaveBeenCalledWith(
      { thingId: ids.get("flaky"), err: "connection reset" },
      "a thing failed unexpectedly; it is tried again when its lease ends",
    );
  });
});
