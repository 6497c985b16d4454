import pg from "pg";
import { Registry } from "prom-client";
import { registerWorkCounters } from "../workCounters";

const postgresUrl = process.env.POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432";

describe("work counters", () => {
  it("counts the SQL statements a process sends and the transactions it commits", async () => {
    const registry = new Registry();
    registerWorkCounters(registry);
    const value = async (name: string) => (await registry.getSingleMetric(name)!.get()).values[0]!.value;
    const read = async () => ({
      sqlStatements: await value("sql_statements_total"),
      sqlCommits: await value("sql_commits_total"),
    });
    const client = new pg.Client({ connectionString: `${postgresUrl}/postgres` });
    await client.connect();
    try {
      const before = await read();
      await client.query("BEGIN");
      await client.query({ text: "SELECT $1::int AS one", values: [1] });
      await client.query("COMMIT");
      await client.query("SELECT 2");
      await client.query("BEGIN");
      await client.query("SAVEPOINT s");
      await client.query("ROLLBACK TO SAVEPOINT s");
      await client.query("ROLLBACK");
      const after = await read();
      expect(after.sqlStatements - before.sqlStatements).toBe(8);
      // One COMMIT, one statement outside a transaction; the rolled back one is no commit.
      expect(after.sqlCommits - before.sqlCommits).toBe(2);
    } finally {
      await client.end();
    }
  });
});
