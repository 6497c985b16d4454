import { createHash } from "node:crypto";
import type { Redis } from "ioredis";
import { z } from "zod";

/** What a started sign-in keeps on the server until the provider sends the browser back. */
const pendingSchema = z.object({
  provider: z.string(),
  redirectUri: z.string(),
  nonce: z.string(),
  codeVerifier: z.string(),
});

export type PendingSignIn = z.infer<typeof pendingSchema>;

/**
 * Started OpenID Connect sign-ins, in Redis by the hash of their state: short-lived (they expire
 * with their key) and single-use (taking one deletes it, atomically, so a state replayed or raced
 * finds nothing).
 */
export class OidcSignInStore {
  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
    readonly ttlSeconds: number,
  ) {}

  private key(state: string): string {
    return `${this.keyPrefix}oidc-sign-in:${createHash("sha256").update(state).digest("hex")}`;
  }

  async put(state: string, pending: PendingSignIn): Promise<void> {
    await this.redis.set(this.key(state), JSON.stringify(pending), "EX", this.ttlSeconds, "NX");
  }

  /** The sign-in started with `state`, removed so that it cannot be used again; null when there is none. */
  async take(state: string): Promise<PendingSignIn | null> {
    if (state.length > 200) return null;
    const stored = await this.redis.getdel(this.key(state));
    if (!stored) return null;
    const parsed = pendingSchema.safeParse(JSON.parse(stored));
    return parsed.success ? parsed.data : null;
  }
}
