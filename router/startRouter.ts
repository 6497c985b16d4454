import { readFileSync } from "node:fs";
import http from "node:http";
import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from "@apollo/server/plugin/disabled";
import { ApolloServerPluginLandingPageLocalDefault } from "@apollo/server/plugin/landingPage/default";
import { expressMiddleware } from "@as-integrations/express5";
import cors from "cors";
import express, { type NextFunction, type Request, type Response } from "express";
import { Counter } from "prom-client";
import type { DocumentNode, FormattedExecutionResult } from "graphql";
import { loadApiSchema } from "../schema/apiSchema";
import { authenticate } from "../subgraphs/common/auth/authenticate";
import { SessionRevocations } from "../subgraphs/common/auth/sessionRevocations";
import { createTokenVerifier, remoteKeySet } from "../subgraphs/common/auth/tokenVerifier";
import { trustProxySetting } from "../subgraphs/common/auth/trustProxy";
import { openRedis } from "../subgraphs/common/dependencies";
import { ErrorCode } from "../subgraphs/common/errors";
import { createLogger, type Logger } from "../subgraphs/common/logger";
import { ServiceMetrics } from "../subgraphs/common/metrics";
import { currentTraceId, traceRequests } from "../subgraphs/common/observability/tracing";
import { createErrorFormatter } from "../subgraphs/common/server/formatError";
import { mountHealthRoutes } from "../subgraphs/common/server/health";
import { listen, requestIdOf } from "../subgraphs/common/server/http";
import { logRequests } from "../subgraphs/common/server/requestLog";
import type { RouterContext } from "./context";
import { subgraphUrls, type RouterEnvironment } from "./environment";
import { headersToForward } from "./forwardingDataSource";
import { asServerGateway, createGateway } from "./gateway";
import { subgraphChecks } from "./health";
import { costLimit, depthLimit } from "./limits/operationLimits";
import { rateLimit } from "./limits/rateLimit";
import { RedisKeyValueCache } from "./limits/redisCache";
import { PublicResponseCache } from "./cache/publicResponseCache";
import { startSubscriptionServer } from "./subscriptions/subscriptionServer";

export interface RunningRouter {
  url: string;
  port: number;
  logger: Logger;
  stop(): Promise<void>;
}

/**
 * A body too large, or not JSON: answered like a GraphQL server would, with what is wrong and
 * Apollo Server's code for a malformed request (BAD_REQUEST), the HTTP status saying which.
 */
function bodyErrors(
  error: { type?: string; status?: number; limit?: number },
  _req: Request,
  res: Response,
  next: NextFunction,
): void {
  if (error.type === "entity.too.large") {
    const limit = error.limit ? ` (at most ${error.limit} bytes)` : "";
    res.status(413).json({
      errors: [{ message: `The request is too large${limit}.`, extensions: { code: ErrorCode.BAD_REQUEST } }],
    });
    return;
  }
  if (error.type === "entity.parse.failed") {
    res.status(400).json({
      errors: [{ message: "The request body is not valid JSON.", extensions: { code: ErrorCode.BAD_REQUEST } }],
    });
    return;
  }
  next(error);
}

function corsOrigins(setting: string): cors.CorsOptions["origin"] {
  const origins = setting
    .split(",")
    .map((origin) => origin.trim())
    .filter(Boolean);
  return origins.includes("*") ? true : origins;
}

/**
 * Starts the router: the gateway on the static supergraph, with request size, depth and cost
 * limits, automatic persisted queries and rate limits in Redis, CORS, subgraph timeouts and
 * retries, subscriptions over WebSocket, Sandbox in development, health and metrics.
 */
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
  const metrics = new ServiceMetrics("router");
  const apiSchema = loadApiSchema(readFileSync(env.SUPERGRAPH_PATH, "utf8"));
  const publicCache = new PublicResponseCache(
    {
      ttlSeconds: env.PUBLIC_RESPONSE_CACHE_SECONDS,
      maxEntries: env.PUBLIC_RESPONSE_CACHE_ENTRIES,
      counter: new Counter({
        name: "router_public_response_cache_total",
        help: "Anonymous catalog queries answered from the router's cache (hit), passed on (miss), and answers kept (store).",
        labelNames: ["result"],
        registers: [metrics.registry],
      }),
    },
    apiSchema,
  );
  const gateway = createGateway({
    supergraphPath: env.SUPERGRAPH_PATH,
    subgraphUrls: urls,
    logger,
    subgraphTimeoutMs: env.SUBGRAPH_TIMEOUT_SECONDS * 1000,
    subgraphRetries: env.SUBGRAPH_RETRIES,
  });
  const apollo = new ApolloServer<RouterContext>({
    gateway: asServerGateway(gateway),
    formatError: createErrorFormatter(logger),
    includeStacktraceInErrorResponses: false,
    // The contract allows queries over GET, and Apollo Server's CSRF prevention refuses a plain
    // GET (no `content-type: application/json`, no `apollo-require-preflight`). It guards
    // against requests a browser sends with the visitor's ambient credentials (cookies); here
    // identity is only the Authorization bearer header, which a cross-site page cannot make a
    // browser send, so such a request is anonymous and the prevention protects nothing.
    // Mutations over GET are still refused (405) by Apollo Server itself.
    csrfPrevention: false,
    introspection: !production,
    validationRules: [depthLimit(env.MAX_QUERY_DEPTH), costLimit(env.MAX_QUERY_COST)],
    persistedQueries: { cache: new RedisKeyValueCache(redis, `${env.REDIS_KEY_PREFIX}apq:`), ttl: env.APQ_TTL_SECONDS },
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      // Sandbox is for development; in production the endpoint serves only the API.
      production
        ? ApolloServerPluginLandingPageDisabled()
        : ApolloServerPluginLandingPageLocalDefault({ embed: true, includeCookies: false }),
      ApolloServerPluginCacheControlDisabled(),
      metrics.graphqlPlugin(),
      publicCache.plugin<RouterContext>(),
    ],
  });
  await apollo.start();

  app.use(traceRequests("router"), logRequests(logger));
  metrics.mount(app);
  mountHealthRoutes(app, { ...subgraphChecks(urls), redis: async () => void (await redis.ping()) }, () => stopping);
  app.use(
    "/graphql",
    cors({ origin: corsOrigins(env.CORS_ORIGINS), maxAge: 600 }),
    // A bad, expired or revoked token is answered here, before any subgraph is called.
    authenticate(verifyAccessToken, logger),
    rateLimit(redis, {
      limit: env.RATE_LIMIT_REQUESTS,
      windowSeconds: env.RATE_LIMIT_WINDOW_SECONDS,
      keyPrefix: env.REDIS_KEY_PREFIX,
    }),
    express.json({ limit: env.MAX_REQUEST_BYTES }),
    bodyErrors,
    publicCache.middleware(),
    expressMiddleware(apollo, {
      context: async ({ req }) => {
        const requestId = req.requestId ?? requestIdOf(req);
        const traceId = currentTraceId();
        return {
          requestId,
          logger: logger.child({ requestId, ...(traceId ? { traceId } : {}) }),
          caller: req.caller ?? null,
          forwardedHeaders: headersToForward(req, requestId),
        };
      },
    }),
  );

  const subscriptions = startSubscriptionServer({
    httpServer,
    schema: apiSchema,
    verifyAccessToken,
    async execute(
      document: DocumentNode,
      variables: Record<string, unknown>,
      contextValue: RouterContext,
    ): Promise<FormattedExecutionResult> {
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
