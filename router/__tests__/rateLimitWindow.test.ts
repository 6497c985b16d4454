import { Redis } from "ioredis";
import { newTestId } from "../../test/support/testNames";
import { RateLimiter } from "../limits/rateLimit";

/** The rate limiter's window keys in Redis: counted, refused past the limit, and expiring. */
describe("rate limit windows in Redis", () => {
  const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
  const keyPrefix = `${newTestId()}:`;
  const windowSeconds = 60;
  const limiter = new RateLimiter(redis, { limit: 3, windowSeconds, keyPrefix });

  afterAll(async () => {
    const keys = await redis.keys(`${keyPrefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  it("counts each request once in a key that expires after its window, and refuses past the limit", async () => {
    const answers = [];
    for (let index = 0; index < 5; index += 1) answers.push(await limiter.take("user:counted"));
    expect(answers.slice(0, 3)).toEqual([null, null, null]);
    expect(answers[3]).toBeGreaterThanOrEqual(1);
    expect(answers[4]).toBeLessThanOrEqual(windowSeconds);
    const [key, ...others] = await redis.keys(`${keyPrefix}ratelimit:user:counted:*`);
    expect(others).toEqual([]);
    expect(await redis.get(key!)).toBe("5");
    const ttl = await redis.ttl(key!);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(windowSeconds + 1);
  });

  it("keeps clients apart and lets a limit of 0 through without counting", async () => {
    expect(await limiter.take("ip:10.0.0.1")).toBeNull();
    expect(await limiter.take("ip:10.0.0.2")).toBeNull();
    expect(await limiter.take("ip:10.0.0.3", { limit: 0, windowSeconds })).toBeNull();
    expect(await redis.keys(`${keyPrefix}ratelimit:ip:*`)).toHaveLength(2);
  });
});
