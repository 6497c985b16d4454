import { z } from "zod";
import { env, runtimeEnvironment } from "../subgraphs/common/environment";
import { defaultPorts, serviceNames, type ServiceName } from "../subgraphs/common/serviceNames";

/**
 * What `npm start` reads: where each process listens, and whether it runs for development (the
 * demo catalog loaded into an empty shop). Everything else passes through to the processes.
 */
export const stackEnvironment = z.object({
  NODE_ENV: runtimeEnvironment.shape.NODE_ENV,
  PORT: env.port(4000),
  /** Where the storefront (storefront/) listens, beside the router. */
  STOREFRONT_PORT: env.port(3000),
  STARTUP_TIMEOUT_SECONDS: env.seconds(15),
  ...(Object.fromEntries(
    serviceNames.map((name) => [`${name.toUpperCase()}_PORT`, env.port(defaultPorts[name])]),
  ) as Record<`${Uppercase<ServiceName>}_PORT`, ReturnType<typeof env.port>>),
});

export type StackEnvironment = z.infer<typeof stackEnvironment>;

export function servicePort(settings: StackEnvironment, name: ServiceName): number {
  return settings[`${name.toUpperCase() as Uppercase<ServiceName>}_PORT`];
}
