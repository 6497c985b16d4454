import {
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from "@apollo/server/plugin/disabled";
import { buildSubgraphSchema } from "@apollo/subgraph";
import type { GraphQLResolverMap } from "@apollo/subgraph/dist/schema-helper";
import { ApiKeyRegistry } from "../auth/apiKeys";
import { authenticate } from "../auth/authenticate";
import { requireRouterCredential } from "../auth/routerCredential";
import { LocalRevocations, SessionRevocations } from "../auth/sessionRevocations";
import { createTokenVerifier, remoteKeySet, verifiedTokenCacheEntries } from "../auth/tokenVerifier";
import { describeDatabase } from "../database/databaseUrl";
import type { PrismaLike, SqlExecutor, TransactionClientOf, TransactionRunner } from "../database/prismaOptions";
import { shareClientPool } from "../database/sqlPool";
import { addressOf } from "../dependencies";
import { createLogger, type Logger } from "../logger";
import { ServiceMetrics } from "../metrics";
import { registerNatsCounters } from "../workCounters";
import { withTrace } from "../events/unitOfWork";
import { EventPlumbing, jetStreamApiTimeoutMs } from "./eventPlumbing";
import { startGraphQLHttpServer } from "./graphqlHttpServer";
import { jsonBody } from "./jsonBody";
import { knownOperationNames } from "./knownOperations";
import { openSubgraphDependencies } from "./openDependencies";
import { refuseUnsafeProductionSettings } from "./productionSafety";
import type {
  BackgroundWorker,
  BaseContext,
  SubgraphDefinition,
  SubgraphRuntime,
  SubgraphSettings,
} from "./subgraphDefinition";

export { StartupError } from "./openDependencies";

/** The largest request body a subgraph reads (1 MiB, as `express.json({ limit: "1mb" })` had it). */
const subgraphBodyLimit = 1024 * 1024;

export interface RunningSubgraph<Db, Env extends SubgraphSettings = SubgraphSettings> {
  url: string;
  port: number;
  runtime: SubgraphRuntime<Db, Env>;
  /** Its background workers, running. */
  workers: readonly BackgroundWorker[];
  /** Stops taking requests, finishes those in flight, drains consumers and closes every connection. */
  stop(): Promise<void>;
}

/**
 * Starts a subgraph in three parts: its dependencies (database created and migrated, NATS,
 * Redis), its event plumbing (streams, outbox relay, consumers, workers), and its GraphQL HTTP
 * server. Stopping runs them backwards.
 */
export async function startSubgraph<Db extends PrismaLike, Context extends BaseContext, Env extends SubgraphSettings>(
  definition: SubgraphDefinition<Db, Context, Env>,
  env: Env,
  options: { logger?: Logger } = {},
): Promise<RunningSubgraph<Db, Env>> {
  type Tx = TransactionClientOf<Db>;
  refuseUnsafeProductionSettings(definition.name, env);
  const logger = options.logger ?? createLogger(definition.name, { level: env.LOG_LEVEL, pretty: env.LOG_PRETTY });
  if (env.NODE_ENV === "production" && !env.NATS_USER)
    logger.warn("NATS_USER is not set: this service connects to NATS without credentials");
  const retry = { timeoutMs: env.STARTUP_TIMEOUT_SECONDS * 1000, logger };
  const { databaseUrl, nats, redis } = await openSubgraphDependencies(definition.name, env, retry);
  // The plumbing's statements (outbox, consumers, due work) run as named statements on the pool.
  const db = shareClientPool(
    definition.createDatabase(databaseUrl, {
      poolSize: env.DATABASE_POOL_SIZE,
      idleTransactionTimeoutMs: env.DATABASE_IDLE_TRANSACTION_TIMEOUT_MS,
      logQueries: env.DATABASE_LOG_QUERIES,
    }),
  );
  const metrics = new ServiceMetrics(definition.name, knownOperationNames());
  registerNatsCounters(metrics.registry, nats);
  // Set once the runtime exists: commits made by onStart already reach the hooks.
  const hooks: { runtime?: SubgraphRuntime<Db, Env> } = {};
  const events = await EventPlumbing.create<Tx & SqlExecutor>({
    service: definition.name,
    env,
    // Every generated PrismaClient runs interactive transactions; the generic Db cannot show it.
    db: db as unknown as TransactionRunner<Tx & SqlExecutor> & Tx & SqlExecutor,
    nats,
    handlers: definition.eventHandlers ?? [],
    logger,
    metrics,
    onCommitted: (committed) => {
      if (hooks.runtime) definition.onEventsCommitted?.(hooks.runtime, committed);
    },
  });
  const runtime: SubgraphRuntime<Db, Env> = {
    name: definition.name,
    env,
    logger,
    metrics,
    databaseUrl,
    db,
    nats,
    js: nats.jetstream({ timeout: jetStreamApiTimeoutMs }),
    jsm: events.jsm,
    redis,
    relay: events.relay,
    unitOfWork: events.unitOfWork,
    ...(events.sqlUnitOfWork ? { sqlUnitOfWork: events.sqlUnitOfWork } : {}),
    revocations: new SessionRevocations(redis, env.REDIS_KEY_PREFIX),
    consumers: events.consumers,
  };
  hooks.runtime = runtime;
  await definition.onStart?.(runtime);
  const workers = definition.workers?.(runtime) ?? [];
  await events.start(workers);

  // Revoked sessions kept in memory (from Redis pub/sub, resynced), and verified tokens cached:
  // a request's token costs no Redis round trip.
  const revoked = await LocalRevocations.start(runtime.revocations, redis, { logger, retry });
  const verifyAccessToken = createTokenVerifier({
    keys: definition.verificationKeys?.(runtime) ?? remoteKeySet(env.USERS_JWKS_URL),
    issuer: env.JWT_ISSUER,
    audience: env.JWT_AUDIENCE,
    revocations: revoked,
    cacheEntries: verifiedTokenCacheEntries,
    apiKeys: new ApiKeyRegistry(redis, env.REDIS_KEY_PREFIX),
  });
  const server = await startGraphQLHttpServer<Context>({
    service: definition.name,
    port: env.PORT,
    host: env.HOST,
    trustProxy: env.TRUST_PROXY,
    logger,
    metrics,
    apollo: {
      schema: buildSubgraphSchema([
        { typeDefs: definition.typeDefs, resolvers: definition.resolvers as GraphQLResolverMap<unknown> },
      ]),
      introspection: env.NODE_ENV !== "production",
      plugins: [
        // Clients reach subgraphs through the router, whose landing page is Sandbox.
        ApolloServerPluginLandingPageDisabled(),
        // Inline traces only serve Apollo's hosted usage reporting, which this platform does not use.
        ApolloServerPluginInlineTraceDisabled(),
      ],
    },
    readiness: {
      database: async () => void (await db.$queryRawUnsafe("SELECT 1")),
      nats: async () => {
        if (nats.isClosed()) throw new Error("connection closed");
        await nats.rtt();
      },
      redis: async () => void (await redis.ping()),
      consumers: events.running,
    },
    routes: definition.routes && ((app) => definition.routes?.(app, runtime)),
    preHandlers: [
      // The body first: the router's signature covers it, byte for byte.
      jsonBody(subgraphBodyLimit),
      requireRouterCredential(
        {
          secret: env.ROUTER_SIGNING_SECRET,
          previousSecret: env.ROUTER_SIGNING_SECRET_PREVIOUS,
          maxAgeSeconds: env.ROUTER_SIGNATURE_MAX_AGE_SECONDS,
        },
        (problem) => logger.warn({ problem }, "refused a request without a valid router credential"),
      ),
      authenticate(verifyAccessToken, logger),
    ],
    context: async (exchange, scope) => {
      const context = await definition.createContext(
        runtime,
        { ...scope, clientAddress: exchange.clientAddress },
        exchange,
      );
      // The events the request writes carry its trace, with no async context to take it from.
      const withUnitOfWork = context as { unitOfWork?: unknown; sqlUnitOfWork?: unknown };
      const { traceparent } = exchange;
      if (traceparent && withUnitOfWork.unitOfWork === runtime.unitOfWork)
        withUnitOfWork.unitOfWork = withTrace(runtime.unitOfWork, traceparent);
      if (traceparent && runtime.sqlUnitOfWork && withUnitOfWork.sqlUnitOfWork === runtime.sqlUnitOfWork)
        withUnitOfWork.sqlUnitOfWork = withTrace(runtime.sqlUnitOfWork, traceparent);
      return context;
    },
    async afterStop() {
      await events.stop();
      await nats.drain().catch(() => undefined);
      await revoked.stop();
      redis.disconnect();
      await db.$disconnect();
    },
  });
  logger.info(
    { url: server.url, database: describeDatabase(databaseUrl), nats: addressOf(env.NATS_URL) },
    `${definition.name} subgraph ready`,
  );

  return { url: server.url, port: server.port, runtime, workers, stop: server.stop };
}
