import http from "node:http";
import { ApolloServer, type ApolloServerOptions, type ApolloServerPlugin, type BaseContext } from "@apollo/server";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import { ApolloServerPluginCacheControlDisabled } from "@apollo/server/plugin/disabled";
import express, { type Express, type Request, type Response } from "express";
import type { Caller } from "../auth/caller";
import { compileTrust, trustProxySetting } from "../auth/trustProxy";
import { ErrorCode } from "../errors";
import type { Logger } from "../logger";
import type { ServiceMetrics } from "../metrics";
import { traceRequests } from "../observability/tracing";
import { dispatch } from "./dispatch";
import type { GraphQLExchange, PreHandler } from "./exchange";
import { createErrorFormatter } from "./formatError";
import { graphqlEndpoint } from "./graphqlEndpoint";
import { mountHealthRoutes, type ReadinessCheck } from "./health";
import { listen } from "./http";
import { logRequests } from "./requestLog";

/**
 * How long an idle kept-alive connection stays open (Node's default is 5 s). Callers keep pools of
 * connections (the router to each subgraph, the ingress and load balancers to the router): with
 * 5 s, a pool's connections left idle between bursts were closed and opened again at the next
 * (the router opened ~2 connections per order to the subgraphs, each with a DNS look-up and a
 * connect on both sides). Longer than the router's idle timeout (`subgraphFetcher`) and the
 * usual load balancers' (60 s), so the caller closes first and never sends on a closing connection.
 */
export const keepAliveTimeoutMs = 65_000;

/** The paths of the routes registered on the app (`/metrics`, `/health/ready`, a service's own). */
function routesOf(app: Express): string[] {
  const stack = (app as unknown as { router?: { stack?: Array<{ route?: { path?: unknown } }> } }).router?.stack ?? [];
  return stack.flatMap((layer) => (typeof layer.route?.path === "string" ? [layer.route.path] : []));
}

/** How a client on this machine reaches an address the server listens on. */
function urlHost(host: string): string {
  if (host === "0.0.0.0" || host === "::") return "127.0.0.1";
  return host.includes(":") ? `[${host}]` : host;
}

/** What every request's context starts from, on the router as on a subgraph. */
export interface RequestScope {
  requestId: string;
  /** Scoped to the request: every line it logs carries its request and trace ids. */
  logger: Logger;
  /** The verified caller; null for an anonymous request. */
  caller: Caller | null;
}

/** Something else served on the same HTTP server (the router's subscriptions); stopped first. */
export interface Attachment {
  stop(): Promise<void>;
}

export interface GraphQLHttpServerOptions<Context extends BaseContext> {
  /** The process's name, in spans and logs. */
  service: string;
  port: number;
  /** The address to listen on (HOST): loopback outside containers. */
  host: string;
  /** TRUST_PROXY: which proxies' X-Forwarded-For to believe for the client's address. */
  trustProxy: string;
  logger: Logger;
  metrics: ServiceMetrics;
  /** The schema or the gateway, and what this server alone sets; plugins go beside the shared ones. */
  apollo: ApolloServerOptions<Context>;
  /** What `/health/ready` checks. */
  readiness: Record<string, ReadinessCheck>;
  /** Routes beside /graphql, health and metrics. */
  routes?(app: Express): void;
  /** The steps in front of Apollo on `/graphql`, in order (the body, authentication, limits). */
  preHandlers: readonly PreHandler[];
  /** The request's context, from its scope. */
  context(exchange: GraphQLExchange, scope: RequestScope): Context | Promise<Context>;
  /** Serves something else on the same HTTP server, once Apollo has started. */
  attach?(httpServer: http.Server, apollo: ApolloServer<Context>): Attachment;
  /** Closes what the process holds besides the server (consumers, connections), once it has drained. */
  afterStop?(): Promise<void>;
}

export interface RunningGraphQLServer<Context extends BaseContext> {
  url: string;
  port: number;
  apollo: ApolloServer<Context>;
  /**
   * Stops taking requests (readiness answers 503 from here on), finishes those in flight, then
   * runs `afterStop`. Calling it again waits for the same stop.
   */
  stop(): Promise<void>;
}

/**
 * The HTTP side that the router and every subgraph share: Apollo Server on `/graphql`, served by
 * Node's HTTP server through the pre-handlers (see graphqlEndpoint), with errors formatted
 * (domain codes kept, the unexpected masked), HTTP draining on stop, and the operations and
 * errors counted; Express for the rest (`/metrics`, `/health/live`, `/health/ready`, a
 * service's own routes). Every request is traced, logged in one line and timed.
 */
export async function startGraphQLHttpServer<Context extends BaseContext>(
  options: GraphQLHttpServerOptions<Context>,
): Promise<RunningGraphQLServer<Context>> {
  const { logger, metrics } = options;
  let stopping = false;
  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", trustProxySetting(options.trustProxy));
  const httpServer = http.createServer({ keepAliveTimeout: keepAliveTimeoutMs });
  const apollo = new ApolloServer<Context>({
    ...options.apollo,
    formatError: createErrorFormatter(logger),
    includeStacktraceInErrorResponses: false,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      // Cache hints would be computed for every field of every response, and nothing reads them.
      ApolloServerPluginCacheControlDisabled(),
      metrics.graphqlPlugin(),
      ...((options.apollo.plugins ?? []) as ApolloServerPlugin<Context>[]),
    ],
  } as ApolloServerOptions<Context>);
  await apollo.start();

  app.use(traceRequests(options.service), logRequests(logger));
  metrics.mount(app);
  mountHealthRoutes(app, options.readiness, () => stopping);
  options.routes?.(app);
  // The endpoint is /graphql itself (served below, not by Express): /graphql/<anything> is no
  // route (and no metrics label).
  app.use("/graphql", (_req: Request, res: Response) => {
    res.status(404).json({ errors: [{ message: "Not found.", extensions: { code: ErrorCode.NOT_FOUND } }] });
  });
  const graphql = graphqlEndpoint<Context>({
    service: options.service,
    apollo,
    logger,
    metrics,
    trust: compileTrust(options.trustProxy),
    preHandlers: options.preHandlers,
    context: options.context,
  });
  httpServer.on("request", dispatch(graphql, app));
  metrics.labelRoutes(["/graphql", ...routesOf(app)]);
  const attachment = options.attach?.(httpServer, apollo);

  const port = await listen(httpServer, options.port, options.host);
  let stopped: Promise<void> | undefined;
  const stop = async () => {
    stopping = true;
    await attachment?.stop();
    await apollo.stop();
    await options.afterStop?.();
  };
  return {
    url: `http://${urlHost(options.host)}:${port}/graphql`,
    port,
    apollo,
    stop: () => (stopped ??= stop()),
  };
}
