import { readFileSync } from "node:fs";
import http from "node:http";
import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import {
  ApolloServerPluginLandingPageLocalDefault,
  ApolloServerPluginLandingPageProductionDefault,
} from "@apollo/server/plugin/landingPage/default";
import { expressMiddleware } from "@as-integrations/express5";
import express from "express";
import type { DocumentNode, FormattedExecutionResult } from "graphql";
import { loadApiSchema } from "../schema/apiSchema";
import { authenticate } from "../subgraphs/common/auth/authenticate";
import { SessionRevocations } from "../subgraphs/common/auth/sessionRevocations";
import { createTokenVerifier, remoteKeySet } from "../subgraphs/common/auth/tokenVerifier";
import { trustProxySetting } from "../subgraphs/common/auth/trustProxy";
import { openRedis } from "../subgraphs/common/dependencies";
import { createLogger, type Logger } from "../subgraphs/common/logger";
import { ServiceMetrics } from "../subgraphs/common/metrics";
import { createErrorFormatter } from "../subgraphs/common/server/formatError";
import { mountHealthRoutes } from "../subgraphs/common/server/health";
import { listen, requestIdOf } from "../subgraphs/common/server/http";
import type { RouterContext } from "./context";
import { subgraphUrls, type RouterEnvironment } from "./environment";
import { headersToForward } from "./forwardingDataSource";
import { asServerGateway, createGateway } from "./gateway";
import { subgraphChecks } from "./health";
import { startSubscriptionServer } from "./subscriptions/subscriptionServer";

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
  const redis = await openRedis(env.REDIS_URL, "router", { timeoutMs: env.STARTUP_TIMEOUT_SECONDS * 1000, logger });
  const verifyAccessToken = createTokenVerifier({
    keys: remoteKeySet(env.USERS_JWKS_URL),
    issuer: env.JWT_ISSUER,
    audience: env.JWT_AUDIENCE,
    revocations: new SessionRevocations(redis, env.REDIS_KEY_PREFIX),
  });

  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", trustProxySetting(env.TRUST_PROXY));
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
  mountHealthRoutes(app, { ...subgraphChecks(urls), redis: async () => void (await redis.ping()) }, () => stopping);
  app.use(
    "/graphql",
    // A bad, expired or revoked token is answered here, before any subgraph is called.
    authenticate(verifyAccessToken, logger),
    express.json({ limit: "1mb" }),
    expressMiddleware(apollo, {
      context: async ({ req }) => {
        const requestId = requestIdOf(req);
        return { requestId, logger: logger.child({ requestId }), caller: req.caller ?? null, forwardedHeaders: headersToForward(req, requestId) };
      },
    }),
  );

  const subscriptions = startSubscriptionServer({
    httpServer,
    schema: loadApiSchema(readFileSync(env.SUPERGRAPH_PATH, "utf8")),
    verifyAccessToken,
    async execute(document: DocumentNode, variables: Record<string, unknown>, contextValue: RouterContext): Promise<FormattedExecutionResult> {
      const response = await apollo.executeOperation({ query: document, variables }, { contextValue });
      if (response.body.kind !== "single") throw new Error("an incremental response where one result was expected");
      return response.body.singleResult as FormattedExecutionResult;
    },
    redisUrl: env.REDIS_URL,
    keyPrefix: env.REDIS_KEY_PREFIX,
    logger,
    keepAliveMs: env.SUBSCRIPTION_KEEPALIVE_MS,
    maxPerConnection: env.MAX_SUBSCRIPTIONS_PER_CONNECTION,
    maxPerUser: env.MAX_SUBSCRIPTIONS_PER_USER,
  });

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
      await subscriptions.stop();
      await apollo.stop();
      redis.disconnect();
    },
  };
}
