import type { NextFunction, Request, Response } from "express";
import type { Redis } from "ioredis";
import { ErrorCode } from "../../subgraphs/common/errors";

export interface RateLimitSettings {
  /** Requests a client may send per window; 0 turns the limit off. */
  limit: number;
  windowSeconds: number;
  keyPrefix: string;
}

/**
 * Per-client request limit kept in Redis (fixed windows), so it holds across router replicas. A
 * signed-in client is counted by user, an anonymous one by address. Past the limit:
 * RATE_LIMITED with `retryAfter`, HTTP 429 and a Retry-After header.
 */
export function rateLimit(redis: Redis, settings: RateLimitSettings) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    if (settings.limit <= 0 || req.method === "OPTIONS") return next();
    const client = req.caller ? `user:${req.caller.userId}` : `ip:${req.ip}`;
    const window = Math.floor(Date.now() / 1000 / settings.windowSeconds);
    const key = `${settings.keyPrefix}ratelimit:${client}:${window}`;
    try {
      const [[, count]] = (await redis
        .multi()
        .incr(key)
        .expire(key, settings.windowSeconds + 1)
        .exec()) as [[unknown, number]];
      if (count > settings.limit) {
        const retryAfter = Math.max(1, (window + 1) * settings.windowSeconds - Math.floor(Date.now() / 1000));
        res
          .set("retry-after", String(retryAfter))
          .status(429)
          .json({
            errors: [
              {
                message: `Too many requests: at most ${settings.limit} every ${settings.windowSeconds} seconds. Try again in ${retryAfter} seconds.`,
                extensions: { code: ErrorCode.RATE_LIMITED, retryAfter },
              },
            ],
          });
        return;
      }
    } catch {
      // Redis unavailable: serve rather than refuse everyone; readiness reports the outage.
    }
    next();
  };
}
