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
  /** How often idle WebSocket connections are pinged. */
  SUBSCRIPTION_KEEPALIVE_MS: z.coerce.number().int().min(1000).default(12_000),
  MAX_SUBSCRIPTIONS_PER_CONNECTION: z.coerce.number().int().min(1).default(20),
  /** Live subscriptions one user may hold in one router. */
  MAX_SUBSCRIPTIONS_PER_USER: z.coerce.number().int().min(1).default(50),
  ...subgraphUrlVariables,
});

export type RouterEnvironment = z.infer<typeof routerEnvironment>;

/** Where each subgraph answers, from `<NAME>_URL`. */
export function subgraphUrls(settings: RouterEnvironment): Record<ServiceName, string> {
  return Object.fromEntries(
    serviceNames.map((name) => [name, settings[`${name.toUpperCase() as Uppercase<ServiceName>}_URL`]]),
  ) as Record<ServiceName, string>;
}
