import { newTestId } from "../../../../test/support/testNames";
import { connectionIdleTimeoutMs, databasePool } from "../prismaOptions";
import { dropDatabase, ensureDatabase } from "../provision";

const server = process.env.POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432";

/** How the service's pool opens and keeps its connections. */
describe("the service's database pool", () => {
  const url = `${server}/${newTestId()}_db_pool`;
  const pool = databasePool(url, { poolSize: 2 });

  beforeAll(() => ensureDatabase(url));

  afterAll(async () => {
    await pool.end();
    await dropDatabase(url);
  });

  it("keeps an idle connection for minutes, not pg's default 10 s", () => {
    expect(connectionIdleTimeoutMs).toBeGreaterThanOrEqual(60_000);
    const { options } = pool as unknown as { options: { idleTimeoutMillis: number; allowExitOnIdle: boolean } };
    expect(options).toMatchObject({ idleTimeoutMillis: connectionIdleTimeoutMs, allowExitOnIdle: true });
  });
});
