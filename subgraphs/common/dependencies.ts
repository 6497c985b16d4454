import { connect as connectNats, type NatsConnection } from "nats";
import { Redis } from "ioredis";
import { backoffDelayMs } from "./backoff";
import { countRedisCommands } from "./workCounters";
import type { Logger } from "./logger";

/** A dependency that could not be reached at start; its message is the one line to print. */
export class DependencyUnavailableError extends Error {
  constructor(
    readonly dependency: string,
    readonly address: string,
    reason: string,
  ) {
    super(`cannot reach ${dependency} at ${address}: ${reason}`);
    this.name = "DependencyUnavailableError";
  }
}

/** A short reason from a connection error ("connection refused"), never a stack trace. */
export function describeFailure(error: unknown): string {
  const err = error as { code?: string; message?: string; errors?: unknown[] };
  if (err?.code === "ECONNREFUSED") return "connection refused";
  if (err?.code === "ENOTFOUND" || err?.code === "EAI_AGAIN") return "host not found";
  if (err?.code === "ETIMEDOUT") return "timed out";
  if (err?.code === "3D000") return "database does not exist";
  if (err?.code === "28P01" || err?.code === "28000") return "authentication failed";
  if (err?.code === "AUTHORIZATION_VIOLATION") return "authorization violation (check NATS_USER and NATS_PASSWORD)";
  if (Array.isArray(err?.errors) && err.errors.length > 0) return describeFailure(err.errors[0]);
  const message = (err?.message ?? String(error)).split("\n")[0] ?? "unknown error";
  return message.length > 160 ? `${message.slice(0, 157)}...` : message;
}

/** host:port of a URL, without credentials. */
export function addressOf(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}${parsed.port ? `:${parsed.port}` : ""}`;
}

export interface RetryOptions {
  timeoutMs: number;
  logger: Logger;
}

/**
 * Tries `attempt` with growing pauses until it succeeds or the start-up timeout passes, then
 * fails with a DependencyUnavailableError naming the dependency and its address.
 */
export async function connectWithRetry<T>(
  dependency: string,
  address: string,
  attempt: () => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  for (let round = 1; ; round += 1) {
    try {
      return await attempt();
    } catch (error) {
      const reason = describeFailure(error);
      if (Date.now() >= deadline) throw new DependencyUnavailableError(dependency, address, reason);
      if (round === 1) options.logger.warn({ dependency, address, reason }, `waiting for ${dependency}`);
      await new Promise((resolve) => setTimeout(resolve, backoffDelayMs(round, { baseMs: 200, maxMs: 2000 })));
    }
  }
}

/** A NATS user and password, where the server requires them (NATS_USER, NATS_PASSWORD). */
export interface NatsCredentials {
  user?: string | undefined;
  password?: string | undefined;
}

export async function openNats(
  url: string,
  name: string,
  options: RetryOptions,
  credentials: NatsCredentials = {},
): Promise<NatsConnection> {
  return connectWithRetry(
    "NATS",
    addressOf(url),
    () =>
      connectNats({
        servers: url,
        name,
        ...(credentials.user ? { user: credentials.user, pass: credentials.password ?? "" } : {}),
        timeout: 2000,
        // After the first connection, keep reconnecting for as long as the process lives.
        maxReconnectAttempts: -1,
        reconnectTimeWait: 500,
        waitOnFirstConnect: false,
      }),
    options,
  );
}

export async function openRedis(url: string, name: string, options: RetryOptions): Promise<Redis> {
  return connectWithRetry(
    "Redis",
    addressOf(url),
    async () => {
      const redis = new Redis(url, {
        connectionName: name,
        lazyConnect: true,
        maxRetriesPerRequest: 2,
        connectTimeout: 2000,
        retryStrategy: (times) => Math.min(times * 200, 2000),
      });
      // ioredis reports the socket's error as an event and rejects connect() with a generic one.
      let socketError: unknown;
      redis.on("error", (error) => (socketError = error));
      try {
        await redis.connect();
        await redis.ping();
        return countRedisCommands(redis);
      } catch (error) {
        redis.disconnect();
        throw socketError ?? error;
      }
    },
    options,
  );
}

/** Resolves with `promise`, or rejects after `ms` milliseconds. */
export function withTimeout<T>(promise: PromiseLike<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
    Promise.resolve(promise).then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
