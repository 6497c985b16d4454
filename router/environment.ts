import { z } from "zod";
import { env, runtimeEnvironment } from "../subgraphs/common/environment";
import { defaultPorts, serviceNames, type ServiceName } from "../subgraphs/common/serviceNames";
import { supergraphFile } from "../subgraphs/common/schemaFiles";

const subgraphUrlVariables = Object.fromEntries(
  serviceNames.map((name) => [`${name.toUpperCase()}_URL`, env.url(`http://localhost:${defaultPorts[name]}/graphql`)]),
) as Record<`${Uppercase<ServiceName>}_URL`, ReturnType<typeof env.url>>;

/** The router's settings. */
export const routerEnvironment = runtimeEnvironment.extend({
  PORT: env.port(4000),
  /** The composed supergraph the gateway plans queries with (`npm run compose` writes it). */
  SUPERGRAPH_PATH: z.string().default(supergraphFile),
  /** Time allowed for one subgraph request. */
  SUBGRAPH_TIMEOUT_SECONDS: env.seconds(10),
  /** Extra tries of a subgraph query that failed on the way (mutations are never retried). */
  SUBGRAPH_RETRIES: z.coerce.number().int().min(0).max(5).default(2),
  /** Largest request body accepted, in bytes. */
  MAX_REQUEST_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(256 * 1024),
  /**
   * How deeply an operation may nest fields, and how many it may resolve (see router/limits: lists
   * count at their real maximum, so the contract's largest page, products with facets, costs about 9,200).
   */
  MAX_QUERY_DEPTH: z.coerce.number().int().min(1).default(12),
  MAX_QUERY_COST: z.coerce.number().int().min(1).default(10_000),
  /** Root fields one mutation operation may carry (aliases count each). */
  MAX_ROOT_MUTATIONS: z.coerce.number().int().min(1).max(100).default(10),
  /**
   * Weight of expensive mutations (a password hash, an email, a checkout: router/limits/expensiveMutations.ts)
   * one operation may carry.
   */
  MAX_EXPENSIVE_MUTATIONS: z.coerce.number().int().min(1).max(20).default(2),
  /** How long an automatic persisted query stays in Redis unused. */
  APQ_TTL_SECONDS: z.coerce.number().int().min(1).default(86_400),
  /** Largest query kept as a persisted query (a larger one is answered, not kept), and how many are kept (LRU). */
  APQ_MAX_ENTRY_BYTES: z.coerce.number().int().min(256).max(1_048_576).default(16_384),
  APQ_MAX_ENTRIES: z.coerce.number().int().min(1).max(1_000_000).default(2000),
  /** Requests per client (user, or address when anonymous) and window; 0 turns the limit off. */
  RATE_LIMIT_REQUESTS: z.coerce.number().int().min(0).default(1200),
  RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().min(1).default(60),
  /**
   * Seconds an answer to a catalog query (products, product, categories) of a visitor or customer is served
   * again from the router's memory; 0 turns it off. Stock and prices shown may then be this old.
   */
  PUBLIC_RESPONSE_CACHE_SECONDS: z.coerce.number().int().min(0).max(3600).default(0),
  /** Most answers the public response cache keeps per router process. */
  PUBLIC_RESPONSE_CACHE_ENTRIES: z.coerce.number().int().min(1).default(1000),
  /** Origins browsers may call the API from: `*`, or a comma-separated list of origins. */
  CORS_ORIGINS: z.string().default("*"),
  /** Processes serving the router (Node cluster): 1, a number, or `auto` for one per CPU. */
  ROUTER_WORKERS: z.union([z.literal("auto"), z.coerce.number().int().min(1).max(64)]).default(1),
  /** How often idle WebSocket connections are pinged. */
  SUBSCRIPTION_KEEPALIVE_MS: z.coerce.number().int().min(1000).default(12_000),
  MAX_SUBSCRIPTIONS_PER_CONNECTION: z.coerce.number().int().min(1).default(20),
  /** Live subscriptions one user, and one client address, may hold in one router. */
  MAX_SUBSCRIPTIONS_PER_USER: z.coerce.number().int().min(1).default(50),
  MAX_SUBSCRIPTIONS_PER_ADDRESS: z.coerce.number().int().min(1).default(200),
  /** Open WebSocket connections one user, and one client address, may hold in one router. */
  MAX_SOCKETS_PER_USER: z.coerce.number().int().min(1).default(10),
  MAX_SOCKETS_PER_ADDRESS: z.coerce.number().int().min(1).default(50),
  ...subgraphUrlVariables,
});

export type RouterEnvironment = z.infer<typeof routerEnvironment>;

/** Where each subgraph answers, from `<NAME>_URL`. */
export function subgraphUrls(settings: RouterEnvironment): Record<ServiceName, string> {
  return Object.fromEntries(
    serviceNames.map((name) => [name, settings[`${name.toUpperCase() as Uppercase<ServiceName>}_URL`]]),
  ) as Record<ServiceName, string>;
}
