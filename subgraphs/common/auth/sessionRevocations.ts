import type { Redis } from "ioredis";

/**
 * Sessions that ended before their access tokens expired (logout, reuse of a refresh token, a
 * password reset). Kept in Redis for as long as an access token can live, so the router and
 * every subgraph reject those tokens at once.
 */
export class SessionRevocations {
  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
  ) {}

  private key(sessionId: string): string {
    return `${this.keyPrefix}auth:revoked-session:${sessionId}`;
  }

  /** Records the sessions as revoked; rejects unless every one was written (a pipeline reports its failures in its results). */
  async revoke(sessionIds: readonly string[], forSeconds: number): Promise<void> {
    if (sessionIds.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const id of sessionIds) pipeline.set(this.key(id), "1", "EX", Math.max(1, Math.ceil(forSeconds)));
    const results = await pipeline.exec();
    if (!results) throw new Error("Redis did not run the session revocations");
    const failure = results.find(([error]) => error)?.[0];
    if (failure) throw failure;
  }

  async isRevoked(sessionId: string): Promise<boolean> {
    return (await this.redis.exists(this.key(sessionId))) === 1;
  }
}
