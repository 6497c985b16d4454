import { createHash } from "node:crypto";
import type { Redis } from "ioredis";
import { RateLimitedError } from "../../common/errors";

export interface LoginThrottleSettings {
  maxFailuresPerEmail: number;
  maxFailuresPerAddress: number;
  windowSeconds: number;
}

/**
 * Counts failed logins per email and per client address in Redis, in fixed windows. Past the
 * limit, logins for that email or from that address are refused until the window ends, even
 * with the right password, so guessing stays slow whichever way it is spread.
 */
export class LoginThrottle {
  constructor(private readonly redis: Redis, private readonly keyPrefix: string, private readonly settings: LoginThrottleSettings) {}

  // Emails are hashed so Redis holds no personal data.
  private emailKey(email: string): string {
    return `${this.keyPrefix}login-failures:email:${createHash("sha256").update(email).digest("hex")}`;
  }

  private addressKey(address: string): string {
    return `${this.keyPrefix}login-failures:address:${address}`;
  }

  /** Throws RATE_LIMITED, with the seconds until the window ends, when either limit is reached. */
  async check(email: string, address: string): Promise<void> {
    const results = await this.redis
      .pipeline()
      .get(this.emailKey(email))
      .ttl(this.emailKey(email))
      .get(this.addressKey(address))
      .ttl(this.addressKey(address))
      .exec();
    const [emailCount, emailTtl, addressCount, addressTtl] = (results ?? []).map(([, value]) => Number(value ?? 0));
    const waits: number[] = [];
    if ((emailCount ?? 0) >= this.settings.maxFailuresPerEmail) waits.push(emailTtl ?? this.settings.windowSeconds);
    if ((addressCount ?? 0) >= this.settings.maxFailuresPerAddress) waits.push(addressTtl ?? this.settings.windowSeconds);
    if (waits.length > 0) {
      throw new RateLimitedError(Math.max(1, ...waits), "Too many failed sign-in attempts. Try again later.");
    }
  }

  async recordFailure(email: string, address: string): Promise<void> {
    const window = this.settings.windowSeconds;
    await this.redis
      .pipeline()
      .incr(this.emailKey(email))
      .expire(this.emailKey(email), window, "NX")
      .incr(this.addressKey(address))
      .expire(this.addressKey(address), window, "NX")
      .exec();
  }

  /** A successful login clears the email's failures (not the address's). */
  async recordSuccess(email: string): Promise<void> {
    await this.redis.del(this.emailKey(email));
  }
}
