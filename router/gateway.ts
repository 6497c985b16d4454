import { readFileSync } from "node:fs";
import { ApolloGateway } from "@apollo/gateway";
import type { ApolloServerOptionsWithGateway, BaseContext } from "@apollo/server";
import type { Logger } from "../subgraphs/common/logger";
import type { ServiceName } from "../subgraphs/common/serviceNames";
import { ForwardingDataSource } from "./forwardingDataSource";
import { subgraphFetcher } from "./subgraphFetcher";

export interface GatewayOptions {
  supergraphPath: string;
  subgraphUrls: Record<ServiceName, string>;
  logger: Logger;
  subgraphTimeoutMs: number;
  subgraphRetries: number;
  /** ROUTER_SIGNING_SECRET, which signs every subgraph request. */
  signingSecret: string;
}

/**
 * The gateway on the static supergraph file: no runtime introspection of subgraphs, and the
 * subgraph URLs come from configuration rather than from the composed file.
 */
export function createGateway(options: GatewayOptions): ApolloGateway {
  const supergraphSdl = readFileSync(options.supergraphPath, "utf8");
  return new ApolloGateway({
    supergraphSdl,
    logger: options.logger.child({ module: "gateway" }),
    buildService: ({ name, url }) =>
      new ForwardingDataSource({
        url: options.subgraphUrls[name as ServiceName] ?? url,
        fetcher: subgraphFetcher({
          serviceName: name,
          timeoutMs: options.subgraphTimeoutMs,
          retries: options.subgraphRetries,
          logger: options.logger,
          signingSecret: options.signingSecret,
        }),
      }),
  });
}

/**
 * Apollo Server 5 types its `gateway` option with the newer gateway interface, while
 * @apollo/gateway 2.x is typed against the older one; at run time they agree (docs/toolchain.md).
 */
export function asServerGateway(gateway: ApolloGateway): ApolloServerOptionsWithGateway<BaseContext>["gateway"] {
  return gateway as unknown as ApolloServerOptionsWithGateway<BaseContext>["gateway"];
}
