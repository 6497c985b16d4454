import type { Redis } from "ioredis";

/**
 * Sessions that ended before their access tokens expired (logout, reuse of a refresh token, a
 * password reset), kept for as long as an access token can live, so the router and every
 * subgraph reject those tokens at once.
 *
 * One sorted set, each session scored with the time its revocation may be forgotten. The key
 * has no TTL on purpose: Redis runs with `maxmemory-policy volatile-lru`, which evicts only keys
 * that expire (persisted queries, rate-limit windows), so filling Redis can never evict a
 * revocation; entries past their time are pruned on every write instead.
 */
export class SessionRevocations {
  private readonly key: string;

  constructor(
    private readonly redis: Redis,
    keyPrefix: string,
  ) {
    this.key = `${keyPrefix}auth:revoked-sessions`;
  }

  /** Records the sessions as revoked; rejects unless Redis ran every write (a failure is in the results). */
  async revoke(sessionIds: readonly string[], forSeconds: number, nowMs = Date.now()): Promise<void> {
    if (sessionIds.length === 0) return;
    const until = nowMs + Math.max(1, Math.ceil(forSeconds)) * 1000;
    const results = await this.redis
      .multi()
      // GT: a revocation already kept longer is not shortened.
      .zadd(this.key, "GT", ...sessionIds.flatMap((id) => [until, id]))
      .zremrangebyscore(this.key, "-inf", nowMs)
      .exec();
    if (!results) throw new Error("Redis did not run the session revocations");
    const failure = results.find(([error]) => error)?.[0];
    if (failure) throw failure;
  }

  async isRevoked(sessionId: string, nowMs = Date.now()): Promise<boolean> {
    const until = await this.redis.zscore(this.key, sessionId);
    return until !== null && Number(until) > nowMs;
  }
}
