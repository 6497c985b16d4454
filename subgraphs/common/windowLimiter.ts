import { createHash } from "node:crypto";
import type { Redis } from "ioredis";
import { RateLimitedError } from "./errors";

/**
 * Atomically counts one use in a fixed window, starting the window on the first; answers 0 when
 * the use is within the limit, else the seconds until the window ends (the use is not counted).
 * KEYS: the counter. ARGV: limit, window seconds.
 */
const takeScript = `
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
if count >= tonumber(ARGV[1]) then
  local ttl = redis.call('TTL', KEYS[1])
  if ttl < 0 then ttl = tonumber(ARGV[2]) end
  return ttl
end
redis.call('INCR', KEYS[1])
if redis.call('TTL', KEYS[1]) < 0 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
return 0
`;

export interface WindowLimit {
  /** What is counted, part of the Redis key: `oidc-sign-in`, `phone-codes:user`. */
  name: string;
  limit: number;
  windowSeconds: number;
}

/**
 * Limits how often one key (a client address, a user, a phone number) may do something, in fixed
 * windows kept in Redis, so every replica counts together. Keys are hashed: Redis holds no
 * personal data.
 */
export class WindowLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
  ) {}

  /** Counts one use of `key`; RATE_LIMITED (with `message`) when the limit is reached already. */
  async take(limit: WindowLimit, key: string, message: string): Promise<void> {
    const counter = this.counterOf(limit, key);
    const wait = Number(await this.redis.eval(takeScript, 1, counter, limit.limit, limit.windowSeconds));
    if (wait > 0)
      throw new RateLimitedError(Math.max(1, wait), `${message} Try again in ${Math.max(1, wait)} seconds.`);
  }

  /**
   * RATE_LIMITED (with `message`) when `key` has used up `limit` in this window, counting nothing:
   * for limits on failures (counted with `take` after each), checked before an attempt that
   * could succeed, so a key out of tries cannot try again.
   */
  async check(limit: WindowLimit, key: string, message: string): Promise<void> {
    const counter = this.counterOf(limit, key);
    const [count, ttl] = await Promise.all([this.redis.get(counter), this.redis.ttl(counter)]);
    if (Number(count ?? 0) < limit.limit) return;
    const wait = Math.max(1, ttl > 0 ? ttl : limit.windowSeconds);
    throw new RateLimitedError(wait, `${message} Try again in ${wait} seconds.`);
  }

  private counterOf(limit: WindowLimit, key: string): string {
    return `${this.keyPrefix}${limit.name}:${createHash("sha256").update(key).digest("hex")}`;
  }
}
