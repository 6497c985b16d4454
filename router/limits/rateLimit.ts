import type { Redis } from "ioredis";
import type { ApiKeyRegistry } from "../../subgraphs/common/auth/apiKeys";
import type { Caller } from "../../subgraphs/common/auth/caller";
import { ErrorCode } from "../../subgraphs/common/errors";
import { errorAnswer, type PreHandler } from "../../subgraphs/common/server/exchange";

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
 * Counts a request in its window's key, which expires after the window: one command (a script
 * is atomic), where MULTI, INCR, EXPIRE and EXEC were four on every request.
 */
const countScript = `local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return count`;

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
  async take(client: string, own?: { limit: number; windowSeconds: number }): Promise<number | null> {
    const { keyPrefix } = this.settings;
    const { limit, windowSeconds } = own ?? this.settings;
    if (limit <= 0) return null;
    const window = Math.floor(Date.now() / 1000 / windowSeconds);
    const key = `${keyPrefix}ratelimit:${client}:${window}`;
    try {
      const count = Number(await this.redis.eval(countScript, 1, key, windowSeconds + 1));
      if (count <= limit) return null;
      return Math.max(1, (window + 1) * windowSeconds - Math.floor(Date.now() / 1000));
    } catch {
      return null;
    }
  }

  /** What a client over the limit is told. */
  message(retryAfter: number, own?: { limit: number; windowSeconds: number }): string {
    const { limit, windowSeconds } = own ?? this.settings;
    return `Too many requests: at most ${limit} every ${windowSeconds} seconds. Try again in ${retryAfter} seconds.`;
  }
}

/** An API key's own budget: the requests per minute chosen when it was created. */
export function apiKeyLimit(caller: Caller | null | undefined): { limit: number; windowSeconds: number } | undefined {
  return caller?.apiKey ? { limit: caller.apiKey.requestsPerMinute, windowSeconds: 60 } : undefined;
}

/**
 * The pre-handler after authentication: a signed-in client is counted by user, an anonymous one
 * by address, an API key by itself against its own budget (and its last use noted). Past the
 * limit: RATE_LIMITED with `retryAfter`, HTTP 429 and a Retry-After header.
 */
export function rateLimit(limiter: RateLimiter, apiKeys?: ApiKeyRegistry): PreHandler {
  return async (exchange) => {
    if (exchange.method === "OPTIONS") return undefined;
    const { caller } = exchange;
    const apiKey = caller?.apiKey;
    const own = apiKeyLimit(caller);
    const retryAfter = apiKey
      ? await limiter.take(`apikey:${apiKey.id}`, own)
      : await limiter.take(rateLimitClient(caller?.userId, exchange.clientAddress));
    // Best effort: a key's last use is shown to staff, never a reason to refuse the request.
    if (apiKey) await apiKeys?.markUsed(apiKey.id).catch(() => undefined);
    if (retryAfter === null) return undefined;
    return {
      ...errorAnswer(429, ErrorCode.RATE_LIMITED, limiter.message(retryAfter, own), { retryAfter }),
      headers: { "retry-after": String(retryAfter) },
    };
  };
}
