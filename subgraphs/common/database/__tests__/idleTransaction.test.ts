import { newTestId } from "../../../../test/support/testNames";
import { databasePool } from "../prismaOptions";
import { dropDatabase, ensureDatabase } from "../provision";
import { inSqlTransaction } from "../sqlTransaction";

const server = process.env.POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432";

/**
 * Our own SQL transactions have no client-side timeout: PostgreSQL ends a session left idle
 * inside one (work hanging between statements), so its locks are freed, and the pool goes on
 * with a fresh connection.
 */
describe("a transaction left idle", () => {
  const url = `${server}/${newTestId()}_idle_tx`;
  const pool = databasePool(url, { poolSize: 2, idleTransactionTimeoutMs: 200 });
  // The server ends the session: the pool reports it as an error of an idle client.
  pool.on("error", () => undefined);

  beforeAll(async () => {
    await ensureDatabase(url);
    await pool.query("CREATE TABLE held (id int PRIMARY KEY)");
    await pool.query("INSERT INTO held VALUES (1)");
  });

  afterAll(async () => {
    await pool.end();
    await dropDatabase(url);
  });

  it("is ended by the server, its lock freed, and the pool still serves", async () => {
    const hung = inSqlTransaction(pool, async (tx) => {
      await tx.$queryRawUnsafe("SELECT id FROM held WHERE id = 1 FOR UPDATE");
      // Work that hangs between statements, past the server's limit.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      return tx.$queryRawUnsafe("SELECT 1");
    });
    await expect(hung).rejects.toThrow();
    // Another transaction takes the row's lock at once: the first one's was freed.
    const locked = await inSqlTransaction(pool, async (tx) =>
      tx.$queryRawUnsafe<Array<{ id: number }>>("SELECT id FROM held WHERE id = 1 FOR UPDATE NOWAIT"),
    );
    expect(locked).toEqual([{ id: 1 }]);
  });

  it("leaves a transaction that keeps working alone", async () => {
    const result = await inSqlTransaction(pool, async (tx) => {
      for (let step = 0; step < 5; step += 1) {
        await tx.$queryRawUnsafe("SELECT id FROM held WHERE id = 1 FOR UPDATE");
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return tx.$queryRawUnsafe<Array<{ n: number }>>("SELECT 1 AS n");
    });
    expect(result).toEqual([{ n: 1 }]);
  });
});
