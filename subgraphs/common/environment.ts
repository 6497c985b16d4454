import { existsSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { developmentRouterSigningSecret } from "./auth/routerCredential";

/** Thrown when the environment does not describe a usable configuration; lists every problem. */
export class ConfigurationError extends Error {
  constructor(
    readonly service: string,
    readonly problems: string[],
  ) {
    super(`${service}: invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
    this.name = "ConfigurationError";
  }
}

const boolean = z.enum(["true", "false", "1", "0"]).transform((value) => value === "true" || value === "1");

/** Zod building blocks shared by every service's `environment.ts`. */
export const env = {
  port: (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback),
  url: (fallback: string) => z.url().default(fallback),
  boolean: (fallback: boolean) => boolean.default(fallback),
  seconds: (fallback: number) => z.coerce.number().positive().default(fallback),
  identifier: (fallback: string) =>
    z
      .string()
      .regex(/^[a-z][a-z0-9_]*$/, "lower-case letters, digits and underscores, starting with a letter")
      .default(fallback),
};

/** What every process (each subgraph and the router) reads from its environment. */
export const runtimeEnvironment = z.object({
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  LOG_PRETTY: env.boolean(false),
  REDIS_URL: env.url("redis://127.0.0.1:6379"),
  /** Prefix of every Redis key, so that separate stacks share one Redis safely. */
  REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[a-z0-9_:-]*$/, "lower-case letters, digits, '_', '-' and ':'")
    .default("commerce:"),
  /** The users service's public signing keys, which every process verifies access tokens with. */
  USERS_JWKS_URL: env.url("http://localhost:4001/.well-known/jwks.json"),
  JWT_ISSUER: z.string().min(1).default("commerce-users"),
  JWT_AUDIENCE: z.string().min(1).default("commerce-api"),
  /** The address the process listens on: loopback unless a container or pod must be reached from outside (0.0.0.0). */
  HOST: z.string().min(1).default("127.0.0.1"),
  /**
   * Which proxies may tell the client's address in X-Forwarded-For (Express "trust proxy"): the
   * router in front of subgraphs, an ingress in front of the router. The client is the right-most
   * address no trusted proxy wrote. "false" trusts none; a number trusts that many hops.
   */
  TRUST_PROXY: z.string().default("loopback"),
  /**
   * The secret the router signs its subgraph requests with, and subgraphs check (the router
   * credential); at least 32 characters. The development default is refused in production.
   */
  ROUTER_SIGNING_SECRET: z.string().min(32, "at least 32 characters").default(developmentRouterSigningSecret),
  /** A former ROUTER_SIGNING_SECRET still accepted while a new one rolls out. */
  ROUTER_SIGNING_SECRET_PREVIOUS: z.string().min(32, "at least 32 characters").optional(),
  /** How old (or how far ahead) a router signature may be: bounds replay and clock skew. */
  ROUTER_SIGNATURE_MAX_AGE_SECONDS: z.coerce.number().int().min(5).max(600).default(60),
  /** How long a process keeps retrying an unreachable dependency at start before it gives up. */
  STARTUP_TIMEOUT_SECONDS: env.seconds(15),
  /** How long a stopping process waits for work in flight before it closes anyway. */
  SHUTDOWN_TIMEOUT_SECONDS: env.seconds(10),
  /** Where OpenTelemetry traces go (OTLP over HTTP, such as http://otel-collector:4318); none when unset. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
});

/** What every subgraph reads besides the runtime settings. */
export const subgraphEnvironment = runtimeEnvironment.extend({
  /** PostgreSQL server; each service's database lives on it unless DATABASE_URL names one. */
  POSTGRES_URL: env.url("postgres://postgres@127.0.0.1:5432"),
  /** Prefix of every service's database name, so tests, benchmarks and development never share one. */
  DATABASE_PREFIX: z
    .string()
    .regex(/^[a-z0-9_]*$/, "lower-case letters, digits and underscores")
    .default("commerce_"),
  /** Full connection URL of this service's database; overrides POSTGRES_URL and DATABASE_PREFIX. */
  DATABASE_URL: z.url().optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
  /** PostgreSQL ends a session idle inside a transaction this long (ms; 0: never): a hung transaction frees its locks. */
  DATABASE_IDLE_TRANSACTION_TIMEOUT_MS: z.coerce.number().int().min(0).max(3_600_000).default(15_000),
  /** Emit every SQL statement as a Prisma query event (tests count statements); costs CPU. */
  DATABASE_LOG_QUERIES: env.boolean(false),
  /** Create and migrate the database at start; false where an init container or job does it (Kubernetes). */
  MIGRATE_ON_START: env.boolean(true),
  NATS_URL: env.url("nats://127.0.0.1:4222"),
  /** This service's NATS user and password, where the server requires them (each may publish only its own subjects). */
  NATS_USER: z.string().min(1).optional(),
  NATS_PASSWORD: z.string().min(1).optional(),
  /** Prefix of every JetStream stream and subject, so that separate stacks share one NATS server safely. */
  NATS_NAMESPACE: env.identifier("commerce"),
  /** Copies JetStream keeps of each stream: 1 on a single server, 3 on a three-node cluster. */
  NATS_STREAM_REPLICAS: z.coerce.number().int().min(1).max(5).default(1),
  /** Batches each consumer handles at once (events about one order, product or user stay in order). */
  EVENT_CONSUMER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  /** Deliveries a consumer applies together in one transaction, at most (1: a transaction per event). */
  EVENT_BATCH_SIZE: z.coerce.number().int().min(1).max(256).default(64),
  /** How long a consumer's batch waits for more deliveries after its first, at most (0: only those already here). */
  EVENT_BATCH_WAIT_MS: z.coerce.number().int().min(0).max(1000).default(2),
  /** Deliveries of a failing event before it goes to the dead-letter subject. */
  EVENT_MAX_DELIVERIES: z.coerce.number().int().min(1).max(100).default(5),
  /** Pauses before redelivering a failed event, after the 1st, 2nd, ... failure (the last repeats). */
  EVENT_RETRY_DELAYS_MS: z
    .string()
    .regex(/^\d+(,\d+)*$/, "comma-separated milliseconds, such as 200,1000,5000")
    .default("200,1000,5000,15000")
    .transform((value) => value.split(",").map(Number)),
});

export type RuntimeEnvironment = z.infer<typeof runtimeEnvironment>;
export type SubgraphEnvironment = z.infer<typeof subgraphEnvironment>;

/**
 * Validates the environment against a service's schema, listing every problem at once.
 * Empty strings count as unset, so `FOO=` in a .env file falls back to the default.
 */
export function parseEnvironment<Schema extends z.ZodType>(
  service: string,
  schema: Schema,
  source: NodeJS.ProcessEnv = process.env,
): z.infer<Schema> {
  const values = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== ""));
  const result = schema.safeParse(values);
  if (result.success) return result.data;
  throw new ConfigurationError(
    service,
    result.error.issues.map((issue) => `${issue.path.join(".") || "(environment)"}: ${issue.message}`),
  );
}

/** Loads `.env` from the project root into process.env when the file exists; real variables win. */
export function loadDotEnv(directory: string = process.cwd()): void {
  const file = path.join(directory, ".env");
  if (existsSync(file)) process.loadEnvFile(file);
}
