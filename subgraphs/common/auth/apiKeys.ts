import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { Redis } from "ioredis";
import { z } from "zod";
import { UnauthenticatedError } from "../errors";
import type { Caller } from "./caller";
import { permissions } from "./permissions";

/**
 * API keys (service accounts) for integrations: `sk_live_<key id, 32 hex>_<secret, 43 base64url>`.
 * The prefix tells a key from an access token at a glance (and to secret scanners); the id names
 * the record without a search; the secret is 256 random bits, of which only the SHA-256 is kept.
 *
 * The users service owns the keys. It publishes each active key's record (the hash, the
 * permissions, the rate limit) to one Redis hash, before the change commits, and deletes it on
 * revocation; the router and every subgraph check a key against that hash themselves, as they
 * check session revocations, so a key is verified everywhere without calling the users service
 * and a revoked key stops working on its next request. Like the revocation set, the hash has no
 * TTL (Redis evicts only keys that expire); the users service publishes every active key again
 * when it starts, in case Redis lost them.
 */
export const apiKeyPrefix = "sk_live_";

const apiKeyPattern = /^sk_live_([0-9a-f]{32})_([A-Za-z0-9_-]{43})$/;

/** Whether a bearer credential is an API key (rather than an access token). */
export function looksLikeApiKey(credential: string): boolean {
  return credential.startsWith(apiKeyPrefix);
}

/** A new key for the record `id` (a UUID): the full key, shown once, and the hash to keep. */
export function newApiKey(id: string): { key: string; secretHash: string } {
  const secret = randomBytes(32).toString("base64url");
  return { key: `${apiKeyPrefix}${id.replaceAll("-", "")}_${secret}`, secretHash: secretHash(secret) };
}

function secretHash(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

/** The record id and secret of a well-formed key; null for anything else. */
export function parseApiKey(key: string): { id: string; secret: string } | null {
  const match = apiKeyPattern.exec(key);
  if (!match) return null;
  const hex = match[1]!;
  const id = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  return { id, secret: match[2]! };
}

/** What every verifier needs of a key; never the secret. */
export const publishedApiKey = z.object({
  id: z.uuid(),
  secretHash: z.string().regex(/^[0-9a-f]{64}$/),
  permissions: z.array(z.enum(permissions)),
  requestsPerMinute: z.number().int().positive(),
});
export type PublishedApiKey = z.infer<typeof publishedApiKey>;

const invalidKey = "The API key is not valid or has been revoked.";

/** The active keys as the users service publishes them and every service reads them, in Redis. */
export class ApiKeyRegistry {
  private readonly recordsKey: string;
  private readonly lastUsedKey: string;

  constructor(
    private readonly redis: Redis,
    keyPrefix: string,
  ) {
    this.recordsKey = `${keyPrefix}auth:api-keys`;
    this.lastUsedKey = `${keyPrefix}auth:api-keys-last-used`;
  }

  /** Publishes active keys (a new one, or all of them again at start). */
  async publish(records: readonly PublishedApiKey[]): Promise<void> {
    if (records.length === 0) return;
    await this.redis.hset(
      this.recordsKey,
      Object.fromEntries(records.map((record) => [record.id, JSON.stringify(record)])),
    );
  }

  /** Stops keys working at once, everywhere. */
  async withdraw(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.redis.hdel(this.recordsKey, ...ids);
  }

  /** The caller an API key stands for; UNAUTHENTICATED for a malformed, unknown, revoked or wrong key. */
  async verify(key: string): Promise<Caller> {
    const parsed = parseApiKey(key);
    if (!parsed) throw new UnauthenticatedError(invalidKey);
    const stored = await this.redis.hget(this.recordsKey, parsed.id);
    const record = stored ? publishedApiKey.safeParse(JSON.parse(stored)) : null;
    if (!record?.success) throw new UnauthenticatedError(invalidKey);
    const given = Buffer.from(secretHash(parsed.secret), "hex");
    if (!timingSafeEqual(given, Buffer.from(record.data.secretHash, "hex"))) throw new UnauthenticatedError(invalidKey);
    return {
      // A key acts as itself: its id stands where a user's would (an actor, a rate-limit client).
      userId: record.data.id,
      sessionId: record.data.id,
      roles: [],
      permissions: record.data.permissions,
      apiKey: { id: record.data.id, requestsPerMinute: record.data.requestsPerMinute },
    };
  }

  /** Notes that a key was used now (the router does, once a request). */
  async markUsed(id: string, nowMs = Date.now()): Promise<void> {
    await this.redis.hset(this.lastUsedKey, id, String(nowMs));
  }

  /** When each key was last used, where known. */
  async lastUsed(ids: readonly string[]): Promise<Map<string, Date>> {
    if (ids.length === 0) return new Map();
    const values = await this.redis.hmget(this.lastUsedKey, ...ids);
    return new Map(ids.flatMap((id, index) => (values[index] ? [[id, new Date(Number(values[index]))] as const] : [])));
  }
}
