import { createLogger } from "../../common/logger";
import { provisionTestDatabase } from "../../../test/support/testDatabase";
import { newTestId } from "../../../test/support/testNames";
import { developmentSigningKey } from "../auth/signingKey";
import { createUsersDatabase, type UsersDb } from "../store/database";

/**
 * Replicas of the users service starting together on an empty database (the two-of-everything
 * test, `docker compose up --scale`) must sign with one key: a token signed by one is verified
 * against the key set another publishes.
 */
describe("the development signing key", () => {
  const testId = newTestId();
  let database: { url: string; drop(): Promise<void> };
  const clients: UsersDb[] = [];

  beforeAll(async () => {
    database = await provisionTestDatabase("users", testId);
    // A client (a pool) per replica, as separate processes have.
    for (let index = 0; index < 6; index += 1) clients.push(createUsersDatabase(database.url));
  });

  afterAll(async () => {
    for (const client of clients) await client.$disconnect();
    await database?.drop();
  });

  it("is one key for every replica that starts at once on an empty database, and the same after a restart", async () => {
    const logger = createLogger("users", { level: "silent" });
    const keys = await Promise.all(clients.map((client) => developmentSigningKey(client, logger)));
    const kids = new Set(keys.map((key) => key.kid));
    expect(kids.size).toBe(1);
    expect(await clients[0]!.signingKey.count()).toBe(1);
    const again = await developmentSigningKey(clients[1]!, logger);
    expect(again.kid).toBe(keys[0]!.kid);
  });
});
