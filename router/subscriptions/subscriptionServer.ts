import type http from "node:http";
import { randomUUID } from "node:crypto";
import {
  GraphQLError,
  type DocumentNode,
  type ExecutionArgs,
  type FormattedExecutionResult,
  type GraphQLSchema,
} from "graphql";
import { RedisPubSub } from "graphql-redis-subscriptions";
import { useServer } from "graphql-ws/use/ws";
import { Redis } from "ioredis";
import { decodeJwt } from "jose";
import { WebSocketServer } from "ws";
import type { VerifyAccessToken } from "../../subgraphs/common/auth/tokenVerifier";
import { bearerToken } from "../../subgraphs/common/auth/tokenVerifier";
import { DomainError, ErrorCode } from "../../subgraphs/common/errors";
import type { Logger } from "../../subgraphs/common/logger";
import type { RouterContext } from "../context";
import { liveOrders, SubscriptionLimits, subscriptionRetryAfterSeconds, type SubscriptionContext } from "./liveOrders";

export interface SubscriptionServerOptions {
  httpServer: http.Server;
  schema: GraphQLSchema;
  verifyAccessToken: VerifyAccessToken;
  /** Runs an operation through the gateway with this context. */
  execute(
    document: DocumentNode,
    variables: Record<string, unknown>,
    context: RouterContext,
  ): Promise<FormattedExecutionResult>;
  redisUrl: string;
  keyPrefix: string;
  logger: Logger;
  keepAliveMs: number;
  maxPerConnection: number;
  maxPerUser: number;
}

/** Close codes a client can act on (graphql-ws uses 4400-4499 for the application). */
export const closeCodes = { unauthorized: 4401, tooManySubscriptions: 4429 } as const;

interface ConnectionState {
  subscription?: SubscriptionContext;
  expiry?: NodeJS.Timeout;
}

/**
 * Subscriptions on the router's own HTTP port and path (`graphql-ws` over WebSocket). The
 * gateway does not execute subscriptions, so the router authenticates `connection_init`,
 * validates each operation against the supergraph, and serves the order subscriptions from
 * Redis (see liveOrders); queries and mutations sent over the socket go through the gateway.
 */
export function startSubscriptionServer(options: SubscriptionServerOptions) {
  const logger = options.logger.child({ module: "subscriptions" });
  const redisOptions = { maxRetriesPerRequest: null, retryStrategy: (times: number) => Math.min(times * 200, 2000) };
  // A connection in subscriber mode cannot publish: graphql-redis-subscriptions wants two.
  const pubsub = new RedisPubSub({
    publisher: new Redis(options.redisUrl, { ...redisOptions, connectionName: "router-publisher" }),
    subscriber: new Redis(options.redisUrl, { ...redisOptions, connectionName: "router-subscriber" }),
  });
  const limits = new SubscriptionLimits(options.maxPerUser);
  const states = new WeakMap<object, ConnectionState>();
  const wsServer = new WebSocketServer({ server: options.httpServer, path: "/graphql" });

  const routerContext = (subscription: SubscriptionContext): RouterContext => {
    const requestId = randomUUID();
    return {
      requestId,
      logger: logger.child({ requestId }),
      caller: subscription.caller,
      forwardedHeaders: { authorization: subscription.authorization, "x-request-id": requestId },
    };
  };
  const subscribe = liveOrders({
    pubsub,
    keyPrefix: options.keyPrefix,
    limits,
    fetch: (document, variables, context) => options.execute(document, variables, routerContext(context)),
  });

  const server = useServer<{ authorization?: string }, { state?: ConnectionState }>(
    {
      schema: options.schema,
      async onConnect(ctx) {
        const socket = ctx.extra.socket;
        const header = ctx.connectionParams?.authorization;
        try {
          const token = bearerToken(typeof header === "string" ? header : undefined);
          if (!token) throw new GraphQLError('Send { "authorization": "Bearer <access token>" } in connection_init.');
          const caller = await options.verifyAccessToken(token);
          const state: ConnectionState = {
            subscription: {
              caller,
              authorization: `Bearer ${token}`,
              closeUnauthenticated: (reason) => socket.close(closeCodes.unauthorized, reason.slice(0, 120)),
            },
          };
          const expiresAt = (decodeJwt(token).exp ?? 0) * 1000;
          // The subscription lives as long as the token it was opened with.
          state.expiry = setTimeout(
            () => socket.close(closeCodes.unauthorized, "The access token has expired: reconnect with a fresh token."),
            Math.max(0, expiresAt - Date.now()),
          );
          states.set(ctx.extra, state);
          return true;
        } catch (error) {
          const reason =
            error instanceof DomainError || error instanceof GraphQLError
              ? error.message
              : "Signing in is unavailable right now.";
          socket.close(closeCodes.unauthorized, reason.slice(0, 120));
          return false;
        }
      },
      onClose(ctx) {
        const state = states.get(ctx.extra);
        if (state?.expiry) clearTimeout(state.expiry);
      },
      onSubscribe(ctx, id) {
        // graphql-ws has already entered this subscription's id when it asks.
        const others = Object.keys(ctx.subscriptions).filter((each) => each !== id).length;
        if (others >= options.maxPerConnection) {
          return [
            new GraphQLError(
              `At most ${options.maxPerConnection} subscriptions per connection: end one, then try again.`,
              {
                extensions: { code: ErrorCode.RATE_LIMITED, retryAfter: subscriptionRetryAfterSeconds },
              },
            ),
          ];
        }
        return undefined;
      },
      context: (ctx) => states.get(ctx.extra)?.subscription as unknown as Record<string, unknown>,
      subscribe: (args: ExecutionArgs) => subscribe(args),
      execute: (args: ExecutionArgs) => {
        const context = args.contextValue as SubscriptionContext;
        return options.execute(
          args.document,
          (args.variableValues ?? {}) as Record<string, unknown>,
          routerContext(context),
        ) as never;
      },
    },
    wsServer,
    options.keepAliveMs,
  );

  return {
    pubsub,
    limits,
    /** Closes every connection (ending their subscriptions) and the Redis connections. */
    async stop(): Promise<void> {
      for (const client of wsServer.clients) client.close(1001, "The router is stopping.");
      await server.dispose();
      await new Promise<void>((resolve) => wsServer.close(() => resolve()));
      // Not awaited: quitting waits for Redis, which may be the reason the router is stopping.
      pubsub.close().catch(() => undefined);
    },
  };
}
