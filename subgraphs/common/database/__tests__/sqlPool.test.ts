import { createUsersDatabase } from "../../../users";
import { newTestId } from "../../../../test/support/testNames";
import { dropDatabase, ensureDatabase } from "../provision";
import { runsOnPool, shareClientPool, sql, statement } from "../sqlPool";

const server = process.env.POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432";

const backendPid = statement("test_sql_pool_backend_pid", "SELECT pg_backend_pid() AS pid");

/**
 * `sql(tx)` inside an interactive transaction runs on the transaction's own connection, learnt
 * without an async context (see SharedPoolAdapter): checked against the connection Prisma's own
 * statements of the transaction run on, with more transactions than connections, and with
 * Prisma's batch transactions (which begin through the same adapter) interleaved.
 */
describe("named statements on the shared pool", () => {
  const url = `${server}/${newTestId()}_sql_pool`;
  const db = shareClientPool(createUsersDatabase(url, { poolSize: 4 }));

  beforeAll(() => ensureDatabase(url));

  afterAll(async () => {
    await db.$disconnect();
    await dropDatabase(url);
  });

  it("runs a statement inside a transaction on that transaction's connection, under contention", async () => {
    const transaction = (index: number) =>
      db.$transaction(async (tx) => {
        const [ours] = await sql<{ pid: number }>(tx, backendPid, []);
        const [prismas] = await tx.$queryRawUnsafe<Array<{ pid: number }>>("SELECT pg_backend_pid() AS pid");
        // A write of this transaction is seen by the statement on the pool: the same transaction.
        const [seen] = await sql<{ pid: number }>(tx, backendPid, []);
        return { index, onPool: runsOnPool(tx), ours: ours!.pid, prismas: prismas!.pid, again: seen!.pid };
      });
    const batch = () => db.$transaction([db.$queryRawUnsafe("SELECT 1"), db.$queryRawUnsafe("SELECT 2")]);
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, index) => (index % 3 === 0 ? batch().then(() => undefined) : transaction(index))),
    );
    const transactions = results.filter((each) => each !== undefined);
    expect(transactions).toHaveLength(40);
    for (const each of transactions) {
      expect(each.onPool).toBe(true);
      expect(each.ours).toBe(each.prismas);
      expect(each.again).toBe(each.prismas);
    }
  });

  it("sees the transaction's own uncommitted writes and leaves nothing on rollback", async () => {
    await db.$executeRawUnsafe("CREATE TABLE IF NOT EXISTS pool_probe (id int PRIMARY KEY)");
    const insert = statement("test_sql_pool_insert", "INSERT INTO pool_probe (id) VALUES ($1)");
    const count = statement("test_sql_pool_count", "SELECT count(*)::int AS n FROM pool_probe WHERE id = $1");
    await expect(
      db.$transaction(async (tx) => {
        await tx.$executeRawUnsafe("INSERT INTO pool_probe (id) VALUES (1)");
        await sql(tx, insert, [2]);
        const [one] = await sql<{ n: number }>(tx, count, [1]);
        expect(one!.n).toBe(1);
        throw new Error("roll back");
      }),
    ).rejects.toThrow("roll back");
    const [left] = await sql<{ n: number }>(
      db,
      statement("test_sql_pool_all", "SELECT count(*)::int AS n FROM pool_probe"),
      [],
    );
    expect(left!.n).toBe(0);
  });
});
