import { databasePool } from "../../common/database/prismaOptions";
import { asRequest, requestsFirst, resolvedAsRequests } from "../requestPriority";

const server = process.env.POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432";

/** The orders pool serves a request's statements before background work's when connections run out. */
describe("requests first on the orders pool", () => {
  // One connection, so that every other caller waits for it.
  const pool = requestsFirst(databasePool(`${server}/postgres`, { poolSize: 1 }));

  afterAll(() => pool.end());

  it("hands a freed connection to a request's statement before the background work that waited longer", async () => {
    const held = await pool.connect();
    const served: string[] = [];
    const run = (name: string) => pool.query(`SELECT '${name}' AS name`).then(() => void served.push(name));
    const waiting = [
      run("background 1"),
      asRequest(() => run("request 1")),
      run("background 2"),
      // A transaction's connection (pool.connect) is queued the same way.
      asRequest(async () => {
        const client = await pool.connect();
        await client.query("SELECT 'request 2' AS name");
        served.push("request 2");
        client.release();
      }),
    ];
    held.release();
    await Promise.all(waiting);
    expect(served).toEqual(["request 1", "request 2", "background 1", "background 2"]);
  });

  it("leaves a request alone when a connection is free", async () => {
    await expect(asRequest(() => pool.query("SELECT 1 AS one"))).resolves.toMatchObject({ rows: [{ one: 1 }] });
  });

  it("runs the root fields and entity references as requests, and leaves scalars and other fields as they are", () => {
    const scalar = new (class DateTimeScalar {})();
    const inside = () => asRequestProbe();
    const resolvers = resolvedAsRequests({
      DateTime: scalar,
      Query: { order: inside },
      Mutation: { placeOrder: inside },
      Order: { __resolveReference: inside, total: inside },
    });
    expect(resolvers.DateTime).toBe(scalar);
    expect(resolvers.Query.order()).toBe(true);
    expect(resolvers.Mutation.placeOrder()).toBe(true);
    expect(resolvers.Order.__resolveReference()).toBe(true);
    expect(resolvers.Order.total()).toBe(false);
  });
});

/** Whether the caller runs as a request: on a pool with one caller waiting, its own waiter goes first. */
function asRequestProbe(): boolean {
  const older = { older: true };
  const queue: unknown[] = [older];
  const fake = { _pendingQueue: queue, connect: () => void queue.push({ older: false }) };
  requestsFirst(fake as unknown as Parameters<typeof requestsFirst>[0]);
  fake.connect();
  return queue[0] !== older;
}
