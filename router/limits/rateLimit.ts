import type { NextFunction, Request, Response } from "express";
import type { Redis } from "ioredis";
import { ErrorCode } from "../../subgraphs/common/errors";

export interface RateLimitSettings {
  /** Requests a client may send per window; 0 turns the limit off. */
  limit: number;
  windowSeconds: number;
  keyPrefix: string;
}

/** The client a limit counts: a signed-in user, or an anonymous client's address. */
export function rateLimitClient(userId: string | undefined, address: string | undefined): string {
  return userId ? `user:${userId}` : `ip:${address ?? "unknown"}`;
}

/**
 * Per-client request limit kept in Redis (fixed windows), so it holds across router replicas,
 * and for HTTP requests and WebSocket messages alike.
 */
export class RateLimiter {
  constructor(
    private readonly redis: Redis,
    readonly settings: RateLimitSettings,
  ) {}

  /**
   * Counts one request of `client`; resolves with the seconds to wait when it is over the limit,
   * null otherwise. With Redis unavailable it serves rather than refuse everyone (readiness
   * reports the outage).
   */
  async take(client: string): Promise<number | null> {
    const { limit, windowSeconds, keyPrefix } = this.settings;
    if (limit <= 0) return null;
    const window = Math.floor(Date.now() / 1000 / windowSeconds);
    const key = `${keyPrefix}ratelimit:${client}:${window}`;
    try {
      const [[, count]] = (await this.redis
        .multi()
        .incr(key)
        .expire(key, windowSeconds + 1)
        .exec()) as [[unknown, number]];
      if (count <= limit) return null;
      return Math.max(1, (window + 1) * windowSeconds - Math.floor(Date.now() / 1000));
    } catch {
      return null;
    }
  }

  /** What a client over the limit is told. */
  message(retryAfter: number): string {
    const { limit, windowSeconds } = this.settings;
    return `Too many requests: at most ${limit} every ${windowSeconds} seconds. Try again in ${retryAfter} seconds.`;
  }
}

/**
 * Express middleware: a signed-in client is counted by user, an anonymous one by address. Past
 * the limit: RATE_LIMITED with `retryAfter`, HTTP 429 and a Retry-After header.
 */
export function rateLimit(limiter: RateLimiter) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    if (req.method === "OPTIONS") return next();
    const retryAfter = await limiter.take(rateLimitClient(req.caller?.userId, req.ip));
    if (retryAfter === null) return next();
    res
      .set("retry-after", String(retryAfter))
      .status(429)
      .json({
        errors: [{ message: limiter.message(retryAfter), extensions: { code: ErrorCode.RATE_LIMITED, retryAfter } }],
      });
  };
}
