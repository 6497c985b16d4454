import { createHash } from "node:crypto";
import type { Redis } from "ioredis";
import { RateLimitedError } from "../../common/errors";

export interface LoginThrottleSettings {
  maxFailuresPerEmail: number;
  maxFailuresPerAddress: number;
  windowSeconds: number;
}

/**
 * Atomically: refuses (returning the seconds to wait) when either counter has reached its limit;
 * otherwise counts the attempt against both, starting the window on the first count.
 * KEYS: email counter, address counter. ARGV: email limit, address limit, window seconds.
 */
const reserveScript = `
local limits = { tonumber(ARGV[1]), tonumber(ARGV[2]) }
local window = tonumber(ARGV[3])
local wait = 0
for i = 1, 2 do
  if tonumber(redis.call('GET', KEYS[i]) or '0') >= limits[i] then
    local ttl = redis.call('TTL', KEYS[i])
    if ttl < 0 then ttl = window end
    if ttl > wait then wait = ttl end
  end
end
if wait > 0 then return wait end
for i = 1, 2 do
  redis.call('INCR', KEYS[i])
  if redis.call('TTL', KEYS[i]) < 0 then redis.call('EXPIRE', KEYS[i], window) end
end
return 0
`;

/** Gives back one counted attempt, never below zero and never creating a counter. */
const releaseScript = `
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
if count > 0 then redis.call('DECR', KEYS[1]) end
return 0
`;

/**
 * Counts failed logins per email and per client address in Redis, in fixed windows. Past the
 * limit, logins for that email or from that address are refused until the window ends, even
 * with the right password, so guessing stays slow whichever way it is spread.
 *
 * Every attempt is counted as a failure before its password is checked (`reserve`), atomically
 * with the limit check, so parallel guesses cannot all slip in under the limit while the slow
 * hashes run; a successful login then takes its count back (`recordSuccess`).
 */
export class LoginThrottle {
  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
    private readonly settings: LoginThrottleSettings,
  ) {}

  // Emails are hashed so Redis holds no personal data.
  private emailKey(email: string): string {
    return `${this.keyPrefix}login-failures:email:${createHash("sha256").update(email).digest("hex")}`;
  }

  private addressKey(address: string): string {
    return `${this.keyPrefix}login-failures:address:${address}`;
  }

  /**
   * Counts an attempt against the email and the address, as a failure until `recordSuccess`
   * says otherwise; throws RATE_LIMITED, with the seconds until the window ends, and counts
   * nothing when either limit is already reached.
   */
  async reserve(email: string, address: string): Promise<void> {
    const { maxFailuresPerEmail, maxFailuresPerAddress, windowSeconds } = this.settings;
    const wait = Number(
      await this.redis.eval(
        reserveScript,
        2,
        this.emailKey(email),
        this.addressKey(address),
        maxFailuresPerEmail,
        maxFailuresPerAddress,
        windowSeconds,
      ),
    );
    if (wait > 0) throw new RateLimitedError(Math.max(1, wait), "Too many failed sign-in attempts. Try again later.");
  }

  /**
   * The reserved attempt succeeded: it clears the email's failures, and is no longer counted
   * against the address (whose other failures stay).
   */
  async recordSuccess(email: string, address: string): Promise<void> {
    await this.redis.del(this.emailKey(email));
    await this.redis.eval(releaseScript, 1, this.addressKey(address));
  }
}
