import type { Redis } from "ioredis";

/**
 * Sessions that ended before their access tokens expired (logout, reuse of a refresh token, a
 * password reset). Kept in Redis for as long as an access token can live, so the router and
 * every subgraph reject those tokens at once.
 */
export class SessionRevocations {
  constructor(private readonly redis: Redis, private readonly keyPrefix: string) {}

  private key(sessionId: string): string {
    return `${this.keyPrefix}auth:revoked-session:${sessionId}`;
  }

  async revoke(sessionIds: readonly string[], forSeconds: number): Promise<void> {
    if (sessionIds.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const id of sessionIds) pipeline.set(this.key(id), "1", "EX", Math.max(1, Math.ceil(forSeconds)));
    await pipeline.exec();
  }

  async isRevoked(sessionId: string): Promise<boolean> {
    return (await this.redis.exists(this.key(sessionId))) === 1;
  }
}
