import http from "node:http";
import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from "@apollo/server/plugin/disabled";
import { expressMiddleware } from "@as-integrations/express5";
import { buildSubgraphSchema } from "@apollo/subgraph";
import type { GraphQLResolverMap } from "@apollo/subgraph/dist/schema-helper";
import express from "express";
import { authenticate } from "../auth/authenticate";
import { SessionRevocations } from "../auth/sessionRevocations";
import { createTokenVerifier, remoteKeySet } from "../auth/tokenVerifier";
import { trustProxySetting } from "../auth/trustProxy";
import { databaseUrlFor, describeDatabase } from "../database/databaseUrl";
import { checkDatabase, ensureDatabase, migrateDatabase } from "../database/provision";
import type { PrismaLike, TransactionClientOf, TransactionRunner } from "../database/prismaOptions";
import { addressOf, connectWithRetry, openNats, openRedis } from "../dependencies";
import { EventConsumer } from "../events/eventConsumer";
import { OutboxRelay } from "../events/outboxRelay";
import { ensureStreams } from "../events/streams";
import { createUnitOfWork } from "../events/unitOfWork";
import { createLogger, type Logger } from "../logger";
import { ServiceMetrics } from "../metrics";
import { createErrorFormatter } from "./formatError";
import { outboxBacklog } from "../events/outbox";
import { currentTraceId, traceparentOf, traceRequests } from "../observability/tracing";
import { mountHealthRoutes } from "./health";
import { logRequests } from "./requestLog";
import { listen, requestIdOf } from "./http";
import type { BaseContext, SubgraphDefinition, SubgraphRuntime, SubgraphSettings } from "./subgraphDefinition";

export interface RunningSubgraph<Db, Env extends SubgraphSettings = SubgraphSettings> {
  url: string;
  port: number;
  runtime: SubgraphRuntime<Db, Env>;
  /** Stops taking requests, finishes those in flight, drains consumers and closes every connection. */
  stop(): Promise<void>;
}

/** Reported when several dependencies fail at once: one line for each. */
export class StartupError extends Error {
  constructor(readonly failures: string[]) {
    super(failures.join("\n"));
    this.name = "StartupError";
  }
}

async function openAll<T extends readonly unknown[]>(attempts: { [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const results = await Promise.allSettled(attempts);
  const failures = results.flatMap((result) =>
    result.status === "rejected" ? [(result.reason as Error).message] : [],
  );
  if (failures.length > 0) throw new StartupError(failures);
  return results.map((result) => (result as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

/** Starts a subgraph: database (created and migrated), NATS streams, Redis, outbox relay, consumers, HTTP. */
export async function startSubgraph<Db extends PrismaLike, Context extends BaseContext, Env extends SubgraphSettings>(
  definition: SubgraphDefinition<Db, Context, Env>,
  env: Env,
  options: { logger?: Logger } = {},
): Promise<RunningSubgraph<Db, Env>> {
  const logger = options.logger ?? createLogger(definition.name, { level: env.LOG_LEVEL, pretty: env.LOG_PRETTY });
  const retry = { timeoutMs: env.STARTUP_TIMEOUT_SECONDS * 1000, logger };
  const databaseUrl = databaseUrlFor(definition.name, env);

  const [, nats, redis] = await openAll<
    [void, Awaited<ReturnType<typeof openNats>>, Awaited<ReturnType<typeof openRedis>>]
  >([
    env.MIGRATE_ON_START
      ? connectWithRetry("PostgreSQL", describeDatabase(databaseUrl), () => ensureDatabase(databaseUrl), retry).then(
          async () => {
            await migrateDatabase(definition.name, databaseUrl).catch((error: Error) => {
              throw new Error(`migrating ${describeDatabase(databaseUrl)} failed: ${error.message}`);
            });
          },
        )
      : connectWithRetry("PostgreSQL", describeDatabase(databaseUrl), () => checkDatabase(databaseUrl), retry),
    openNats(env.NATS_URL, definition.name, retry),
    openRedis(env.REDIS_URL, definition.name, retry),
  ]);

  type Tx = TransactionClientOf<Db>;
  const db = definition.createDatabase(databaseUrl, {
    poolSize: env.DATABASE_POOL_SIZE,
    logQueries: env.DATABASE_LOG_QUERIES,
  });
  // Every generated PrismaClient runs interactive transactions; the generic Db cannot show it.
  const transactions = db as unknown as TransactionRunner<Tx>;
  const jsm = await nats.jetstreamManager();
  await ensureStreams(jsm, env.NATS_NAMESPACE, env.NATS_STREAM_REPLICAS);
  const js = nats.jetstream();
  const metrics = new ServiceMetrics(definition.name);
  const relay = new OutboxRelay({
    db: transactions as unknown as TransactionRunner<Tx> & Tx,
    js,
    namespace: env.NATS_NAMESPACE,
    logger,
    onPublished: (type) => metrics.eventsPublished.inc({ type }),
  });
  // Set once the runtime exists: commits made by onStart already reach the hooks.
  const hooks: { runtime?: SubgraphRuntime<Db, Env> } = {};
  const unitOfWork = createUnitOfWork<Tx>({
    service: definition.name,
    db: transactions,
    onCommitted: (events) => {
      relay.publishCommitted(events);
      metrics.countCommitted(events);
      if (hooks.runtime) definition.onEventsCommitted?.(hooks.runtime, events);
    },
    // Events carry the trace of the request or event that caused them, across the bus.
    traceparent: () => traceparentOf(),
  });
  const consumers = (definition.eventHandlers ?? []).map(
    (handler) =>
      new EventConsumer<Tx>({
        service: definition.name,
        handler,
        unitOfWork,
        db: db as unknown as Tx,
        js,
        jsm,
        namespace: env.NATS_NAMESPACE,
        logger,
        maxDeliveries: env.EVENT_MAX_DELIVERIES,
        concurrency: env.EVENT_CONSUMER_CONCURRENCY,
        retryDelaysMs: env.EVENT_RETRY_DELAYS_MS,
        onOutcome: (type, outcome) => metrics.eventsConsumed.inc({ type, outcome }),
      }),
  );
  const runtime: SubgraphRuntime<Db, Env> = {
    name: definition.name,
    env,
    logger,
    metrics,
    databaseUrl,
    db,
    nats,
    js,
    jsm,
    redis,
    relay,
    unitOfWork,
    revocations: new SessionRevocations(redis, env.REDIS_KEY_PREFIX),
    consumers,
  };

  hooks.runtime = runtime;
  await definition.onStart?.(runtime);
  relay.start();
  for (const consumer of consumers) await consumer.start();
  const workers = definition.workers?.(runtime) ?? [];
  for (const worker of workers) worker.start();

  metrics.gauge("outbox_backlog", "Events written to the outbox and not yet published.", [], async () => [
    { value: (await outboxBacklog(db)).pending },
  ]);
  metrics.gauge("event_consumer_lag", "Events waiting for each of this service's consumers.", ["consumer"], async () =>
    Promise.all(
      consumers.map(async (consumer) => ({
        labels: { consumer: consumer.name },
        value: (await jsm.consumers.info(consumer.stream, consumer.name)).num_pending,
      })),
    ),
  );

  let stopping = false;
  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", trustProxySetting(env.TRUST_PROXY));
  const verifyAccessToken = createTokenVerifier({
    keys: definition.verificationKeys?.(runtime) ?? remoteKeySet(env.USERS_JWKS_URL),
    issuer: env.JWT_ISSUER,
    audience: env.JWT_AUDIENCE,
    revocations: runtime.revocations,
  });
  const httpServer = http.createServer(app);
  const apollo = new ApolloServer<Context>({
    schema: buildSubgraphSchema([
      { typeDefs: definition.typeDefs, resolvers: definition.resolvers as GraphQLResolverMap<unknown> },
    ]),
    formatError: createErrorFormatter(logger),
    includeStacktraceInErrorResponses: false,
    introspection: env.NODE_ENV !== "production",
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      // Clients reach subgraphs through the router, whose landing page is Sandbox.
      ApolloServerPluginLandingPageDisabled(),
      // Inline traces only serve Apollo's hosted usage reporting, which this platform does not use.
      ApolloServerPluginInlineTraceDisabled(),
      // Cache hints would be computed for every field of every response, and nothing reads them.
      ApolloServerPluginCacheControlDisabled(),
      metrics.graphqlPlugin(),
    ],
  });
  await apollo.start();

  app.use(traceRequests(definition.name), logRequests(logger));
  metrics.mount(app);
  mountHealthRoutes(
    app,
    {
      database: async () => void (await db.$queryRawUnsafe("SELECT 1")),
      nats: async () => {
        if (nats.isClosed()) throw new Error("connection closed");
        await nats.rtt();
      },
      redis: async () => void (await redis.ping()),
      consumers: async () => {
        const stopped = [...consumers, ...workers].filter((each) => !each.isRunning());
        if (stopped.length) throw new Error(`not running: ${stopped.map((each) => each.name).join(", ")}`);
      },
    },
    () => stopping,
  );
  definition.routes?.(app, runtime);
  app.use(
    "/graphql",
    authenticate(verifyAccessToken, logger),
    express.json({ limit: "1mb" }),
    expressMiddleware(apollo, {
      context: async ({ req }) => {
        const requestId = req.requestId ?? requestIdOf(req);
        const traceId = currentTraceId();
        const base = {
          requestId,
          logger: logger.child({ requestId, ...(traceId ? { traceId } : {}) }),
          caller: req.caller ?? null,
          clientAddress: req.ip ?? "unknown",
        };
        return definition.createContext(runtime, base, req);
      },
    }),
  );

  const port = await listen(httpServer, env.PORT);
  const url = `http://localhost:${port}/graphql`;
  logger.info(
    { url, database: describeDatabase(databaseUrl), nats: addressOf(env.NATS_URL) },
    `${definition.name} subgraph ready`,
  );

  return {
    url,
    port,
    runtime,
    async stop() {
      if (stopping) return;
      stopping = true;
      await apollo.stop();
      for (const worker of workers) await worker.stop();
      for (const consumer of consumers) await consumer.stop();
      await relay.stop();
      await nats.drain().catch(() => undefined);
      redis.disconnect();
      await db.$disconnect();
    },
  };
}
