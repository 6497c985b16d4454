import type { Redis } from "ioredis";

export interface PersistedQueryStoreSettings {
  /** Key prefix of the store's entries (its own namespace: `<REDIS_KEY_PREFIX>apq:`). */
  prefix: string;
  /** Largest query kept, in bytes; a larger one is answered but not kept. */
  maxEntryBytes: number;
  /** Most queries kept; past it the least recently used go. */
  maxEntries: number;
  /** How long a query unused is kept. */
  ttlSeconds: number;
}

// Stores the entry with its TTL, records its use in the index, and drops the least recently used
// entries past the bound (and index entries older than the TTL, whose keys Redis has dropped).
const storeScript = `
redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[3])
redis.call('ZADD', KEYS[1], ARGV[4], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', tonumber(ARGV[4]) - tonumber(ARGV[3]) * 1000)
local excess = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[5])
if excess > 0 then
  for _, member in ipairs(redis.call('ZRANGE', KEYS[1], 0, excess - 1)) do
    redis.call('DEL', ARGV[6] .. member)
  end
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, excess - 1)
end
return excess`;

// Reads an entry and, when it is there, counts this as its latest use (LRU) and keeps it longer.
const readScript = `
local value = redis.call('GET', KEYS[2])
if value then
  redis.call('EXPIRE', KEYS[2], ARGV[2])
  redis.call('ZADD', KEYS[1], 'XX', ARGV[3], ARGV[1])
end
return value`;

/**
 * Apollo's key-value cache interface on Redis, for the automatic persisted queries every router
 * replica shares, bounded so that clients cannot fill Redis with it: an entry over
 * `maxEntryBytes` is not kept, and past `maxEntries` the least recently used go (an index sorted
 * by last use, trimmed atomically in Redis). Entries expire after `ttlSeconds` unused, so under
 * memory pressure Redis (`volatile-lru`) may drop them too, never the revocations beside them.
 * (Written to the interface's shape: Apollo Server and the gateway depend on two major versions
 * of the package that declares it.)
 */
export class RedisKeyValueCache {
  private readonly indexKey: string;

  constructor(
    private readonly redis: Redis,
    private readonly settings: PersistedQueryStoreSettings,
  ) {
    this.indexKey = `${settings.prefix}index`;
  }

  async get(key: string): Promise<string | undefined> {
    const value = (await this.redis.eval(
      readScript,
      2,
      this.indexKey,
      this.settings.prefix + key,
      key,
      this.settings.ttlSeconds,
      Date.now(),
    )) as string | null;
    return value ?? undefined;
  }

  async set(key: string, value: string): Promise<void> {
    if (Buffer.byteLength(value) > this.settings.maxEntryBytes) return;
    await this.redis.eval(
      storeScript,
      2,
      this.indexKey,
      this.settings.prefix + key,
      key,
      value,
      this.settings.ttlSeconds,
      Date.now(),
      this.settings.maxEntries,
      this.settings.prefix,
    );
  }

  async delete(key: string): Promise<boolean> {
    const [[, deleted]] = (await this.redis
      .multi()
      .del(this.settings.prefix + key)
      .zrem(this.indexKey, key)
      .exec()) as [[unknown, number], [unknown, number]];
    return deleted > 0;
  }
}
