import http from "node:http";
import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import {
  ApolloServerPluginLandingPageLocalDefault,
  ApolloServerPluginLandingPageProductionDefault,
} from "@apollo/server/plugin/landingPage/default";
import { expressMiddleware } from "@as-integrations/express5";
import express from "express";
import { createLogger, type Logger } from "../subgraphs/common/logger";
import { ServiceMetrics } from "../subgraphs/common/metrics";
import { createErrorFormatter } from "../subgraphs/common/server/formatError";
import { mountHealthRoutes } from "../subgraphs/common/server/health";
import { listen, requestIdOf } from "../subgraphs/common/server/http";
import type { RouterContext } from "./context";
import { subgraphUrls, type RouterEnvironment } from "./environment";
import { asServerGateway, createGateway } from "./gateway";
import { subgraphChecks } from "./health";

export interface RunningRouter {
  url: string;
  port: number;
  logger: Logger;
  stop(): Promise<void>;
}

/** Starts the router: the gateway on the static supergraph, Sandbox in development, health and metrics. */
export async function startRouter(env: RouterEnvironment, options: { logger?: Logger } = {}): Promise<RunningRouter> {
  const logger = options.logger ?? createLogger("router", { level: env.LOG_LEVEL, pretty: env.LOG_PRETTY });
  const urls = subgraphUrls(env);
  const production = env.NODE_ENV === "production";
  let stopping = false;

  const app = express();
  app.disable("x-powered-by");
  const httpServer = http.createServer(app);
  const gateway = createGateway({ supergraphPath: env.SUPERGRAPH_PATH, subgraphUrls: urls, logger });
  const apollo = new ApolloServer<RouterContext>({
    gateway: asServerGateway(gateway),
    formatError: createErrorFormatter(logger),
    includeStacktraceInErrorResponses: false,
    introspection: !production,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      production
        ? ApolloServerPluginLandingPageProductionDefault({ footer: false })
        : ApolloServerPluginLandingPageLocalDefault({ embed: true, includeCookies: false }),
    ],
  });
  await apollo.start();

  const metrics = new ServiceMetrics("router");
  metrics.mount(app);
  mountHealthRoutes(app, subgraphChecks(urls), () => stopping);
  app.use(
    "/graphql",
    express.json({ limit: "1mb" }),
    expressMiddleware(apollo, {
      context: async ({ req }) => {
        const requestId = requestIdOf(req);
        const authorization = req.header("authorization");
        return { requestId, logger: logger.child({ requestId }), ...(authorization ? { authorization } : {}) };
      },
    }),
  );

  const port = await listen(httpServer, env.PORT);
  const url = `http://localhost:${port}/graphql`;
  logger.info({ url }, "router ready");

  return {
    url,
    port,
    logger,
    async stop() {
      if (stopping) return;
      stopping = true;
      await apollo.stop();
    },
  };
}
