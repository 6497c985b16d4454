import { readFileSync } from "node:fs";
import { ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import { ApolloServerPluginLandingPageLocalDefault } from "@apollo/server/plugin/landingPage/default";
import { Counter } from "prom-client";
import type { DocumentNode, FormattedExecutionResult } from "graphql";
import { loadApiSchema } from "../schema/apiSchema";
import { ApiKeyRegistry } from "../subgraphs/common/auth/apiKeys";
import { authenticate } from "../subgraphs/common/auth/authenticate";
import { LocalRevocations, SessionRevocations } from "../subgraphs/common/auth/sessionRevocations";
import { compileTrust } from "../subgraphs/common/auth/trustProxy";
import { createTokenVerifier, remoteKeySet, verifiedTokenCacheEntries } from "../subgraphs/common/auth/tokenVerifier";
import { openRedis } from "../subgraphs/common/dependencies";
import { createLogger, type Logger } from "../subgraphs/common/logger";
import { ServiceMetrics } from "../subgraphs/common/metrics";
import { startGraphQLHttpServer } from "../subgraphs/common/server/graphqlHttpServer";
import { jsonBody } from "../subgraphs/common/server/jsonBody";
import { knownOperationNames } from "../subgraphs/common/server/knownOperations";
import { openDependencies } from "../subgraphs/common/server/openDependencies";
import { refuseUnsafeProductionSettings } from "../subgraphs/common/server/productionSafety";
import type { RouterContext } from "./context";
import { allowOrigins } from "./cors";
import { subgraphUrls, type RouterEnvironment } from "./environment";
import { headersToForward } from "./forwardingDataSource";
import { asServerGateway, createGateway } from "./gateway";
import { subgraphChecks } from "./health";
import { costLimit, depthLimit } from "./limits/operationLimits";
import { mutationLimits } from "./limits/mutationLimits";
import { RateLimiter, rateLimit } from "./limits/rateLimit";
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
 * Starts the router: the gateway on the static supergraph, with request size, depth, cost and
 * mutation limits, bounded automatic persisted queries and rate limits in Redis, CORS, signed
 * subgraph requests with timeouts and retries, subscriptions over WebSocket, Sandbox in
 * development, health and metrics. Refuses unsafe settings in production.
 */
export async function startRouter(env: RouterEnvironment, options: { logger?: Logger } = {}): Promise<RunningRouter> {
  refuseUnsafeProductionSettings("router", env);
  const logger = options.logger ?? createLogger("router", { level: env.LOG_LEVEL, pretty: env.LOG_PRETTY });
  const urls = subgraphUrls(env);
  const production = env.NODE_ENV === "production";
  const retry = { timeoutMs: env.STARTUP_TIMEOUT_SECONDS * 1000, logger };
  const { redis } = await openDependencies({ redis: openRedis(env.REDIS_URL, "router", retry) });
  const apiKeys = new ApiKeyRegistry(redis, env.REDIS_KEY_PREFIX);
  // Revoked sessions kept in memory (from Redis pub/sub, resynced), and verified tokens cached:
  // a request's token costs no Redis round trip.
  const revoked = await LocalRevocations.start(new SessionRevocations(redis, env.REDIS_KEY_PREFIX), redis, {
    logger,
    retry,
  });
  const verifyAccessToken = createTokenVerifier({
    keys: remoteKeySet(env.USERS_JWKS_URL),
    issuer: env.JWT_ISSUER,
    audience: env.JWT_AUDIENCE,
    revocations: revoked,
    cacheEntries: verifiedTokenCacheEntries,
    apiKeys,
  });

  const metrics = new ServiceMetrics("router", knownOperationNames());
  const operationLimits = [
    depthLimit(env.MAX_QUERY_DEPTH),
    costLimit(env.MAX_QUERY_COST),
    mutationLimits({ maxRootFields: env.MAX_ROOT_MUTATIONS, maxExpensive: env.MAX_EXPENSIVE_MUTATIONS }),
  ];
  const rateLimiter = new RateLimiter(redis, {
    limit: env.RATE_LIMIT_REQUESTS,
    windowSeconds: env.RATE_LIMIT_WINDOW_SECONDS,
    keyPrefix: env.REDIS_KEY_PREFIX,
  });
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
    signingSecret: env.ROUTER_SIGNING_SECRET,
  });
  const server = await startGraphQLHttpServer<RouterContext>({
    service: "router",
    port: env.PORT,
    host: env.HOST,
    trustProxy: env.TRUST_PROXY,
    logger,
    metrics,
    apollo: {
      gateway: asServerGateway(gateway),
      // The contract allows queries over GET, and Apollo Server's CSRF prevention refuses a plain
      // GET (no `content-type: application/json`, no `apollo-require-preflight`). It guards
      // against requests a browser sends with the visitor's ambient credentials (cookies); here
      // identity is only the Authorization bearer header, which a cross-site page cannot make a
      // browser send, so such a request is anonymous and the prevention protects nothing.
      // Mutations over GET are still refused (405) by Apollo Server itself.
      csrfPrevention: false,
      introspection: !production,
      validationRules: operationLimits,
      // HTTP batching (an array of operations in one request) stays off, as Apollo Server has it:
      // one request is one operation, which the limits above bound.
      allowBatchedHttpRequests: false,
      persistedQueries: {
        cache: new RedisKeyValueCache(redis, {
          prefix: `${env.REDIS_KEY_PREFIX}apq:`,
          maxEntryBytes: env.APQ_MAX_ENTRY_BYTES,
          maxEntries: env.APQ_MAX_ENTRIES,
          ttlSeconds: env.APQ_TTL_SECONDS,
        }),
        ttl: env.APQ_TTL_SECONDS,
      },
      plugins: [
        // Sandbox is for development; in production the endpoint serves only the API.
        production
          ? ApolloServerPluginLandingPageDisabled()
          : ApolloServerPluginLandingPageLocalDefault({ embed: true, includeCookies: false }),
        publicCache.plugin<RouterContext>(),
      ],
    },
    readiness: { ...subgraphChecks(urls), redis: async () => void (await redis.ping()) },
    preHandlers: [
      allowOrigins(env.CORS_ORIGINS),
      // A bad, expired or revoked token is answered here, before any subgraph is called.
      authenticate(verifyAccessToken, logger),
      rateLimit(rateLimiter, apiKeys),
      jsonBody(env.MAX_REQUEST_BYTES),
      publicCache.preHandler(),
    ],
    context: (exchange, scope) => ({ ...scope, forwardedHeaders: headersToForward(exchange, scope.requestId) }),
    attach: (httpServer, apollo) =>
      startSubscriptionServer({
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
        maxPerAddress: env.MAX_SUBSCRIPTIONS_PER_ADDRESS,
        maxSocketsPerUser: env.MAX_SOCKETS_PER_USER,
        maxSocketsPerAddress: env.MAX_SOCKETS_PER_ADDRESS,
        maxPayloadBytes: env.MAX_REQUEST_BYTES,
        trustProxy: compileTrust(env.TRUST_PROXY),
        rateLimiter,
        validationRules: operationLimits,
      }),
    afterStop: async () => {
      await revoked.stop();
      redis.disconnect();
    },
  });
  logger.info({ url: server.url }, "router ready");
  return { url: server.url, port: server.port, logger, stop: server.stop };
}
