import { createUsersDatabase } from "../../users";
import { isTransientDatabaseFailure } from "../database/transientFailure";

const server = process.env.POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432";

/** The error a real query fails with. */
async function failureOf(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  throw new Error("the query did not fail");
}

describe("telling a database that is away from work that is at fault, on real failures", () => {
  const reachable = createUsersDatabase(`${server}/postgres`);
  const unreachable = createUsersDatabase("postgres://postgres@127.0.0.1:1/nowhere");

  afterAll(async () => {
    await reachable.$disconnect();
    await unreachable.$disconnect();
  });

  it("calls an unreachable server transient, in a transaction and outside one", async () => {
    expect(isTransientDatabaseFailure(await failureOf(() => unreachable.user.count()))).toBe(true);
    expect(
      isTransientDatabaseFailure(
        await failureOf(() => unreachable.$transaction(async (tx) => tx.$executeRawUnsafe("SELECT 1"))),
      ),
    ).toBe(true);
  });

  it("calls a connection the server ended transient", async () => {
    const ended = createUsersDatabase(`${server}/postgres`);
    try {
      expect(
        isTransientDatabaseFailure(
          await failureOf(() => ended.$executeRawUnsafe("SELECT pg_terminate_backend(pg_backend_pid())")),
        ),
      ).toBe(true);
    } finally {
      await ended.$disconnect();
    }
  });

  it("calls a deadlock or serialization failure transient", async () => {
    const serialization = await failureOf(() =>
      reachable.$executeRawUnsafe(
        "DO $$ BEGIN RAISE EXCEPTION USING ERRCODE = '40001', MESSAGE = 'could not serialize'; END $$",
      ),
    );
    expect(isTransientDatabaseFailure(serialization)).toBe(true);
  });

  it("calls failures of the work itself permanent", async () => {
    expect(
      isTransientDatabaseFailure(await failureOf(() => reachable.$executeRawUnsafe("SELECT * FROM no_such_table"))),
    ).toBe(false);
    expect(isTransientDatabaseFailure(await failureOf(() => reachable.$executeRawUnsafe("SELECT 1/0")))).toBe(false);
    expect(isTransientDatabaseFailure(await failureOf(() => reachable.$executeRawUnsafe("SELECT 'x'::uuid")))).toBe(
      false,
    );
    expect(isTransientDatabaseFailure(new Error("no order 42 for STOCK_RESERVED"))).toBe(false);
  });
});
