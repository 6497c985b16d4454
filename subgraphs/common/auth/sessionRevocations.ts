import type { Redis } from "ioredis";
import { connectWithRetry, type RetryOptions } from "../dependencies";
import type { Logger } from "../logger";

/** What a token verifier asks of revocations: whether a session has ended. */
export interface RevocationCheck {
  isRevoked(sessionId: string, nowMs?: number): boolean | Promise<boolean>;
}

/** What `revoke` announces on the revocations channel: the sessions, and until when they stay revoked. */
interface RevocationMessage {
  ids: string[];
  until: number;
}

/**
 * Sessions that ended before their access tokens expired (logout, reuse of a refresh token, a
 * password reset), kept for as long as an access token can live, so the router and every
 * subgraph reject those tokens at once.
 *
 * One sorted set, each session scored with the time its revocation may be forgotten. The key
 * has no TTL on purpose: Redis runs with `maxmemory-policy volatile-lru`, which evicts only keys
 * that expire (persisted queries, rate-limit windows), so filling Redis can never evict a
 * revocation; entries past their time are pruned on every write instead. Each write is also
 * announced on a channel, so that every process keeps the set in memory (`LocalRevocations`)
 * instead of asking Redis on every request.
 */
export class SessionRevocations implements RevocationCheck {
  readonly key: string;
  readonly channel: string;

  constructor(
    private readonly redis: Redis,
    keyPrefix: string,
  ) {
    this.key = `${keyPrefix}auth:revoked-sessions`;
    this.channel = `${keyPrefix}auth:revoked-sessions:announced`;
  }

  /** Records the sessions as revoked; rejects unless Redis ran every write (a failure is in the results). */
  async revoke(sessionIds: readonly string[], forSeconds: number, nowMs = Date.now()): Promise<void> {
    if (sessionIds.length === 0) return;
    const until = nowMs + Math.max(1, Math.ceil(forSeconds)) * 1000;
    const message: RevocationMessage = { ids: [...sessionIds], until };
    const results = await this.redis
      .multi()
      // GT: a revocation already kept longer is not shortened.
      .zadd(this.key, "GT", ...sessionIds.flatMap((id) => [until, id]))
      .zremrangebyscore(this.key, "-inf", nowMs)
      // In the same transaction: no process hears of a revocation that is not in the set.
      .publish(this.channel, JSON.stringify(message))
      .exec();
    if (!results) throw new Error("Redis did not run the session revocations");
    const failure = results.find(([error]) => error)?.[0];
    if (failure) throw failure;
  }

  async isRevoked(sessionId: string, nowMs = Date.now()): Promise<boolean> {
    const until = await this.redis.zscore(this.key, sessionId);
    return until !== null && Number(until) > nowMs;
  }

  /** Every revocation still in force, with the time it may be forgotten. */
  async inForce(nowMs = Date.now()): Promise<Map<string, number>> {
    const flat = await this.redis.zrangebyscore(this.key, `(${nowMs}`, "+inf", "WITHSCORES");
    const entries = new Map<string, number>();
    for (let index = 0; index + 1 < flat.length; index += 2) entries.set(flat[index]!, Number(flat[index + 1]));
    return entries;
  }
}

export interface LocalRevocationsOptions {
  /** How often the whole set is read again, in case a message was lost (30 s). */
  resyncMs?: number;
  logger?: Logger;
  /**
   * Connect the subscription with the service's start-up retries (until its start-up timeout),
   * as its other dependencies are: on a loaded machine a first connection may not be ready
   * within its 2 s, and the process should not exit for it. Without it, one attempt.
   */
  retry?: RetryOptions;
}

/**
 * The revoked sessions, kept in this process: filled from the sorted set at start, kept current
 * by the revocations channel, read again in full every `resyncMs` and whenever the subscription
 * comes back after a disconnection (messages published meanwhile are lost). A check is then a
 * lookup in memory, without a Redis round trip.
 *
 * Whenever the local copy cannot be trusted (not yet read, or the subscription is down and the
 * set not read again since), a check asks Redis, as before: revocation is never late for want
 * of the channel. Revocations are only ever added (or lengthened) and forgotten once past their
 * time, so a resync merges what it reads with what the channel told meanwhile.
 */
export class LocalRevocations implements RevocationCheck {
  private readonly until = new Map<string, number>();
  /** Counts subscriptions lost: a resync begun before the last loss does not make the copy current. */
  private generation = 0;
  private current = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private resyncing: Promise<void> | undefined;

  private constructor(
    private readonly source: SessionRevocations,
    private readonly subscriber: Redis,
    private readonly options: LocalRevocationsOptions,
  ) {}

  /**
   * Subscribes to the channel on a connection of its own (a subscribed connection can do nothing
   * else), reads the set, and resyncs on a timer. `redis` is duplicated, not used.
   */
  static async start(
    source: SessionRevocations,
    redis: Redis,
    options: LocalRevocationsOptions = {},
  ): Promise<LocalRevocations> {
    const connectionName = `${redis.options.connectionName ?? "service"}:revocations`;
    const subscriber = await connectSubscriber(redis, connectionName, options.retry);
    const view = new LocalRevocations(source, subscriber, options);
    subscriber.on("message", (channel: string, text: string) => {
      if (channel === source.channel) view.heard(text);
    });
    subscriber.on("error", (error: Error) =>
      options.logger?.debug({ err: error.message }, "revocations subscription: connection error"),
    );
    subscriber.on("close", () => view.lost());
    await subscriber.subscribe(source.channel);
    // After a reconnection: subscribed again (ioredis does it too; twice is harmless, and the reply
    // says the subscription is in place), then the set is read, for what was told meanwhile.
    subscriber.on("ready", () => {
      subscriber.subscribe(source.channel).then(
        () => view.resync(),
        () => undefined,
      );
    });
    await view.resync();
    const resyncMs = options.resyncMs ?? 30_000;
    view.timer = setInterval(() => void view.resync(), resyncMs);
    view.timer.unref();
    return view;
  }

  /** Whether the copy in memory is trusted (subscribed, and read in full since). */
  get isCurrent(): boolean {
    return this.current;
  }

  isRevoked(sessionId: string, nowMs = Date.now()): boolean | Promise<boolean> {
    if (!this.current) return this.source.isRevoked(sessionId, nowMs);
    const until = this.until.get(sessionId);
    if (until === undefined) return false;
    if (until > nowMs) return true;
    this.until.delete(sessionId);
    return false;
  }

  /** Reads the set again and merges it in; the copy is current if the subscription held throughout. */
  resync(): Promise<void> {
    this.resyncing ??= this.readAll().finally(() => (this.resyncing = undefined));
    return this.resyncing;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.current = false;
    if (this.timer) clearInterval(this.timer);
    await this.resyncing;
    this.subscriber.disconnect();
  }

  private async readAll(): Promise<void> {
    if (this.stopped || this.subscriber.status !== "ready") return;
    const generation = this.generation;
    try {
      const now = Date.now();
      const entries = await this.source.inForce(now);
      for (const [id, until] of entries) this.remember(id, until);
      for (const [id, until] of this.until) if (until <= now) this.until.delete(id);
      if (generation === this.generation && this.subscriber.status === "ready" && !this.stopped) this.current = true;
    } catch (error) {
      this.options.logger?.warn({ err: (error as Error).message }, "could not read the revoked sessions");
    }
  }

  private heard(text: string): void {
    try {
      const message = JSON.parse(text) as RevocationMessage;
      for (const id of message.ids) this.remember(id, message.until);
    } catch {
      // Not a message of ours: the next resync reads the set anyway.
      this.current = false;
    }
  }

  private remember(id: string, until: number): void {
    if ((this.until.get(id) ?? 0) < until) this.until.set(id, until);
  }

  private lost(): void {
    this.generation += 1;
    this.current = false;
  }
}

/** A connected duplicate of `redis` for the subscription; a failed attempt's connection is closed. */
async function connectSubscriber(
  redis: Redis,
  connectionName: string,
  retry: RetryOptions | undefined,
): Promise<Redis> {
  const attempt = async () => {
    const subscriber = redis.duplicate({ connectionName, lazyConnect: true });
    // ioredis reports the socket's error as an event and rejects connect() with a generic one.
    let socketError: unknown;
    const noteError = (error: unknown) => (socketError = error);
    subscriber.on("error", noteError);
    try {
      await subscriber.connect();
      subscriber.off("error", noteError);
      return subscriber;
    } catch (error) {
      subscriber.disconnect();
      throw socketError ?? error;
    }
  };
  return retry ? connectWithRetry("Redis", `${connectionName} subscription`, attempt, retry) : attempt();
}
