import pg from "pg";
import { newTestId } from "../../../../test/support/testNames";
import { dropDatabase, ensureDatabase } from "../provision";
import { anyOfParameter, opaqueParameter } from "../sqlPool";

const server = process.env.POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432";

/**
 * A named statement whose array parameter is hidden from the planner (`opaqueParameter`) keeps its
 * generic plan after the five custom plans PostgreSQL makes first, however few elements it is
 * given, and answers what the plain parameter answers.
 */
describe("statements that plan once", () => {
  const url = `${server}/${newTestId()}_plan_once`;
  const client = new pg.Client({ connectionString: url });
  let ids: string[] = [];

  beforeAll(async () => {
    await ensureDatabase(url);
    await client.connect();
    await client.query(
      `CREATE TABLE items (id uuid PRIMARY KEY, n int NOT NULL);
       INSERT INTO items SELECT gen_random_uuid(), i FROM generate_series(1, 2000) i; ANALYZE items`,
    );
    ids = (await client.query<{ id: string }>("SELECT id FROM items ORDER BY n LIMIT 3")).rows.map((row) => row.id);
  });

  afterAll(async () => {
    await client.end();
    await dropDatabase(url);
  });

  const plans = async (name: string) =>
    (
      await client.query<{ generic: string; custom: string }>(
        "SELECT generic_plans AS generic, custom_plans AS custom FROM pg_prepared_statements WHERE name = $1",
        [name],
      )
    ).rows[0];

  it("keeps the generic plan of a look-up of one id", async () => {
    const text = `SELECT n FROM items WHERE id = ${anyOfParameter("$1")} ORDER BY n`;
    for (let run = 0; run < 8; run++) {
      const { rows } = await client.query({ name: "plan_once_lookup", text, values: [[ids[run % 3]]] });
      expect(rows).toEqual([{ n: (run % 3) + 1 }]);
    }
    const { rows } = await client.query({ name: "plan_once_lookup", text, values: [ids] });
    expect(rows).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect(await plans("plan_once_lookup")).toEqual({ generic: "4", custom: "5" });
  });

  it("keeps the generic plan of a statement unnesting an array", async () => {
    const text = `SELECT count(*)::int AS found FROM unnest(${opaqueParameter("$1", "uuid[]")}) AS u(id)
                    JOIN items i ON i.id = u.id`;
    for (let run = 0; run < 8; run++) {
      const { rows } = await client.query({ name: "plan_once_unnest", text, values: [[ids[0]]] });
      expect(rows).toEqual([{ found: 1 }]);
    }
    expect(await plans("plan_once_unnest")).toEqual({ generic: "3", custom: "5" });
  });
});
