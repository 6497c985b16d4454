import { createHash } from "node:crypto";
import { Redis } from "ioredis";
import { graphql, graphqlData } from "../../support/graphqlClient";
import { registerCustomer } from "../../support/identity";
import { PrivateRedis } from "../../support/privateRedis";
import { startServices, type TestServices } from "../../support/testServices";
import { waitFor } from "../../support/waitFor";

/** A number from Redis's INFO. */
async function info(redis: Redis, field: string): Promise<number> {
  const text = await redis.info();
  return Number(new RegExp(`^${field}:(\\d+)`, "m").exec(text)?.[1]);
}

describe("Redis under pressure keeps what security depends on", () => {
  let redisServer: PrivateRedis;
  let redis: Redis;
  let services: TestServices<never>;

  beforeAll(async () => {
    // As Compose and Kubernetes run it: evicting only keys with a TTL.
    redisServer = await PrivateRedis.reserve(["--maxmemory-policy", "volatile-lru"]);
    await redisServer.resume();
    redis = new Redis(redisServer.url);
    services = await startServices([], {
      common: { REDIS_URL: redisServer.url },
      settings: { router: { REDIS_URL: redisServer.url, APQ_MAX_ENTRIES: "50" } },
    });
  });

  afterAll(async () => {
    redis?.disconnect();
    await services?.cleanUp();
    await redisServer?.pause();
  });

  it("cannot be filled with persisted queries, and never evicts a session revocation", async () => {
    const url = services.router.url;
    const customer = await registerCustomer(url);
    await graphqlData(url, `mutation($token: String!) { logout(refreshToken: $token) }`, {
      variables: { token: customer.refreshToken },
      token: customer.accessToken,
    });
    const revoked = async () => (await graphql(url, "{ me { id } }", { token: customer.accessToken })).errors?.[0];
    expect((await revoked())?.extensions?.code).toBe("UNAUTHENTICATED");

    // Two megabytes of room, then far more than that in persisted queries (each under the entry size).
    await redis.config("SET", "maxmemory", String((await info(redis, "used_memory")) + 2 * 1024 * 1024));
    const padding = "x".repeat(15_000);
    for (let n = 0; n < 300; n += 1) {
      const query = `query Flood${n} { __typename } # ${padding}`;
      const sha256Hash = createHash("sha256").update(query).digest("hex");
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query, extensions: { persistedQuery: { version: 1, sha256Hash } } }),
      });
      expect(response.status).toBe(200);
    }
    // The store stayed within its bound: Redis never had to evict anything (rate-limit windows,
    // login failures, revocations).
    expect(await info(redis, "evicted_keys")).toBe(0);
    expect(await redis.zcard(`${services.shared.REDIS_KEY_PREFIX}apq:index`)).toBeLessThanOrEqual(50);
    expect((await revoked())?.extensions?.code).toBe("UNAUTHENTICATED");

    // And when Redis does fill up (with anything that expires), the revocation is not what goes.
    const junk = "y".repeat(10_000);
    await waitFor(async () => {
      const pipeline = redis.pipeline();
      for (let n = 0; n < 50; n += 1) pipeline.set(`junk:${Math.random()}`, junk, "EX", 600);
      await pipeline.exec();
      return (await info(redis, "evicted_keys")) > 500;
    }, "Redis to evict under memory pressure");
    expect((await revoked())?.message).toBe("The session has ended: sign in again.");
  });
});
