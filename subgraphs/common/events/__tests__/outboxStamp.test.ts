import { randomUUID } from "node:crypto";
import pg from "pg";
import { provisionTestDatabase } from "../../../../test/support/testDatabase";
import { newTestId } from "../../../../test/support/testNames";
import { createEnvelope } from "../envelope";
import { appendToOutbox, markPublishedByIds } from "../outbox";
import { createOrdersDatabase } from "../../../orders";
import { declaredStatements, shareClientPool } from "../../database/sqlPool";

/**
 * The direct path's stamp of published events commits without waiting for the disk (losing it
 * to a crash only means the poll publishes the events again), and only its own commit: the
 * relaxation ends with the stamp's transaction, so the connection's next commit is durable.
 */
describe("the outbox stamp of published events", () => {
  let database: { url: string; drop(): Promise<void> };
  let db: ReturnType<typeof createOrdersDatabase>;
  let client: pg.Client;

  beforeAll(async () => {
    database = await provisionTestDatabase("orders", `${newTestId()}_stamp`);
    // One connection: the stamp and the checks after it run on the same session.
    db = shareClientPool(createOrdersDatabase(database.url, { poolSize: 1 }));
    client = new pg.Client({ connectionString: database.url });
    await client.connect();
  });

  afterAll(async () => {
    await client?.end();
    await db?.$disconnect();
    await database?.drop();
  });

  const unpublished = async (ids: string[]) =>
    (await client.query("SELECT id FROM outbox_event WHERE id = ANY($1::uuid[]) AND published_at IS NULL", [ids]))
      .rowCount;

  it("stamps the rows by id, and leaves the session's commits durable after it", async () => {
    const events = [1, 2].map(() =>
      createEnvelope("inventory", { type: "inventory.reservation.succeeded", data: { orderId: randomUUID() } }),
    );
    await appendToOutbox(db, events);
    const ids = events.map((event) => event.id);
    expect(await unpublished(ids)).toBe(2);
    await markPublishedByIds(db, ids);
    expect(await unpublished(ids)).toBe(0);
    const [setting] = await db.$queryRawUnsafe<Array<{ synchronous_commit: string }>>("SHOW synchronous_commit");
    expect(setting?.synchronous_commit).toBe("on");
  });

  it("relaxes the commit of the stamp's own transaction", async () => {
    const event = createEnvelope("inventory", {
      type: "inventory.reservation.succeeded",
      data: { orderId: randomUUID() },
    });
    await appendToOutbox(db, [event]);
    // Inside a transaction (never done in the relay) the setting can be seen before the commit.
    await client.query("BEGIN");
    const stamp = declaredStatements().find((each) => each.name === "outbox_stamp_by_ids")!;
    await client.query(stamp.text, [[event.id]]);
    const during = (await client.query<{ synchronous_commit: string }>("SHOW synchronous_commit")).rows[0];
    await client.query("COMMIT");
    const after = (await client.query<{ synchronous_commit: string }>("SHOW synchronous_commit")).rows[0];
    expect({ during: during?.synchronous_commit, after: after?.synchronous_commit }).toEqual({
      during: "off",
      after: "on",
    });
  });
});
